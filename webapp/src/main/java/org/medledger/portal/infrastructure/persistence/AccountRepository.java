package org.medledger.portal.infrastructure.persistence;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * JPA access to accounts, pending tags; one transaction per call. The accounts' wrapped σ live
 * in the {@link WrappedSecretStore} beside the database (written before the row, erased after
 * it is gone).
 */
@ApplicationScoped
@Transactional
public class AccountRepository {
  private static final Logger LOG = Logger.getLogger(AccountRepository.class.getName());

  @PersistenceContext(unitName = "medledger")
  EntityManager em;

  @Resource(lookup = "java:app/jdbc/medledger")
  DataSource dataSource;

  WrappedSecretStore secrets() {
    return WrappedSecretStore.forPortal();
  }

  public Optional<Account> byUsername(String username) {
    return em.createNamedQuery("Account.byUsername", Account.class).setParameter("u", username)
        .getResultStream().findFirst();
  }

  public Optional<Account> byIndex(String indexHex) {
    return em.createNamedQuery("Account.byIndex", Account.class).setParameter("i", indexHex)
        .getResultStream().findFirst();
  }

  public long count() {
    return em.createNamedQuery("Account.count", Long.class).getSingleResult();
  }

  public List<Account> all() {
    return em.createQuery("select a from Account a order by a.id", Account.class).getResultList();
  }

  /** Stores the new account's wrapped σ (synced), then its row; the row commits when this returns. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public Account insert(Account a) {
    byte[] blob = a.newWrappedSecret();
    if (blob != null) secrets().create(a.getIndexHex(), blob);
    try {
      em.persist(a);
      em.flush();
    } catch (RuntimeException e) {
      if (blob != null) secrets().erase(a.getIndexHex());
      throw e;
    }
    // Not kept in the entity: EclipseLink's shared cache clones whole objects, transient fields
    // included, and would hand this blob out after a password change.
    a.forgetNewWrappedSecret();
    return a;
  }

  public void recordFailure(String username, int maxFailures, Instant lockUntil) {
    byUsername(username).ifPresent(a -> {
      int n = a.getFailedLogins() + 1;
      if (n >= maxFailures) {
        a.setFailedLogins(0);
        a.setLockedUntil(lockUntil);
      } else {
        a.setFailedLogins(n);
      }
    });
  }

  public void recordSuccess(String username) {
    byUsername(username).ifPresent(a -> {
      a.setFailedLogins(0);
      a.setLockedUntil(null);
      a.setLastLogin(Instant.now());
    });
  }

  /** Password change: the blob is overwritten in place, no copy the old password opens remains. */
  public void replaceWrappedSecret(String username, byte[] wrapped) {
    Account a = byUsername(username).orElseThrow();
    if (a.secretInStore()) {
      secrets().replace(a.getIndexHex(), wrapped);
    } else {
      secrets().create(a.getIndexHex(), wrapped);
      a.markSecretInStore();
    }
  }

  @Transactional(Transactional.TxType.REQUIRES_NEW) // committed before the caller erases the secret
  public void delete(String username) {
    byUsername(username).ifPresent(em::remove);
    em.createNamedQuery("Inbox.deleteUser").setParameter("u", username).executeUpdate();
    em.createNamedQuery("TreatmentMember.deleteUser").setParameter("u", username).executeUpdate();
    em.createNamedQuery("PatientConsent.deleteUser").setParameter("u", username).executeUpdate();
  }

  public Optional<PendingTag> pendingTag(String kappa0) {
    return Optional.ofNullable(em.find(PendingTag.class, kappa0));
  }

  public void savePendingTag(String kappa0, byte[] tag) {
    if (em.find(PendingTag.class, kappa0) != null) return;
    PendingTag t = new PendingTag();
    t.setKappa0(kappa0);
    t.setTag(tag);
    t.setBuiltAt(Instant.now());
    em.persist(t);
  }

  public void dropPendingTag(String kappa0) {
    PendingTag t = em.find(PendingTag.class, kappa0);
    if (t != null) em.remove(t);
  }

  // --- registration status, secrets at rest, durability (issue 10 items 4 and 8) ---

  /** Taken by a completed or a pending registration. */
  public boolean usernameTaken(String username) {
    return em.createNamedQuery("Account.anyByUsername", Account.class).setParameter("u", username)
        .getResultStream().findFirst().isPresent();
  }

  public boolean indexTaken(String indexHex) {
    return em.createNamedQuery("Account.anyByIndex", Account.class).setParameter("i", indexHex)
        .getResultStream().findFirst().isPresent();
  }

  public List<Account> pending() {
    return em.createNamedQuery("Account.pending", Account.class).getResultList();
  }

  /** PENDING → ACTIVE once the ledger has the registration (or none is needed); committed on return. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void complete(String username, String registrationTx) {
    em.createNamedQuery("Account.anyByUsername", Account.class).setParameter("u", username).getResultStream()
        .findFirst().ifPresent(a -> {
          a.setStatus(AccountStatus.ACTIVE);
          if (registrationTx != null) a.setRegistrationTx(registrationTx);
        });
  }

  /** Any account by name, whatever its status. */
  public Optional<Account> anyByUsername(String username) {
    return em.createNamedQuery("Account.anyByUsername", Account.class).setParameter("u", username)
        .getResultStream().findFirst();
  }

