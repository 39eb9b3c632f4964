package org.medledger.portal.application;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.medledger.portal.application.fhir.ClinicalForm;
import org.medledger.portal.application.fhir.ClinicalRecords;
import org.medledger.portal.application.fhir.Kind;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Logger;
import org.medledger.core.record.Role;
import org.medledger.portal.application.admin.AdminService;
import org.medledger.portal.config.PortalConfig;

/**
 * The demo switch (medledger.demo=true): on the first start with an empty portal database,
 * creates the administrator (with the setup code, as an operator would), registers one account
 * per role — the four professionals through invitations the administrator issues, so their
 * certificates carry the vouched name and institution — and runs a whole treatment through the
 * ledger, then prints the seven passwords in the log — of that start only (they are stored
 * nowhere in clear).
 */
@ApplicationScoped
public class DemoSeeder {
  private static final Logger LOG = Logger.getLogger(DemoSeeder.class.getName());
  private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

  @Inject PortalConfig config;
  @Inject AccountService accounts;
  @Inject TreatmentService treatments;
  @Inject ClinicalRecords clinical;
  @Inject AdminService admins;

  /** The demo administrator's name. */
  static final String ADMIN = "admin";

  private record Person(String username, String name, Role role, String institution) {}

  static final List<Person> PEOPLE = List.of(
      new Person("patient", "Alice Martin", Role.PATIENT, "Private"),
      new Person("family", "Bob Martin", Role.FAMILY, "Private"),
      new Person("doctor", "Dr. Claire Dubois", Role.DOCTOR, "St. Mary's Hospital"),
      new Person("pharmacist", "David Chen", Role.PHARMACIST, "Central Pharmacy"),
      new Person("insurer", "Eva Novak", Role.INSURER, "Mutual Health Insurance"),
      new Person("lawyer", "Frank Weber", Role.LAWYER, "Weber & Partners"));

  void seed(@Observes @Priority(2000) @Initialized(ApplicationScoped.class) Object ignored) {
    if (!config.demo()) return;
    if (accounts.count() > 0) {
      LOG.info("Demo switch is on, but the portal already has accounts: nothing seeded (passwords were printed on the first start).");
      return;
    }
    LOG.info("Demo switch is on: seeding the administrator, six accounts and a finished treatment...");
    SecureRandom random = new SecureRandom();
    List<String> passwords = new ArrayList<>();
    List<Actor> actors = new ArrayList<>();
    String adminPassword = password(random);
    if (!admins.hasAdministrator()) admins.createFirstAdministrator(admins.newSetupCode(), ADMIN, adminPassword.toCharArray());
    try {
      for (Person p : PEOPLE) {
        String pw = password(random);
        passwords.add(pw);
        if (p.role().pseudonymous()) {
          accounts.register(p.username(), p.name(), p.role(), p.institution(), pw.toCharArray());
        } else {
          AdminService.IssuedInvitation inv = admins.invite(ADMIN, p.role(), p.name(), p.institution());
          accounts.registerInvited(inv.code(), p.username(), pw.toCharArray());
        }
        actors.add(accounts.unlock(p.username(), pw.toCharArray()));
      }
      Actor patient = actors.get(0), family = actors.get(1), doctor = actors.get(2), pharmacist = actors.get(3),
          insurer = actors.get(4), lawyer = actors.get(5);
      String familyCard = new Card(Role.FAMILY, family.index(),
          Base64.getUrlDecoder().decode(accounts.view("family").orElseThrow().publicKeyBase64Url())).text();
      // What the patient types on the "new treatment" page: the reason, her name and birth date, her husband's name.
      var cover = COVER;
      TreatmentService.ConsentView consent = treatments.consent(patient, cover, familyCard, doctor.indexHex(),
          List.of(pharmacist.indexHex()), List.of(insurer.indexHex()), List.of(lawyer.indexHex()));
      String k = treatments.open(doctor, consent.text());
      for (Actor a : List.of(patient, family, pharmacist, insurer, lawyer)) treatments.respond(a, k);
      treatments.buildKey(doctor, k);
      // The finished treatment as structured records (FHIR R4), as the forms write them.
      for (DemoRecord r : finishedTreatment()) {
        Actor writer = actors.stream().filter(a -> a.role() == r.writer()).findFirst().orElseThrow();
        clinical.write(writer, k, r.form());
      }
      StringBuilder sb = new StringBuilder("\n=== MedLedger demo accounts (printed on this first start only) ===\n");
      sb.append(String.format("  %-11s %-22s password: %s   (at /administrator.xhtml)%n", ADMIN, "(Administrator)", adminPassword));
      for (int i = 0; i < PEOPLE.size(); i++) {
        Person p = PEOPLE.get(i);
        sb.append(String.format("  %-11s %-22s password: %s%n", p.username(), "(" + p.role().title().split(" ")[0] + ")", passwords.get(i)));
      }
      sb.append("  finished treatment: ").append(k).append('\n');
      sb.append("=================================================================");
      LOG.warning(sb.toString());
    } finally {
      actors.forEach(Actor::close);
    }
  }

