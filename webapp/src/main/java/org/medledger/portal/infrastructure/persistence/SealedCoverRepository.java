package org.medledger.portal.infrastructure.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;

/** The sealed covers this portal keeps ({@link SealedCover}); one transaction per call. */
@ApplicationScoped
@Transactional
public class SealedCoverRepository {
  @PersistenceContext(unitName = "medledger")
  EntityManager em;

  public Optional<byte[]> find(String id) {
    return Optional.ofNullable(em.find(SealedCover.class, id)).map(SealedCover::getBox);
  }

  /** Keeps the first copy: a later one for the same consent and holder changes nothing. */
  public void save(String id, byte[] box) {
    if (em.find(SealedCover.class, id) != null) return;
    SealedCover c = new SealedCover();
    c.setId(id);
    c.setBox(box);
    c.setSavedAt(Instant.now());
    em.persist(c);
  }

  public void drop(String id) {
    SealedCover c = em.find(SealedCover.class, id);
    if (c != null) em.remove(c);
  }
}
