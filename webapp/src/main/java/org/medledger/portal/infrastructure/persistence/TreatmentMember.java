package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A local patient's or family member's index in one treatment, ind_x' (docs/protocol.md
 * §Per-treatment identities): the portal finds it when the treatment's txtc event arrives, by
 * blinding the account's public key with the consent id, and keeps it here so the treatment's
 * later events (addressed to ind_x') reach the account's inbox. Rebuilt by replaying the
 * ledger's events; holds nothing secret, but it is what links the account's treatments, so it
 * is deleted with the account.
 */
@Entity
@Table(name = "ml_treatment_member")
@NamedQuery(name = "TreatmentMember.deleteUser", query = "delete from TreatmentMember m where m.username = :u")
public class TreatmentMember {
  @Id
  @Column(length = 16)
  private String indexHex;

  @Column(nullable = false, length = 64)
  private String username;

  @Column(nullable = false, length = 64)
  private String kappa0;

  public TreatmentMember() {}

  public TreatmentMember(String indexHex, String username, String kappa0) {
    this.indexHex = indexHex;
    this.username = username;
    this.kappa0 = kappa0;
  }

  public String getIndexHex() { return indexHex; }
  public String getUsername() { return username; }
  public String getKappa0() { return kappa0; }
}
