package org.medledger.portal.infrastructure.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.ClaimResponse;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.RecordContent;
import org.medledger.core.record.Role;
import org.medledger.portal.application.fhir.Authoring;
import org.medledger.portal.application.fhir.ClinicalForm;
import org.medledger.portal.application.fhir.InvalidRecordException;
import org.medledger.portal.application.fhir.Kind;
import org.medledger.portal.application.fhir.Readable;

/** Resources from the forms: built, validated by HAPI (R4 schemas and the base profiles' invariants), read back in people's words. */
class FhirResourcesTest {
  private static final FhirResources FHIR = new FhirResources();
  private static final Instant AT = Instant.parse("2026-03-14T09:30:00Z");

  private static Authoring by(Role role, String name) {
    return new Authoring("8f3a2b1c4d5e6f70", "Anna Example", "0123456789abcdef", name, "St. Mary's Hospital", role, AT);
  }

  static ClinicalForm diagnosis() {
    ClinicalForm f = new ClinicalForm(Kind.DIAGNOSIS);
    f.setDiagnosisCode("K35.8");
    f.setNote("Pain in the right lower quadrant since yesterday.");
    return f;
  }

  static ClinicalForm prescription() {
    ClinicalForm f = new ClinicalForm(Kind.PRESCRIPTION);
    f.setMedication("J01CA04");
    f.setDose("1");
    f.setTimesPerDay("3");
    f.setDays("7");
    return f;
  }

  static ClinicalForm dispensing() {
    ClinicalForm f = new ClinicalForm(Kind.DISPENSING);
    f.setMedication("J01CA04");
    f.setQuantity("21");
    f.setDays("7");
    f.setCharge("12.50");
    return f;
  }

  static ClinicalForm decision() {
    ClinicalForm f = new ClinicalForm(Kind.DECISION);
    f.setOutcome("PARTLY");
    f.setClaimed("1250");
    f.setCovered("1000.00");
    f.setNote("The second night is not covered.");
    return f;
  }

  private static String json(RecordContent c) {
    assertThat(c.contentType()).isEqualTo("application/fhir+json;fhirVersion=4.0");
    return new String(c.body(), StandardCharsets.UTF_8);
  }

