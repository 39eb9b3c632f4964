package org.medledger.portal.application.fhir;

import java.util.Arrays;
import java.util.List;
import org.medledger.core.record.Role;

/**
 * What a structured record is, in people's words, the role that writes it, and the FHIR R4
 * resource it becomes (docs/protocol.md §Content of a record).
 */
public enum Kind {
  DIAGNOSIS(Role.DOCTOR, "Diagnosis", "Condition"),
  PRESCRIPTION(Role.DOCTOR, "Prescription", "MedicationRequest"),
  /** A lab value or a vital sign (LOINC-coded, with its unit). */
  OBSERVATION(Role.DOCTOR, "Observation", "Observation"),
  PROCEDURE(Role.DOCTOR, "Procedure", "Procedure"),
  /** A PDF or an image the doctor attaches; its bytes travel inside the encrypted record. */
  ATTACHMENT(Role.DOCTOR, "Attachment", "DocumentReference"),
  /** A MedicationDispense and, when there is a charge, its ChargeItem, together in one Bundle. */
  DISPENSING(Role.PHARMACIST, "Dispensing", "MedicationDispense"),
  DECISION(Role.INSURER, "Insurance decision", "ClaimResponse");

  private final Role writer;
  private final String title;
  private final String resourceType;

  Kind(Role writer, String title, String resourceType) {
    this.writer = writer;
    this.title = title;
    this.resourceType = resourceType;
  }

  public Role writer() { return writer; }
  public String title() { return title; }
  public String resourceType() { return resourceType; }

  /** The kinds {@code role} writes, the first being the form's default. */
  public static List<Kind> of(Role role) {
    return Arrays.stream(values()).filter(k -> k.writer == role).toList();
  }
}
