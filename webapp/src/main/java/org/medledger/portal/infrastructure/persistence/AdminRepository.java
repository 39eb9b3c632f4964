package org.medledger.portal.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** JPA access to administrators, the setup code and invitations; one transaction per call. */
@ApplicationScoped
@Transactional
public class AdminRepository {
  /** Invitations are read from the database, never from the shared cache: single use is the database's word. */
  private static final java.util.Map<String, Object> FRESH =
      java.util.Map.of("jakarta.persistence.cache.retrieveMode", jakarta.persistence.CacheRetrieveMode.BYPASS);

  @PersistenceContext(unitName = "medledger")
  EntityManager em;

  public long administratorCount() {
    return em.createQuery("select count(a) from Administrator a", Long.class).getSingleResult();
  }

  public Optional<Administrator> administrator(String username) {
    return Optional.ofNullable(em.find(Administrator.class, username));
  }

  public void recordLogin(String username) {
    Administrator a = em.find(Administrator.class, username);
    if (a != null) a.setLastLogin(Instant.now());
  }

  /** Replaces any earlier setup code by this one (only the newest printed code works). */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void replaceSetupCode(String codeHash) {
    em.createQuery("delete from SetupCode s").executeUpdate();
    SetupCode s = new SetupCode();
    s.setCodeHash(codeHash);
    s.setCreatedAt(Instant.now());
    em.persist(s);
  }

  /**
   * Uses the setup code and creates the administrator in one transaction: the code's row is
   * deleted by this statement only if it is there, so two simultaneous uses cannot both pass.
   * Returns false (nothing written) when the code is unknown or already used.
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean createWithSetupCode(String codeHash, Administrator admin) {
    int used = em.createQuery("delete from SetupCode s where s.codeHash = :h").setParameter("h", codeHash).executeUpdate();
    if (used != 1) return false;
    em.persist(admin);
    em.flush();
    return true;
  }

  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void insertInvitation(Invitation i) {
    em.persist(i);
  }

  public Optional<Invitation> invitation(String codeHash) {
    return Optional.ofNullable(em.find(Invitation.class, codeHash, FRESH));
  }

  public List<Invitation> invitations() {
    return em.createQuery("select i from Invitation i order by i.createdAt desc", Invitation.class)
        .setHint("jakarta.persistence.cache.retrieveMode", jakarta.persistence.CacheRetrieveMode.BYPASS).getResultList();
  }

  /**
   * Claims an open invitation for {@code username}: the one statement that sets usedBy where it
   * is still empty makes it single use even under concurrent requests (only string columns in
   * the statement: no converter involved). Returns false when it is used, withdrawn, expired
   * or unknown.
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean claim(String codeHash, String username, Instant now) {
    Invitation i = em.find(Invitation.class, codeHash, FRESH);
    if (i == null || i.isWithdrawn() || !i.getExpiresAt().isAfter(now)) return false;
    int n = em.createQuery("update Invitation i set i.usedBy = :u where i.codeHash = :h and i.usedBy is null")
        .setParameter("u", username).setParameter("h", codeHash).executeUpdate();
    if (n != 1) return false;
    em.refresh(i);
    i.setUsedAt(now);
    return true;
  }

  /** Gives a claimed invitation back (the registration it was claimed for failed). */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void release(String codeHash, String username) {
    Invitation i = em.find(Invitation.class, codeHash, FRESH);
    if (i != null && username.equals(i.getUsedBy())) {
      i.setUsedBy(null);
      i.setUsedAt(null);
    }
  }

  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean withdraw(String codeHash) {
    Invitation i = em.find(Invitation.class, codeHash, FRESH);
    if (i == null || i.getUsedBy() != null) return false;
    i.setWithdrawn(true);
    return true;
  }
}
