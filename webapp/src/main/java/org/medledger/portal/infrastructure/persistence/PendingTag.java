package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The public SIFF tag the doctor built, kept until the first txd carries it onto the ledger.
 * Public data: it reveals neither the key nor any initial string.
 */
@Entity
@Table(name = "ml_pending_tag")
public class PendingTag {
  @Id
  @Column(length = 64)
  private String kappa0;

  @Lob
  @Column(nullable = false)
  private byte[] tag;

  @Column(nullable = false)
  private Instant builtAt;

  public String getKappa0() { return kappa0; }
  public void setKappa0(String v) { kappa0 = v; }
  public byte[] getTag() { return tag.clone(); }
  public void setTag(byte[] v) { tag = v.clone(); }
  public Instant getBuiltAt() { return builtAt; }
  public void setBuiltAt(Instant v) { builtAt = v; }
}
