package org.medledger.portal.application.fhir;

import java.util.List;
import java.util.Optional;

/**
 * The small built-in code lists the forms pick from. A portal has no terminology server; these
 * are codes a demo and a first clinic need, with their official titles, so a record shows
 * "K35.8 Acute appendicitis, other and unspecified" anywhere it is read.
 */
public final class CodeLists {
  /** ICD-10 (WHO), as FHIR names the code system. */
  public static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";
  /** LOINC, for observations (lab values and vital signs). */
  public static final String LOINC = "http://loinc.org";
  /** SNOMED CT, for procedures. */
  public static final String SNOMED = "http://snomed.info/sct";
  /** WHO's Anatomical Therapeutic Chemical classification. */
  public static final String ATC = "http://www.whocc.no/atc";

  /** A code and its title; {@code unit} is what a dose of a medication is counted in. */
  public record Code(String code, String display, String unit) {
    /** "K35.8 Acute appendicitis, other and unspecified", as the pickers and the timeline show it. */
    public String label() {
      return code + " " + display;
    }
  }

  public static final List<Code> DIAGNOSES = List.of(
      new Code("A09", "Other gastroenteritis and colitis of infectious and unspecified origin", null),
      new Code("E11.9", "Type 2 diabetes mellitus without complications", null),
      new Code("F32.9", "Depressive episode, unspecified", null),
      new Code("I10", "Essential (primary) hypertension", null),
      new Code("I20.0", "Unstable angina", null),
      new Code("I21.9", "Acute myocardial infarction, unspecified", null),
      new Code("J06.9", "Acute upper respiratory infection, unspecified", null),
      new Code("J18.9", "Pneumonia, unspecified", null),
      new Code("J45.9", "Asthma, unspecified", null),
      new Code("K35.8", "Acute appendicitis, other and unspecified", null),
      new Code("K80.2", "Calculus of gallbladder without cholecystitis", null),
      new Code("M54.5", "Low back pain", null),
      new Code("N39.0", "Urinary tract infection, site not specified", null),
      new Code("R07.4", "Chest pain, unspecified", null),
      new Code("S82.6", "Fracture of lateral malleolus", null));

  public static final List<Code> MEDICATIONS = List.of(
      new Code("A02BC01", "Omeprazole 20 mg capsule", "capsule"),
      new Code("A10BA02", "Metformin 500 mg tablet", "tablet"),
      new Code("B01AC06", "Acetylsalicylic acid 100 mg tablet", "tablet"),
      new Code("C07AB02", "Metoprolol 50 mg tablet", "tablet"),
      new Code("C09AA05", "Ramipril 5 mg tablet", "tablet"),
      new Code("J01CA04", "Amoxicillin 500 mg capsule", "capsule"),
      new Code("J01DD04", "Ceftriaxone 1 g injection", "vial"),
      new Code("M01AE01", "Ibuprofen 400 mg tablet", "tablet"),
      new Code("N02AX02", "Tramadol 50 mg capsule", "capsule"),
      new Code("N02BE01", "Paracetamol 500 mg tablet", "tablet"),
      new Code("R03AC02", "Salbutamol 100 micrograms inhaler", "puff"));

  /** Observations with their UCUM unit. */
  public static final List<Code> OBSERVATIONS = List.of(
      new Code("1988-5", "C reactive protein", "mg/L"),
      new Code("2160-0", "Creatinine", "mg/dL"),
      new Code("2345-7", "Glucose", "mg/dL"),
      new Code("6690-2", "Leukocytes", "10*3/uL"),
      new Code("718-7", "Hemoglobin", "g/dL"),
      new Code("8310-5", "Body temperature", "Cel"),
      new Code("8867-4", "Heart rate", "/min"));

  public static final List<Code> PROCEDURES = List.of(
      new Code("16310003", "Diagnostic ultrasonography", null),
      new Code("168537006", "Plain radiography", null),
      new Code("29303009", "Electrocardiographic procedure", null),
      new Code("38102005", "Cholecystectomy", null),
      new Code("45595009", "Laparoscopic cholecystectomy", null),
      new Code("6025007", "Laparoscopic appendectomy", null),
      new Code("73761001", "Colonoscopy", null),
      new Code("80146002", "Appendectomy", null));

  /** Currencies the amount fields offer (ISO 4217). */
  public static final List<String> CURRENCIES = List.of("EUR", "CHF", "GBP", "USD");

  private CodeLists() {}

  public static Optional<Code> diagnosis(String code) {
    return find(DIAGNOSES, code);
  }

  public static Optional<Code> observation(String code) {
    return find(OBSERVATIONS, code);
  }

  public static Optional<Code> procedure(String code) {
    return find(PROCEDURES, code);
  }

  /** A UCUM unit as people write it: "Cel" is "°C", "10*3/uL" is "×10³/µL". */
  public static String unitWords(String ucum) {
    if (ucum == null) return "";
    return switch (ucum) {
      case "Cel" -> "°C";
      case "10*3/uL" -> "×10³/µL";
      default -> ucum;
    };
  }

  public static Optional<Code> medication(String code) {
    return find(MEDICATIONS, code);
  }

  private static Optional<Code> find(List<Code> list, String code) {
    return list.stream().filter(c -> c.code().equals(code)).findFirst();
  }
}
