package org.medledger.portal.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** JPA access to accounts, pending tags; one transaction per call. */
@ApplicationScoped
@Transactional
public class AccountRepository {
  @PersistenceContext(unitName = "medledger")
  EntityManager em;

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

  public Account insert(Account a) {
    em.persist(a);
    em.flush();
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

  public void replaceWrappedSecret(String username, byte[] wrapped) {
    byUsername(username).orElseThrow().setWrappedSecret(wrapped);
  }

  public void delete(String username) {
    byUsername(username).ifPresent(em::remove);
    em.createNamedQuery("Inbox.deleteUser").setParameter("u", username).executeUpdate();
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
}
