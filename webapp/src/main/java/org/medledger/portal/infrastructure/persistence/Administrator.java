package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A portal administrator: vouches for professionals of this portal's institution (invitations,
 * approvals). Not a ledger participant: no σ, no certificate. The password is checked by
 * unwrapping a random secret wrapped under it (Argon2id, the same as an account's σ), so no
 * second password-hash scheme exists; the secret itself is never used.
 */
@Entity
@jakarta.persistence.Cacheable(false)
@Table(name = "ml_administrator")
public class Administrator {
  @Id
  @Column(length = 64)
  private String username;

  @Lob
  @Column(nullable = false)
  private byte[] passwordCheck;

  @Column(nullable = false)
  private Instant createdAt;

  private Instant lastLogin;

  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public byte[] getPasswordCheck() { return passwordCheck.clone(); }
  public void setPasswordCheck(byte[] v) { passwordCheck = v.clone(); }
  public Instant getCreatedAt() { return createdAt; }
  public void setCreatedAt(Instant v) { createdAt = v; }
  public Instant getLastLogin() { return lastLogin; }
  public void setLastLogin(Instant v) { lastLogin = v; }
}