  /** What the patient types on the "new treatment" page: the reason, her name and birth date, her husband's name. */
  static final org.medledger.portal.application.cover.CoverRequest COVER = new org.medledger.portal.application.cover.CoverRequest(
      "Acute pain in the lower right abdomen", "Alice Martin", java.time.LocalDate.of(1984, 6, 12), List.of("Bob Martin (husband)"));

  /** One record of the demo's finished treatment: who writes it and what the form holds. */
  record DemoRecord(Role writer, ClinicalForm form) {}

  /**
   * The demo's finished treatment, record by record, as the forms would fill them in; a unit
   * test validates every resource they become with HAPI's full validator.
   */
  static List<DemoRecord> finishedTreatment() {
    ClinicalForm diagnosis = new ClinicalForm(Kind.DIAGNOSIS);
    diagnosis.setDiagnosisCode("K35.8");
    diagnosis.setNote("Laparoscopic appendectomy performed on day 1; uneventful recovery.");
    ClinicalForm crp = new ClinicalForm(Kind.OBSERVATION);
    crp.setObservationCode("1988-5");
    crp.setValue("86");
    ClinicalForm surgery = new ClinicalForm(Kind.PROCEDURE);
    surgery.setProcedureCode("6025007");
    surgery.setNote("Day 1; no complications.");
    ClinicalForm letter = new ClinicalForm(Kind.ATTACHMENT);
    letter.setAttachment(org.medledger.portal.application.fhir.AttachedFile.of("Discharge letter.pdf",
        org.medledger.portal.infrastructure.pdf.SimpleLetter.pdf("Discharge letter", List.of(
            "Patient: Alice Martin, born 12 June 1984",
            "Diagnosis: acute appendicitis (K35.8)",
            "Laparoscopic appendectomy on day 1; no complications.",
            "Discharged on day 3 with amoxicillin 500 mg three times a day for 7 days.",
            "Dr. Claire Dubois, St. Mary's Hospital"))));
    letter.setNote("Discharge letter.");
    ClinicalForm prescription = new ClinicalForm(Kind.PRESCRIPTION);
    prescription.setMedication("J01CA04");
    prescription.setDose("1");
    prescription.setTimesPerDay("3");
    prescription.setDays("7");
    ClinicalForm dispensing = new ClinicalForm(Kind.DISPENSING);
    dispensing.setMedication("J01CA04");
    dispensing.setQuantity("21");
    dispensing.setDays("7");
    dispensing.setCharge("42.00");
    ClinicalForm decision = new ClinicalForm(Kind.DECISION);
    decision.setOutcome("PARTLY");
    decision.setClaimed("3840.00");
    decision.setCovered("3072.00");
    decision.setNote("80% of hospital and pharmacy costs reimbursed.");
    return List.of(new DemoRecord(Role.DOCTOR, diagnosis), new DemoRecord(Role.DOCTOR, crp),
        new DemoRecord(Role.DOCTOR, surgery), new DemoRecord(Role.DOCTOR, letter), new DemoRecord(Role.DOCTOR, prescription),
        new DemoRecord(Role.PHARMACIST, dispensing), new DemoRecord(Role.INSURER, decision));
  }

  private static String password(SecureRandom r) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 14; i++) sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    return sb.toString();
  }
}