  /** Professional sign-ups waiting for the administrator, oldest first. */
  public List<Account> awaitingApproval() {
    return em.createNamedQuery("Account.awaiting", Account.class).getResultList();
  }

  /** AWAITING → APPROVED with the name and institution the administrator vouches for. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean approve(String username, String displayName, String institution, String admin) {
    Optional<Account> a = anyByUsername(username).filter(x -> x.getStatus() == AccountStatus.AWAITING);
    a.ifPresent(x -> {
      x.setDisplayName(displayName);
      x.setInstitution(institution);
      x.setApprovedBy(admin);
      x.setStatus(AccountStatus.APPROVED);
    });
    return a.isPresent();
  }

  /** Removes a sign-up the administrator refused; returns its index (for its wrapped σ). */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public Optional<String> refuse(String username) {
    Optional<Account> a = anyByUsername(username).filter(x -> x.getStatus() == AccountStatus.AWAITING);
    a.ifPresent(em::remove);
    return a.map(Account::getIndexHex);
  }

  /** APPROVED → PENDING with its new certificate, before the ledger write; committed on return. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void certify(String username, String certificatePem) {
    Account a = anyByUsername(username).filter(x -> x.getStatus() == AccountStatus.APPROVED).orElseThrow(
        () -> new IllegalStateException("no approved account " + username));
    a.setCertificatePem(certificatePem);
    a.setStatus(AccountStatus.PENDING);
  }

  /** PENDING → APPROVED: an approved account's ledger write failed; the next login tries again. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void backToApproved(String username) {
    anyByUsername(username).filter(Account::isPending).ifPresent(a -> {
      a.setCertificatePem("");
      a.setStatus(AccountStatus.APPROVED);
    });
  }

  /** Removes a PENDING account's row (the registration is rolled back); returns its index. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public Optional<String> discardPending(String username) {
    Optional<Account> a = em.createNamedQuery("Account.anyByUsername", Account.class).setParameter("u", username)
        .getResultStream().findFirst().filter(Account::isPending);
    a.ifPresent(em::remove);
    return a.map(Account::getIndexHex);
  }

  /** After the row is gone: the wrapped σ is overwritten with zeros and removed. */
  @Transactional(Transactional.TxType.NOT_SUPPORTED)
  public void eraseWrappedSecret(String indexHex) {
    secrets().erase(indexHex);
  }

  /** Finishes password changes a crash interrupted (see {@link WrappedSecretStore#recover()}). */
  @Transactional(Transactional.TxType.NOT_SUPPORTED)
  public int recoverWrappedSecrets() {
    return secrets().recover();
  }

  /** Accounts created before the store: their blob moves out of the database. Returns how many. */
  public int moveSecretsToStore() {
    int moved = 0;
    for (Account a : all()) {
      if (a.secretInStore()) continue;
      if (!secrets().exists(a.getIndexHex())) secrets().create(a.getIndexHex(), a.secretColumn());
      a.markSecretInStore();
      moved++;
    }
    return moved;
  }

  /** Wrapped σ without an account row (a crash between the two writes): erased. Returns how many. */
  public int eraseOrphanSecrets() {
    int erased = 0;
    for (String index : secrets().indexes()) {
      if (!indexTaken(index)) {
        secrets().erase(index);
        erased++;
      }
    }
    return erased;
  }

  /**
   * H2 only (PostgreSQL syncs each commit unless an operator turned synchronous_commit off):
   * forces what was committed to the disk, so that an acknowledged registration survives a
   * crash or a power cut, not only a killed JVM.
   */
  @Transactional(Transactional.TxType.NOT_SUPPORTED)
  public void syncToDisk() {
    try (Connection c = dataSource.getConnection()) {
      if (!isH2(c)) return;
      try (Statement s = c.createStatement()) {
        s.execute("CHECKPOINT SYNC");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot sync the portal database to disk: " + e.getMessage(), e);
    }
  }

  /**
   * H2 only: WRITE_DELAY 0, so that a commit is written to the file before it returns (H2's
   * default, 500 ms, acknowledges commits that only a background thread writes later). The JDBC
   * URL defaults already say so; this covers a URL an operator wrote without it. Returns the
   * previous value, or -1 if nothing was changed.
   */
  @Transactional(Transactional.TxType.NOT_SUPPORTED)
  public int requireImmediateWrites() {
    try (Connection c = dataSource.getConnection()) {
      if (!isH2(c)) return -1;
      int delay;
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(
              "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
        delay = r.next() ? Integer.parseInt(r.getString(1).trim()) : -1;
      }
      if (delay == 0) return -1;
      try (Statement s = c.createStatement()) {
        s.execute("SET WRITE_DELAY 0");
      }
      return delay;
    } catch (SQLException | NumberFormatException e) {
      LOG.warning(() -> "could not check H2's WRITE_DELAY: " + e.getMessage());
      return -1;
    }
  }

  private static boolean isH2(Connection c) throws SQLException {
    return "H2".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
  }
}
