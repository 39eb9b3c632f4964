package org.medledger.portal.application.fhir;

import java.io.Serializable;

/**
 * What the treatment page's structured form holds (one per writer role, docs/portal.md "The
 * treatment page"). Strings as typed; {@link ClinicalRecords} checks them and names the field of
 * any mistake. When every structured field of the chosen kind is empty, the note alone is
 * stored as text, as records were before.
 */
public class ClinicalForm implements Serializable {
  private static final long serialVersionUID = 1L;

  private Kind kind;
  // diagnosis
  private String diagnosisCode;
  private String diagnosisText;
  // observation and procedure
  private String observationCode;
  private String value;
  private String procedureCode;
  // prescription and dispensing
  private String medication;
  private String dose;
  private String timesPerDay;
  private String days;
  private String quantity;
  // dispensing charge and insurance decision
  private String currency = "EUR";
  private String charge;
  private String outcome;
  private String claimed;
  private String covered;
  // attachment: the file as checked by AttachedFile.of (the page reads the upload)
  private AttachedFile attachment;
  // every kind
  private String note;

  public ClinicalForm() {}

  public ClinicalForm(Kind kind) {
    this.kind = kind;
  }

  /** True when the chosen kind's structured fields are all empty (the note does not count). */
  public boolean structuredEmpty() {
    if (kind == null) return true;
    return switch (kind) {
      case DIAGNOSIS -> blank(diagnosisCode) && blank(diagnosisText);
      case PRESCRIPTION -> blank(medication) && blank(dose) && blank(timesPerDay) && blank(days);
      case OBSERVATION -> blank(observationCode) && blank(value);
      case PROCEDURE -> blank(procedureCode);
      case ATTACHMENT -> attachment == null;
      case DISPENSING -> blank(medication) && blank(quantity) && blank(days) && blank(charge);
      case DECISION -> blank(outcome) && blank(claimed) && blank(covered);
    };
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  public Kind getKind() { return kind; }
  public void setKind(Kind v) { kind = v; }
  public String getDiagnosisCode() { return diagnosisCode; }
  public void setDiagnosisCode(String v) { diagnosisCode = v; }
  public String getDiagnosisText() { return diagnosisText; }
  public void setDiagnosisText(String v) { diagnosisText = v; }
  public String getObservationCode() { return observationCode; }
  public void setObservationCode(String v) { observationCode = v; }
  public String getValue() { return value; }
  public void setValue(String v) { value = v; }
  public String getProcedureCode() { return procedureCode; }
  public void setProcedureCode(String v) { procedureCode = v; }
  public String getMedication() { return medication; }
  public void setMedication(String v) { medication = v; }
  public String getDose() { return dose; }
  public void setDose(String v) { dose = v; }
  public String getTimesPerDay() { return timesPerDay; }
  public void setTimesPerDay(String v) { timesPerDay = v; }
  public String getDays() { return days; }
  public void setDays(String v) { days = v; }
  public String getQuantity() { return quantity; }
  public void setQuantity(String v) { quantity = v; }
  public String getCurrency() { return currency; }
  public void setCurrency(String v) { currency = v; }
  public String getCharge() { return charge; }
  public void setCharge(String v) { charge = v; }
  public String getOutcome() { return outcome; }
  public void setOutcome(String v) { outcome = v; }
  public String getClaimed() { return claimed; }
  public void setClaimed(String v) { claimed = v; }
  public String getCovered() { return covered; }
  public void setCovered(String v) { covered = v; }
  public AttachedFile getAttachment() { return attachment; }
  public void setAttachment(AttachedFile v) { attachment = v; }
  public String getNote() { return note; }
  public void setNote(String v) { note = v; }
}