  @Test
  void aDiagnosisIsAConditionCodedInIcd10() {
    RecordContent c = FHIR.build(diagnosis(), by(Role.DOCTOR, "Dr. Claire Dubois"));
    Condition r = (Condition) FHIR.parse(json(c));
    assertThat(r.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://hl7.org/fhir/sid/icd-10");
    assertThat(r.getCode().getCodingFirstRep().getCode()).isEqualTo("K35.8");
    assertThat(r.getSubject().getIdentifier().getValue()).isEqualTo("8f3a2b1c4d5e6f70");
    assertThat(r.getSubject().getDisplay()).isEqualTo("Anna Example");
    Readable read = FHIR.read(c);
    assertThat(read.kind()).isEqualTo("Condition");
    assertThat(read.title()).isEqualTo("Diagnosis");
    assertThat(read.text()).isEqualTo("Diagnosis: K35.8 Acute appendicitis, other and unspecified\n"
        + "Note: Pain in the right lower quadrant since yesterday.");
  }

  @Test
  void aPrescriptionIsAMedicationRequestWithItsDosage() {
    RecordContent c = FHIR.build(prescription(), by(Role.DOCTOR, "Dr. Claire Dubois"));
    MedicationRequest r = (MedicationRequest) FHIR.parse(json(c));
    assertThat(r.getDosageInstructionFirstRep().getTiming().getRepeat().getFrequency()).isEqualTo(3);
    assertThat(FHIR.read(c).title()).isEqualTo("Prescription");
    assertThat(FHIR.read(c).text()).isEqualTo("Medication: Amoxicillin 500 mg capsule (J01CA04)\n"
        + "Dosage: 1 capsule three times a day for 7 days");
  }

  @Test
  void anObservationIsLoincCodedWithItsUnitAndAProcedureSnomedCoded() {
    ClinicalForm o = new ClinicalForm(Kind.OBSERVATION);
    o.setObservationCode("8310-5");
    o.setValue("38.4");
    RecordContent c = FHIR.build(o, by(Role.DOCTOR, "Dr. Claire Dubois"));
    org.hl7.fhir.r4.model.Observation obs = (org.hl7.fhir.r4.model.Observation) FHIR.parse(json(c));
    assertThat(obs.getValueQuantity().getCode()).isEqualTo("Cel");
    assertThat(obs.getValueQuantity().getSystem()).isEqualTo("http://unitsofmeasure.org");
    assertThat(FHIR.read(c).title()).isEqualTo("Observation");
    assertThat(FHIR.read(c).text()).isEqualTo("Body temperature: 38.4 °C");
    ClinicalForm p = new ClinicalForm(Kind.PROCEDURE);
    p.setProcedureCode("6025007");
    p.setNote("No complications.");
    c = FHIR.build(p, by(Role.DOCTOR, "Dr. Claire Dubois"));
    assertThat(((org.hl7.fhir.r4.model.Procedure) FHIR.parse(json(c))).getCode().getCodingFirstRep().getSystem())
        .isEqualTo("http://snomed.info/sct");
    assertThat(FHIR.read(c).title()).isEqualTo("Procedure");
    assertThat(FHIR.read(c).text()).isEqualTo("Procedure: Laparoscopic appendectomy\nNote: No complications.");
    o.setValue("high");
    assertThat(fieldOf(o, Role.DOCTOR)).isEqualTo("value");
    p.setProcedureCode("1");
    assertThat(fieldOf(p, Role.DOCTOR)).isEqualTo("procedureCode");
  }

  /** A one-page PDF's first bytes and a little body: enough for the kind check, which reads the start. */
  static byte[] pdf(int size) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) ' ');
    byte[] head = "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, b, 0, head.length);
    return b;
  }

  @Test
  void anAttachmentIsADocumentReferenceHoldingTheFileItsKindReadFromItsBytes() {
    ClinicalForm f = new ClinicalForm(Kind.ATTACHMENT);
    f.setAttachment(org.medledger.portal.application.fhir.AttachedFile.of("C:\\scans\\Report.pdf", pdf(120 * 1024)));
    f.setNote("Discharge letter.");
    RecordContent c = FHIR.build(f, by(Role.DOCTOR, "Dr. Claire Dubois"));
    org.hl7.fhir.r4.model.DocumentReference d = (org.hl7.fhir.r4.model.DocumentReference) FHIR.parse(json(c));
    assertThat(d.getContentFirstRep().getAttachment().getContentType()).isEqualTo("application/pdf");
    assertThat(d.getContentFirstRep().getAttachment().getTitle()).isEqualTo("Report.pdf");
    assertThat(d.getContentFirstRep().getAttachment().getData()).isEqualTo(pdf(120 * 1024));
    assertThat(d.getDescription()).isEqualTo("Discharge letter.");
    FHIR.validate(d);
    assertThat(FHIR.read(c).title()).isEqualTo("Attachment");
    assertThat(FHIR.read(c).kind()).isEqualTo("DocumentReference");
    assertThat(FHIR.read(c).text()).isEqualTo("Attached: Report.pdf, PDF, 120 KB\nNote: Discharge letter.");
    assertThat(FHIR.attachmentOf(c)).get().satisfies(a -> {
      assertThat(a.name()).isEqualTo("Report.pdf");
      assertThat(a.mediaType()).isEqualTo("application/pdf");
    });
    // the largest file allowed fits in one record with its resource
    f.setAttachment(org.medledger.portal.application.fhir.AttachedFile.of("big.pdf",
        pdf(org.medledger.portal.application.fhir.AttachedFile.MAX_BYTES)));
    f.setNote("x".repeat(2000));
    assertThat(org.medledger.core.record.RecordCodec.encodeContent(FHIR.build(f, by(Role.DOCTOR, "Dr. Claire Dubois"))).length)
        .isLessThanOrEqualTo(org.medledger.core.record.RecordCodec.MAX_MESSAGE_BYTES);
    // a stored HTML page that claims to be a PDF downloads as plain bytes, never as a page
    String forged = json(c).replace(java.util.Base64.getEncoder().encodeToString(pdf(120 * 1024)),
        java.util.Base64.getEncoder().encodeToString("<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8)));
    RecordContent other = new RecordContent(RecordContent.FHIR_R4_JSON, forged.getBytes(StandardCharsets.UTF_8));
    assertThat(FHIR.attachmentOf(other)).get().extracting(a -> a.mediaType()).isEqualTo("application/octet-stream");
    // only a doctor attaches
    assertThat(fieldOf(f, Role.PHARMACIST)).isEqualTo("kind");
  }

  /**
   * The cover on the ledger as FHIR: a Bundle of Patient, EpisodeOfCare and a RelatedPerson per
   * family member, valid, read back to the same cover; a Bundle not tagged as a cover is none.
   */
  @Test
  void aCoverIsABundleOfPatientEpisodeOfCareAndRelatedPersonsReadBackToTheSameCover() {
    org.medledger.core.record.Cover cover = new org.medledger.core.record.Cover("Acute pain in the lower right abdomen",
        "Alice Martin", LocalDate.of(1984, 6, 12), java.util.Map.of(0x8f3a2b1c4d5e6f70L, "Bob Martin (husband)"));
    RecordContent c = FHIR.cover(cover);
    Bundle b = (Bundle) FHIR.parse(json(c));
    FHIR.validate(b);
    assertThat(b.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactly("Patient", "EpisodeOfCare", "RelatedPerson");
    org.hl7.fhir.r4.model.Patient p = (org.hl7.fhir.r4.model.Patient) b.getEntry().get(0).getResource();
    assertThat(p.getNameFirstRep().getText()).isEqualTo("Alice Martin");
    assertThat(p.getBirthDateElement().getValueAsString()).isEqualTo("1984-06-12");
    org.hl7.fhir.r4.model.EpisodeOfCare ep = (org.hl7.fhir.r4.model.EpisodeOfCare) b.getEntry().get(1).getResource();
    assertThat(ep.getTypeFirstRep().getText()).isEqualTo("Acute pain in the lower right abdomen");
    assertThat(ep.getPatient().getReference()).isEqualTo(b.getEntry().get(0).getFullUrl());
    org.hl7.fhir.r4.model.RelatedPerson rp = (org.hl7.fhir.r4.model.RelatedPerson) b.getEntry().get(2).getResource();
    assertThat(rp.getIdentifierFirstRep().getValue()).isEqualTo("8f3a2b1c4d5e6f70");
    assertThat(FHIR.coverOf(c)).contains(cover);
    // without a birth date or family
    org.medledger.core.record.Cover bare = new org.medledger.core.record.Cover("Chest pain", "Anna Example", null, java.util.Map.of());
    assertThat(FHIR.coverOf(FHIR.cover(bare))).contains(bare);
    // an ordinary Bundle (a dispensing) is not a cover, nor is text
    assertThat(FHIR.coverOf(FHIR.build(dispensing(), by(Role.PHARMACIST, "Paul Martin")))).isEmpty();
    assertThat(FHIR.coverOf(RecordContent.text("Chest pain"))).isEmpty();
    // a cover whose title the cover's rules refuse (a control character) is none
    String bad = json(c).replace("Acute pain in", "Acute\\u0007pain in");
    assertThat(FHIR.coverOf(new RecordContent(RecordContent.FHIR_R4_JSON, bad.getBytes(StandardCharsets.UTF_8)))).isEmpty();
  }

  /**
   * Why the QR code keeps the compact cover record (docs/protocol.md §Cover): the worked
   * example's cover in its FHIR form is many times larger, and the largest cover's FHIR form,
   * sealed and in base64 as the QR text carries it, is more than a QR code holds at all
   * (version 40, level M: 2 331 bytes).
   */
  @Test
  void theCoversFhirFormIsTooLargeForTheQrCodeSoTheCodeKeepsTheCoverRecord() {
    org.medledger.core.record.Cover example = new org.medledger.core.record.Cover("Chest pain", "Anna Example",
        LocalDate.of(1980, 3, 3), java.util.Map.of(0xf64dc276a37f14f1L, "Ben Example"));
    int exampleRecord = org.medledger.core.record.RecordCodec.encodeCover(example).length;
    int exampleFhir = org.medledger.core.record.RecordCodec.encodeContent(FHIR.cover(example)).length;
    java.util.Map<Long, String> family = new java.util.HashMap<>();
    for (long i = 1; i <= 15; i++) family.put(i, "f".repeat(60));
    org.medledger.core.record.Cover largest = new org.medledger.core.record.Cover("t".repeat(120), "n".repeat(100),
        LocalDate.of(1980, 3, 3), family);
    int largestRecord = org.medledger.core.record.RecordCodec.encodeCover(largest).length;
    int largestFhir = org.medledger.core.record.RecordCodec.encodeContent(FHIR.cover(largest)).length;
    System.out.printf("cover record / FHIR form: example %d / %d bytes, largest %d / %d bytes%n",
        exampleRecord, exampleFhir, largestRecord, largestFhir);
    assertThat(exampleRecord).isEqualTo(71);
    assertThat(exampleFhir).isGreaterThan(8 * exampleRecord);
    assertThat(largestRecord).isEqualTo(org.medledger.core.record.RecordCodec.MAX_COVER_BYTES);
    int sealedBase64 = (largestFhir + 28 + 2) / 3 * 4; // nonce and tag, then base64url
    assertThat(sealedBase64).as("the largest FHIR cover as QR text").isGreaterThan(2331);
  }

  @Test
  void aDispensingWithAChargeIsABundleOfTheDispenseAndItsChargeItem() {
    RecordContent c = FHIR.build(dispensing(), by(Role.PHARMACIST, "Paul Martin"));
    Bundle b = (Bundle) FHIR.parse(json(c));
    assertThat(b.getEntry()).hasSize(2);
    MedicationDispense d = (MedicationDispense) b.getEntry().get(0).getResource();
    ChargeItem ch = (ChargeItem) b.getEntry().get(1).getResource();
    assertThat(ch.getServiceFirstRep().getReference()).isEqualTo(b.getEntry().get(0).getFullUrl());
    assertThat(ch.getPriceOverride().getValue()).isEqualByComparingTo("12.50");
    assertThat(d.getQuantity().getValue()).isEqualByComparingTo("21");
    Readable read = FHIR.read(c);
    assertThat(read.title()).isEqualTo("Dispensing");
    assertThat(read.text()).isEqualTo("Dispensed: Amoxicillin 500 mg capsule (J01CA04)\nQuantity: 21 capsules\n"
        + "Supply for: 7 days\nCharge: 12.50 EUR");
    ClinicalForm free = dispensing();
    free.setCharge("");
    assertThat(FHIR.parse(json(FHIR.build(free, by(Role.PHARMACIST, "Paul Martin"))))).isInstanceOf(MedicationDispense.class);
  }

  @Test
  void aDecisionIsAClaimResponseWithTheAmounts() {
    RecordContent c = FHIR.build(decision(), by(Role.INSURER, "Ines Keller"));
    ClaimResponse r = (ClaimResponse) FHIR.parse(json(c));
    assertThat(r.getTotal()).hasSize(2);
    assertThat(FHIR.read(c).text()).isEqualTo("Decision: Partly approved\nAmount claimed: 1,250.00 EUR\n"
        + "Amount covered: 1,000.00 EUR\nNote: The second night is not covered.");
  }

  @Test
  void mistakesInTheFormNameTheirField() {
    ClinicalForm f = diagnosis();
    f.setDiagnosisCode("Z99.9");
    assertThat(fieldOf(f, Role.DOCTOR)).isEqualTo("diagnosisCode");
    ClinicalForm p = prescription();
    p.setDose("-1");
    assertThat(fieldOf(p, Role.DOCTOR)).isEqualTo("dose");
    p = prescription();
    p.setTimesPerDay("2.5");
    assertThat(fieldOf(p, Role.DOCTOR)).isEqualTo("timesPerDay");
    ClinicalForm d = dispensing();
    d.setQuantity("many");
    assertThat(fieldOf(d, Role.PHARMACIST)).isEqualTo("quantity");
    d = dispensing();
    d.setCharge("12.505");
    assertThat(fieldOf(d, Role.PHARMACIST)).isEqualTo("charge");
    ClinicalForm x = decision();
    x.setCovered("2000");
    assertThat(fieldOf(x, Role.INSURER)).isEqualTo("covered");
    x = decision();
    x.setOutcome(null);
    assertThat(fieldOf(x, Role.INSURER)).isEqualTo("outcome");
    assertThat(fieldOf(diagnosis(), Role.PHARMACIST)).isEqualTo("kind");
  }

  private static String fieldOf(ClinicalForm f, Role role) {
    InvalidRecordException e = catchThrowableOfType(() -> FHIR.build(f, by(role, "Someone")), InvalidRecordException.class);
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getMessage()).isNotBlank();
    return e.field();
  }

  /** HAPI's validator refuses what the R4 schemas forbid, and names the element. */
  @Test
  void theValidatorNamesTheInvalidElement() {
    String noSubject = "{\"resourceType\":\"Condition\",\"code\":{\"text\":\"Angina\"}}";
    InvalidRecordException e = catchThrowableOfType(() -> FHIR.importJson(noSubject), InvalidRecordException.class);
    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("Condition.subject");
    assertThat(e.getMessage()).contains("Condition.subject");
    String badStatus = "{\"resourceType\":\"MedicationRequest\",\"status\":\"finished\",\"intent\":\"order\","
        + "\"medicationCodeableConcept\":{\"text\":\"x\"},\"subject\":{\"display\":\"Anna\"}}";
    e = catchThrowableOfType(() -> FHIR.importJson(badStatus), InvalidRecordException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("status");
    String unknownElement = "{\"resourceType\":\"Condition\",\"subject\":{\"display\":\"Anna\"},\"colour\":\"red\"}";
    e = catchThrowableOfType(() -> FHIR.importJson(unknownElement), InvalidRecordException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("colour");
    String good = "{\"resourceType\":\"Condition\",\"subject\":{\"display\":\"Anna\"},\"code\":{\"text\":\"Angina\"}}";
    assertThat(FHIR.read(FHIR.importJson(good)).text()).isEqualTo("Diagnosis: Angina");
  }

  /**
   * What the schemas accept but FHIR's invariants refuse: the profile validator checks them
   * (FHIRPath constraints of the R4 base profiles), and says what is wrong in the spec's words.
   */
  @Test
  void theValidatorRefusesWhatAnInvariantForbids() {
    // con-4: a condition that has abated cannot still be active
    String abatedButActive = "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"system\":"
        + "\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]},"
        + "\"code\":{\"text\":\"Angina\"},\"subject\":{\"display\":\"Anna\"},\"abatementDateTime\":\"2026-03-01\"}";
    InvalidRecordException e = catchThrowableOfType(() -> FHIR.importJson(abatedButActive), InvalidRecordException.class);
    assertThat(e).as("con-4 refused").isNotNull();
    assertThat(e.field()).isEqualTo("Condition");
    assertThat(e.getMessage()).contains("clinicalStatus must be either inactive, resolved, or remission")
        .doesNotContain("con-4").doesNotContain("StructureDefinition");
    // qty-3: a dose with a unit code must say which system the code is from
    String codeWithoutSystem = "{\"resourceType\":\"MedicationRequest\",\"status\":\"active\",\"intent\":\"order\","
        + "\"medicationCodeableConcept\":{\"text\":\"Amoxicillin\"},\"subject\":{\"display\":\"Anna\"},"
        + "\"dosageInstruction\":[{\"doseAndRate\":[{\"doseQuantity\":{\"value\":1,\"code\":\"mg\"}}]}]}";
    e = catchThrowableOfType(() -> FHIR.importJson(codeWithoutSystem), InvalidRecordException.class);
    assertThat(e).as("qty-3 refused").isNotNull();
    assertThat(e.field()).isEqualTo("MedicationRequest.dosageInstruction.doseAndRate.dose");
    assertThat(e.getMessage()).contains("system");
    // inside a dispensing's Bundle, the path names the resource without its position or id
    assertThat(FhirResources.fieldOfPath("Bundle", "Bundle.entry[1].resource/*ChargeItem/null*/.priceOverride"))
        .isEqualTo("Bundle.entry.resource.priceOverride");
    // and the same condition, resolved, is accepted (the ICD-10-free text code warns at most)
    String resolved = abatedButActive.replace("\"active\"", "\"resolved\"");
    assertThat(FHIR.read(FHIR.importJson(resolved)).text()).isEqualTo("Diagnosis: Angina");
  }

  @Test
  void textAndUnknownContentReadPlainly() {
    assertThat(FHIR.read(RecordContent.text("diagnosis: appendicitis")).text()).isEqualTo("diagnosis: appendicitis");
    assertThat(FHIR.read(RecordContent.text("diagnosis: appendicitis")).kind()).isNull();
    assertThat(FHIR.read(new RecordContent("image/png", new byte[] {1})).text()).contains("image/png").doesNotContain("{");
    assertThat(FHIR.read(new RecordContent(RecordContent.FHIR_R4_JSON, "{oops".getBytes(StandardCharsets.UTF_8))).text())
        .isEqualTo("This record's structured content could not be read.");
    String entryWithoutResource = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":{\"resourceType\":"
        + "\"Condition\",\"subject\":{\"display\":\"Anna\"}}},{\"fullUrl\":\"urn:uuid:1\"}]}";
    assertThat(FHIR.read(new RecordContent(RecordContent.FHIR_R4_JSON, entryWithoutResource.getBytes(StandardCharsets.UTF_8))).text())
        .isEqualTo("This record's structured content could not be read.");
  }

  @Test
  void theExportIsAValidBundleOfTheWholeTreatment() {
    List<FhirResources.ExportedRecord> records = List.of(
        new FhirResources.ExportedRecord("aa".repeat(32), FHIR.build(diagnosis(), by(Role.DOCTOR, "Dr. Claire Dubois")),
            "0123456789abcdef", "Dr. Claire Dubois", AT),
        new FhirResources.ExportedRecord("bb".repeat(32), RecordContent.text("Come back in a week."), "0123456789abcdef",
            "Dr. Claire Dubois", AT),
        new FhirResources.ExportedRecord("cc".repeat(32), FHIR.build(dispensing(), by(Role.PHARMACIST, "Paul Martin")),
            "1111111111111111", "Paul Martin", AT));
    String json = FHIR.bundle("dd".repeat(32), "8f3a2b1c4d5e6f70", "Anna Example", LocalDate.of(1980, 3, 3), records, AT);
    Bundle b = (Bundle) FHIR.parse(json);
    assertThat(b.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
    assertThat(b.getEntry()).extracting(e -> e.getResource().fhirType())
        .containsExactly("Patient", "Condition", "Communication", "MedicationDispense", "ChargeItem");
    FHIR.validate(b);
  }

  /** Issue 15: the export carries the treatment (EpisodeOfCare) and the family (RelatedPerson) too, not only the patient. */
  @Test
  void theExportNamesTheTreatmentAndTheFamily() {
    List<FhirResources.ExportedRecord> records = List.of(
        new FhirResources.ExportedRecord("aa".repeat(32), FHIR.build(diagnosis(), by(Role.DOCTOR, "Dr. Claire Dubois")),
            "0123456789abcdef", "Dr. Claire Dubois", AT));
    org.medledger.core.record.Cover cover = new org.medledger.core.record.Cover("Acute pain in the lower right abdomen",
        "Anna Example", LocalDate.of(1980, 3, 3), java.util.Map.of(0x4d5e6f708f3a2b1cL, "Bob Example (husband)"));
    String json = FHIR.bundle("dd".repeat(32), "8f3a2b1c4d5e6f70", cover, records, AT);
    Bundle b = (Bundle) FHIR.parse(json);
    assertThat(b.getEntry()).extracting(e -> e.getResource().fhirType())
        .containsExactly("Patient", "EpisodeOfCare", "RelatedPerson", "Condition");
    org.hl7.fhir.r4.model.EpisodeOfCare episode = (org.hl7.fhir.r4.model.EpisodeOfCare) b.getEntry().get(1).getResource();
    assertThat(episode.getTypeFirstRep().getText()).isEqualTo("Acute pain in the lower right abdomen");
    assertThat(episode.getPatient().getReference()).isEqualTo(b.getEntry().get(0).getFullUrl());
    org.hl7.fhir.r4.model.RelatedPerson husband = (org.hl7.fhir.r4.model.RelatedPerson) b.getEntry().get(2).getResource();
    assertThat(husband.getNameFirstRep().getText()).isEqualTo("Bob Example (husband)");
    assertThat(husband.getIdentifierFirstRep().getValue()).isEqualTo("4d5e6f708f3a2b1c");
    FHIR.validate(b);
  }
}
