package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A treatment's cover as sealed in the patient's QR code (docs/protocol.md §Cover), kept by the
 * patient's portal (her copy, for as long as she has the account) and by the doctor's portal
 * (until the doctor's first txd carries it onto the ledger). Only the patient's and the
 * doctor's σ open it, so the database holds nothing readable. One row per holder: the id is the
 * consent id (hex) and the holder's index in the treatment, so the patient's and the doctor's
 * copies stay apart when both use the same portal.
 */
@Entity
@Table(name = "ml_sealed_cover")
public class SealedCover {
  @Id
  @Column(length = 64)
  private String id;

  @Lob
  @Column(nullable = false)
  private byte[] box;

  @Column(nullable = false)
  private Instant savedAt;

  public String getId() { return id; }
  public void setId(String v) { id = v; }
  public byte[] getBox() { return box.clone(); }
  public void setBox(byte[] v) { box = v.clone(); }
  public Instant getSavedAt() { return savedAt; }
  public void setSavedAt(Instant v) { savedAt = v; }
}
