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
 * A local account: the certificate issued to the signing key derived from σ, the login
 * throttle and the registration's status. σ wrapped under the password (never σ itself) lives
 * in the {@link WrappedSecretStore}, not in the database (see there why); the column that held
 * it keeps {@link #SECRET_IN_STORE} for such accounts, or the blob of an account created before
 * the store existed until start-up moves it (PendingRegistrations).
 *
 * <p>The lookups by user name and index see completed accounts only: a PENDING one cannot log in
 * and is nobody's recipient; {@code Account.anyByUsername} sees it, so its name stays taken.
 */
@Entity
@Table(name = "ml_account")
@NamedQuery(name = "Account.byUsername", query = "select a from Account a where a.username = :u"
    + " and (a.status is null or a.status = org.medledger.portal.infrastructure.persistence.AccountStatus.ACTIVE)")
@NamedQuery(name = "Account.byIndex", query = "select a from Account a where a.indexHex = :i"
    + " and (a.status is null or a.status = org.medledger.portal.infrastructure.persistence.AccountStatus.ACTIVE)")
@NamedQuery(name = "Account.count", query = "select count(a) from Account a")
@NamedQuery(name = "Account.anyByUsername", query = "select a from Account a where a.username = :u")
@NamedQuery(name = "Account.anyByIndex", query = "select a from Account a where a.indexHex = :i")
@NamedQuery(name = "Account.awaiting", query = "select a from Account a"
    + " where a.status = org.medledger.portal.infrastructure.persistence.AccountStatus.AWAITING order by a.id")
@NamedQuery(name = "Account.pending", query = "select a from Account a"
    + " where a.status = org.medledger.portal.infrastructure.persistence.AccountStatus.PENDING order by a.id")
public class Account {
  /** The value of the wrappedSecret column once the blob lives in the {@link WrappedSecretStore}. */
  static final byte[] SECRET_IN_STORE = {0};

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

  /** Historical column name; see {@link #SECRET_IN_STORE}. */
  @Column(name = "wrappedSecret", nullable = false, length = 128)
  private byte[] secretColumn;

  /** A new account's blob until the repository has stored it. */
  @jakarta.persistence.Transient
  private byte[] newWrappedSecret;

  @Enumerated(EnumType.STRING)
  @Column(length = 16)
  private AccountStatus status;

  @Column(length = 128)
  private String registrationTx;

  /** The administrator who approved this sign-up (null for invited and pseudonymous accounts). */
  @Column(length = 64)
  private String approvedBy;

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
  /** σ wrapped under the password, read from the {@link WrappedSecretStore} on each call. */
  public byte[] getWrappedSecret() {
    if (newWrappedSecret != null) return newWrappedSecret.clone();
    if (!secretInStore()) return secretColumn.clone(); // an account from before the store, not yet moved
    return WrappedSecretStore.forPortal().read(indexHex);
  }
  /** For a new account: {@link AccountRepository#insert} stores it. */
  public void setWrappedSecret(byte[] v) {
    newWrappedSecret = v.clone();
    secretColumn = SECRET_IN_STORE.clone();
  }
  boolean secretInStore() { return java.util.Arrays.equals(secretColumn, SECRET_IN_STORE); }
  byte[] newWrappedSecret() { return newWrappedSecret; }
  void forgetNewWrappedSecret() { newWrappedSecret = null; }
  byte[] secretColumn() { return secretColumn.clone(); }
  void markSecretInStore() { secretColumn = SECRET_IN_STORE.clone(); }
  public AccountStatus getStatus() { return status == null ? AccountStatus.ACTIVE : status; }
  public void setStatus(AccountStatus v) { status = v; }
  public boolean isPending() { return status == AccountStatus.PENDING; }
  public String getRegistrationTx() { return registrationTx; }
  public void setRegistrationTx(String v) { registrationTx = v; }
  public String getApprovedBy() { return approvedBy; }
  public void setApprovedBy(String v) { approvedBy = v; }
  public int getFailedLogins() { return failedLogins; }
  public void setFailedLogins(int v) { failedLogins = v; }
  public Instant getLockedUntil() { return lockedUntil; }
  public void setLockedUntil(Instant v) { lockedUntil = v; }
  public Instant getLastLogin() { return lastLogin; }
  public void setLastLogin(Instant v) { lastLogin = v; }
  public Instant getCreatedAt() { return createdAt; }
  public void setCreatedAt(Instant v) { createdAt = v; }
}
