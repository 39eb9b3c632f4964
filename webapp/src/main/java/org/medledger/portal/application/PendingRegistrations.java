package org.medledger.portal.application;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.persistence.Account;
import org.medledger.portal.infrastructure.persistence.AccountRepository;

/**
 * At start-up, before the demo seeder and before any request: makes H2 write every commit
 * before acknowledging it, finishes what a crash interrupted in the wrapped-secret store (a
 * password change, a secret without its account), moves wrapped secrets of accounts older
 * than the store out of the database, and settles each PENDING registration: completed if the
 * ledger has it (or it needed no ledger write), otherwise rolled back (row and secret removed;
 * the user was never told "registered").
 *
 * <p>Fabric caveat, in docs/portal.md: a registration a crash interrupted after the orderer took
 * it but before its block reached the peer is rolled back here and appears on the ledger later,
 * as a directory entry without a local account.
 */
@ApplicationScoped
public class PendingRegistrations {
  private static final Logger LOG = Logger.getLogger(PendingRegistrations.class.getName());

  @Inject AccountRepository accounts;
  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;

  void atStart(@Observes @Priority(1000) @Initialized(ApplicationScoped.class) Object ignored) {
    int delay = accounts.requireImmediateWrites();
    if (delay >= 0) {
      LOG.warning("H2 had WRITE_DELAY " + delay + " (commits acknowledged before they are on disk): set to 0."
          + " Add ;WRITE_DELAY=0 to medledger.jdbc.url (docs/portal.md).");
    }
    int finished = accounts.recoverWrappedSecrets();
    if (finished > 0) LOG.warning("Finished " + finished + " password change(s) interrupted by a crash");
    int moved = accounts.moveSecretsToStore();
    if (moved > 0) {
      LOG.warning("Moved the wrapped secrets of " + moved + " account(s) out of the database into the secret store;"
          + " copies made before this start (database file history, backups) still hold them: see docs/portal.md, Operations");
    }
    settle();
    int orphans = accounts.eraseOrphanSecrets();
    if (orphans > 0) LOG.info("Erased " + orphans + " wrapped secret(s) that had no account (a crash during registration or deletion)");
  }

  /** Settles every pending registration; returns how many were completed. */
  public int settle() {
    int completed = 0;
    for (Account a : accounts.pending()) {
      boolean onLedger;
      try {
        onLedger = a.getRole().pseudonymous()
            || ledger.participant(portal.get(), ParticipantIndex.parse(a.getIndexHex())).isPresent();
      } catch (RuntimeException e) {
        LOG.warning(() -> "Cannot ask the ledger about the pending registration of " + a.getUsername()
            + " (left pending until the next start): " + e.getMessage());
        continue;
      }
      if (onLedger) {
        accounts.complete(a.getUsername(), null);
        completed++;
        LOG.warning(() -> "Completed the registration of " + a.getUsername() + " (index " + a.getIndexHex()
            + "), interrupted by a crash after its ledger write");
      } else if (a.getApprovedBy() != null) {
        // An approved sign-up keeps its approval: the next login issues and writes again.
        accounts.backToApproved(a.getUsername());
        LOG.warning(() -> "The approved registration of " + a.getUsername() + " (index " + a.getIndexHex()
            + ") was interrupted by a crash before its ledger write; it is finished at the next login");
      } else {
        accounts.discardPending(a.getUsername()).ifPresent(accounts::eraseWrappedSecret);
        LOG.warning(() -> "Rolled back the registration of " + a.getUsername() + " (index " + a.getIndexHex()
            + "), interrupted by a crash before its ledger write; the user name is free again");
      }
    }
    if (!accounts.pending().isEmpty() || completed > 0) accounts.syncToDisk();
    return completed;
  }
}
