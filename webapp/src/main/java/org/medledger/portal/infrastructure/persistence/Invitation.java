package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.medledger.core.record.Role;

/**
 * An administrator's invitation of one professional: the role, display name and institution the
 * certificate will carry, bound to a code given once to the administrator (kept here only as
 * its SHA-256). Single use (usedAt/usedBy) and expiring.
 */
@Entity
@jakarta.persistence.Cacheable(false)
@Table(name = "ml_invitation")
public class Invitation {
  @Id
  @Column(length = 64)
  private String codeHash;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private Role role;

  @Column(nullable = false, length = 128)
  private String displayName;

  @Column(nullable = false, length = 128)
  private String institution;

  @Column(nullable = false, length = 64)
  private String createdBy;

  @Column(nullable = false)
  private Instant createdAt;

  @Column(nullable = false)
  private Instant expiresAt;

  private Instant usedAt;

  @Column(length = 64)
  private String usedBy;

  private boolean withdrawn;

  public String getCodeHash() { return codeHash; }
  public void setCodeHash(String v) { codeHash = v; }
  public Role getRole() { return role; }
  public void setRole(Role v) { role = v; }
  public String getDisplayName() { return displayName; }
  public void setDisplayName(String v) { displayName = v; }
  public String getInstitution() { return institution; }
  public void setInstitution(String v) { institution = v; }
  public String getCreatedBy() { return createdBy; }
  public void setCreatedBy(String v) { createdBy = v; }
  public Instant getCreatedAt() { return createdAt; }
  public void setCreatedAt(Instant v) { createdAt = v; }
  public Instant getExpiresAt() { return expiresAt; }
  public void setExpiresAt(Instant v) { expiresAt = v; }
  public Instant getUsedAt() { return usedAt; }
  public void setUsedAt(Instant v) { usedAt = v; }
  public String getUsedBy() { return usedBy; }
  public void setUsedBy(String v) { usedBy = v; }
  public boolean isWithdrawn() { return withdrawn; }
  public void setWithdrawn(boolean v) { withdrawn = v; }
}
