package org.medledger.portal.application.casefile;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.medledger.portal.application.TreatmentService.RecordView;

/**
 * A treatment's case file as one member prints or downloads it: what it is about and whose it
 * is, who printed it and when, and every record in ledger order with its ledger evidence. The
 * page and the PDF show the same thing from this one model.
 *
 * @param kappa0Hex the treatment's ledger key (for the evidence part only)
 * @param heading title and patient identity, from {@link TreatmentHeading}
 * @param patientMember the patient as the reader sees the member today (a pseudonym such as
 *     "Patient 6379ca"), shown when the heading names no patient
 * @param openedAt when the treatment was opened (its first record)
 * @param printedAt when this case file was made
 * @param zone the reader's time zone: every time in the case file is shown in it
 * @param records every record, decrypted for the reader, each with its evidence
 */
public record CaseFile(String kappa0Hex, Heading heading, String patientMember, Instant openedAt, PrintedBy printedBy,
    Instant printedAt, ZoneId zone, List<RecordView> records) {

  public CaseFile {
    Objects.requireNonNull(kappa0Hex, "kappa0Hex");
    Objects.requireNonNull(heading, "heading");
    Objects.requireNonNull(printedBy, "printedBy");
    Objects.requireNonNull(printedAt, "printedAt");
    Objects.requireNonNull(zone, "zone");
    records = List.copyOf(records);
  }

  /** The treatment's title ("Appendicitis, March 2026", or today "Treatment with Dr. Claire Dubois"). */
  public String title() {
    return heading.title();
  }

  /** The patient's name from the treatment's identity, or else the member as the reader sees them. */
  public String patientName() {
    return heading.patient().map(Patient::name).orElse(patientMember == null ? "" : patientMember);
  }

  public Optional<LocalDate> patientBirthDate() {
    return heading.patient().flatMap(Patient::birthDate);
  }

  /** What a treatment is about and whose it is, as its members may know it. */
  public record Heading(String title, Optional<Patient> patient) {
    public Heading {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(patient, "patient");
    }
  }

  /** The patient's identity, shared with the treatment's members only (encrypted under its key). */
  public record Patient(String name, Optional<LocalDate> birthDate) {
    public Patient {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(birthDate, "birthDate");
    }
  }

  /** The reader who printed the case file: "Frank Weber, Lawyer, Weber &amp; Partners". */
  public record PrintedBy(String name, String role, String institution) {
    /** "Frank Weber (Lawyer, Weber &amp; Partners)"; the institution is left out when there is none. */
    public String describe() {
      boolean inst = institution != null && !institution.isBlank();
      return name + " (" + role + (inst ? ", " + institution : "") + ")";
    }
  }
}
