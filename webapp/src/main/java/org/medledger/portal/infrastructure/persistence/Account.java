package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import org.medledger.core.record.Role;

/**
 * A local account: σ wrapped under the password (never σ itself), the certificate issued to
 * the signing key derived from σ, and the login throttle.
 */
@Entity
@Table(name = "ml_account")
@NamedQuery(name = "Account.byUsername", query = "select a from Account a where a.username = :u")
@NamedQuery(name = "Account.byIndex", query = "select a from Account a where a.indexHex = :i")
@NamedQuery(name = "Account.count", query = "select count(a) from Account a")
public class Account {
  @Id
  @GeneratedValue(strategy = GenerationType.TABLE)
  private Long id;

  @Column(nullable = false, unique = true, length = 64)
  private String username;

  @Column(nullable = false, length = 128)
  private String displayName;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private Role role;

  @Column(nullable = false, length = 128)
  private String institution;

  @Column(nullable = false, length = 64)
  private String mspId;

  @Column(nullable = false, unique = true, length = 16)
  private String indexHex;

  @Column(nullable = false, length = 33)
  private byte[] publicKey;

  @Lob
  @Column(nullable = false)
  private String certificatePem;

  @Column(nullable = false, length = 128)
  private byte[] wrappedSecret;

  @Column(length = 128)
  private String registrationTx;

  private int failedLogins;
  private Instant lockedUntil;
  private Instant lastLogin;

  @Column(nullable = false)
  private Instant createdAt;

  public Long getId() { return id; }
  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public String getDisplayName() { return displayName; }
  public void setDisplayName(String v) { displayName = v; }
  public Role getRole() { return role; }
  public void setRole(Role v) { role = v; }
  public String getInstitution() { return institution; }
  public void setInstitution(String v) { institution = v; }
  public String getMspId() { return mspId; }
  public void setMspId(String v) { mspId = v; }
  public String getIndexHex() { return indexHex; }
  public void setIndexHex(String v) { indexHex = v; }
  public byte[] getPublicKey() { return publicKey.clone(); }
  public void setPublicKey(byte[] v) { publicKey = v.clone(); }
  public String getCertificatePem() { return certificatePem; }
  public void setCertificatePem(String v) { certificatePem = v; }
  public byte[] getWrappedSecret() { return wrappedSecret.clone(); }
  public void setWrappedSecret(byte[] v) { wrappedSecret = v.clone(); }
  public String getRegistrationTx() { return registrationTx; }
  public void setRegistrationTx(String v) { registrationTx = v; }
  public int getFailedLogins() { return failedLogins; }
  public void setFailedLogins(int v) { failedLogins = v; }
  public Instant getLockedUntil() { return lockedUntil; }
  public void setLockedUntil(Instant v) { lockedUntil = v; }
  public Instant getLastLogin() { return lastLogin; }
  public void setLastLogin(Instant v) { lastLogin = v; }
  public Instant getCreatedAt() { return createdAt; }
  public void setCreatedAt(Instant v) { createdAt = v; }
}
