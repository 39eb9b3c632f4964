package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A consent a local patient made (the QR code she hands her doctor), kept so she can show it
 * again or withdraw it until a doctor opens a treatment with it. Holds no secret (the consent is
 * signed, not encrypted), but it names the patient's key in that treatment, so it is deleted with
 * the account. {@code kappa0} is set once the ledger shows the treatment it opened,
 * {@code withdrawnAt} once her withdrawal is on the ledger.
 */
@Entity
@Table(name = "ml_patient_consent")
@NamedQuery(name = "PatientConsent.ofUser",
    query = "select c from PatientConsent c where c.username = :u order by c.madeAt desc")
@NamedQuery(name = "PatientConsent.deleteUser", query = "delete from PatientConsent c where c.username = :u")
public class PatientConsent {
  @Id
  @Column(length = 32)
  private String consentId;

  @Column(nullable = false, length = 64)
  private String username;

  @Column(nullable = false, length = 16)
  private String doctorIndex;

  /** The consent record (0x08), as RecordCodec encodes it. */
  @Lob
  @Column(nullable = false)
  private byte[] consent;

  /** The QR code's text, exactly as the patient got it. */
  @Lob
  @Column(nullable = false)
  private String text;

  @Column(nullable = false)
  private Instant madeAt;

  private Instant withdrawnAt;

  @Column(length = 64)
  private String kappa0;

  public PatientConsent() {}

  public PatientConsent(String consentId, String username, String doctorIndex, byte[] consent, String text, Instant madeAt) {
    this.consentId = consentId;
    this.username = username;
    this.doctorIndex = doctorIndex;
    this.consent = consent.clone();
    this.text = text;
    this.madeAt = madeAt;
  }

  public String getConsentId() { return consentId; }
  public String getUsername() { return username; }
  public String getDoctorIndex() { return doctorIndex; }
  public byte[] getConsent() { return consent.clone(); }
  public String getText() { return text; }
  public Instant getMadeAt() { return madeAt; }
  public Instant getWithdrawnAt() { return withdrawnAt; }
  public void setWithdrawnAt(Instant v) { withdrawnAt = v; }
  public String getKappa0() { return kappa0; }
  public void setKappa0(String v) { kappa0 = v; }
}
