package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.medledger.core.record.Role;

/**
 * Builds a doctor's treatment keys without waiting for the doctor to reopen the treatment's
 * page (issue 13): when the last answer reaches the portal while the doctor is logged in
 * ({@link #answerArrived}), and at the doctor's next login for every treatment whose answers
 * are all in ({@link #atLogin}). The key is kept as the doctor's pending tag until their first
 * record pins it (docs/protocol.md, R6/R8), exactly as {@link TreatmentService#buildKey} does
 * when the page is opened. A treatment whose answers are not all in, or one of which cannot be
 * read, is left as it is: its page names the unreadable answer and offers the doctor's choices.
 */
@ApplicationScoped
public class KeyBuilder {
  private static final Logger LOG = Logger.getLogger(KeyBuilder.class.getName());

  @Inject TreatmentService treatments;
  @Inject InboxService inbox;
  @Inject SignedInDoctors doctors;
  @Inject org.medledger.portal.application.cover.Covers covers;
  @Inject org.medledger.portal.application.membership.MembershipService membership;

  /**
   * An answer of treatment {@code kappa0Hex} reached {@code username}'s inbox: if that is a
   * logged-in doctor, builds the key once every answer is in and readable. Never throws: the
   * inbox row is written already and the event must not be retried for this.
   */
  public boolean answerArrived(String username, String kappa0Hex) {
    for (Actor doctor : doctors.of(username)) {
      return tryBuild(doctor, kappa0Hex) | tryLetIn(doctor, kappa0Hex);
    }
    return false;
  }

  /** At a doctor's login: builds the keys of their treatments that wait only for it. */
  public int atLogin(Actor doctor) {
    if (doctor == null || doctor.role() != Role.DOCTOR) return 0;
    int built = 0;
    for (String k : inbox.treatments(doctor.username())) {
      if (tryBuild(doctor, k)) built++;
      else covers.writePending(doctor, k); // a cover that could not be written when its key was built
      if (tryLetIn(doctor, k)) built++;
    }
    return built;
  }

  /**
   * The patient changed who takes part (issue 16): once the members she added have accepted (at
   * once for a removal), the new key lets the new member set in, as the first key is built.
   */
  private boolean tryLetIn(Actor doctor, String kappa0Hex) {
    try {
      return membership.completeIfReady(doctor, kappa0Hex);
    } catch (RuntimeException e) {
      // The ledger away, or the session ended: the next answer, login or page view does it.
      LOG.log(Level.WARNING, "Treatment {0}: the new members could not be let in now ({1})",
          new Object[] {kappa0Hex.substring(0, Math.min(12, kappa0Hex.length())), e.getClass().getName()});
      return false;
    }
  }

  private boolean tryBuild(Actor doctor, String kappa0Hex) {
    try {
      if (!treatments.view(doctor, kappa0Hex, false).canBuildKey()) return false;
      treatments.buildKey(doctor, kappa0Hex);
      LOG.info(() -> "Treatment " + kappa0Hex.substring(0, 12) + ": key built for doctor " + doctor.indexHex()
          + " without reopening the page");
      return true;
    } catch (PortalException e) {
      // Not ready (an answer missing or unreadable, not this doctor's): the page says why.
      return false;
    } catch (RuntimeException e) {
      // E.g. the session ended and wiped σ meanwhile, or the ledger is away: the page or the
      // next login builds it. The class only: a message could carry ledger details.
      LOG.log(Level.WARNING, "Treatment {0}: the key could not be built now ({1})",
          new Object[] {kappa0Hex.substring(0, Math.min(12, kappa0Hex.length())), e.getClass().getName()});
      return false;
    }
  }
}
