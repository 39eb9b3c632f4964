package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The one-time code that creates the first administrator, stored as its SHA-256 (the code is
 * 128 random bits, so a plain hash resists guessing). At most one row; removed when used.
 */
@Entity
@jakarta.persistence.Cacheable(false)
@Table(name = "ml_setup_code")
public class SetupCode {
  @Id
  @Column(length = 64)
  private String codeHash;

  @Column(nullable = false)
  private Instant createdAt;

  public String getCodeHash() { return codeHash; }
  public void setCodeHash(String v) { codeHash = v; }
  public Instant getCreatedAt() { return createdAt; }
  public void setCreatedAt(Instant v) { createdAt = v; }
}
