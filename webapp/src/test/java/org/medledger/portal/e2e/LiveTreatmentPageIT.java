package org.medledger.portal.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.medledger.core.record.Role;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.TreatmentService;

/**
 * Issue 13, "the story moves by itself", through the pages. Step 1 (inside the portal) opens a
 * treatment with a patient and a pharmacist; the patient accepts. Step 2 (a browser): the
 * doctor keeps the treatment's page open; the pharmacist accepts on hers; the doctor's page
 * shows the answer, the status and the writing card without being reloaded, the doctor writes
 * the diagnosis there, the pharmacist's open page offers her the record, and she writes it. The
 * patient is told her treatment was opened (not invited) and "Mark all read" clears her bell.
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveTreatmentPageIT {
  private static final String PW = "correct horse battery";
  private static final Path HANDOFF = Path.of(System.getProperty("java.io.tmpdir"), "medledger-live-treatment-page.properties");

  @Deployment
  static WebArchive deployment() {
    File war = new File(System.getProperty("medledger.war", "target/medledger-webapp.war"));
    return ShrinkWrap.createFromZipFile(WebArchive.class, war).addClasses(LiveTreatmentPageIT.class);
  }

  @Inject AccountService accounts;
  @Inject org.medledger.portal.application.admin.AdminService admins;
  @Inject TreatmentService treatments;
  @Inject org.medledger.portal.application.emergency.EmergencyService emergency;
  private static final Path EMERGENCY_HANDOFF = Path.of(System.getProperty("java.io.tmpdir"), "medledger-live-emergency.properties");

  @Test
  @Order(1)
  void inThePortalATreatmentWaitsForThePharmacistsAnswer() throws IOException {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String pu = "pat-" + suffix, du = "doc-" + suffix, mu = "pha-" + suffix;
    accounts.register(pu, "Pat", Role.PATIENT, null, PW.toCharArray());
    try {
      admins.createFirstAdministrator(admins.newSetupCode(), "it-admin", "administrator password".toCharArray());
    } catch (org.medledger.portal.application.PortalException alreadyThere) {
      // created earlier in this server
    }
    String doctorName = "Dr. Live " + suffix;
    accounts.registerInvited(admins.invite("it-admin", Role.DOCTOR, doctorName, "Test Hospital").code(), du, PW.toCharArray());
    accounts.registerInvited(admins.invite("it-admin", Role.PHARMACIST, "Paula Pharma " + suffix, "Test Pharmacy").code(), mu,
        PW.toCharArray());
    Properties p = new Properties();
    p.setProperty("patient", pu);
    p.setProperty("doctor", du);
    p.setProperty("pharmacist", mu);
    p.setProperty("doctorName", doctorName);
    try (Actor patient = accounts.unlock(pu, PW.toCharArray());
        Actor doctor = accounts.unlock(du, PW.toCharArray());
        Actor pharmacist = accounts.unlock(mu, PW.toCharArray())) {
      String k = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(),
          List.of(pharmacist.indexHex()), List.of(), List.of()).text());
      treatments.respond(patient, k);
      p.setProperty("k", k);
    }
    try (OutputStream out = Files.newOutputStream(HANDOFF)) {
      p.store(out, "LiveTreatmentPageIT step 1 -> step 2");
    }
  }

  @Test
  @Order(2)
  @RunAsClient
  void inTheBrowserOpenPagesFollowTheStory(@ArquillianResource URL base) throws IOException {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "browser step skipped: /usr/bin/chromium is missing");
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(HANDOFF)) {
      p.load(in);
    }
    Path shots = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(shots);
    LiveTreatmentBrowser.run(base.toString(), p, PW, shots);
  }

  private static final Path MEMBERS_HANDOFF =
      Path.of(System.getProperty("java.io.tmpdir"), "medledger-members-change.properties");

  /**
   * Issue 16, step 1 (inside the portal): a treatment with a patient and a pharmacist that has
   * started: the doctor's diagnosis and the pharmacist's dispensing are on the ledger. A second
   * pharmacist is registered, not part of it.
   */
  @Test
  @Order(3)
  void inThePortalATreatmentHasStartedWithTheFirstPharmacist() throws IOException {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String pu = "pat2-" + suffix, du = "doc2-" + suffix, ou = "old-" + suffix, nu = "new-" + suffix;
    accounts.register(pu, "Pia", Role.PATIENT, null, PW.toCharArray());
    try {
      admins.createFirstAdministrator(admins.newSetupCode(), "it-admin", "administrator password".toCharArray());
    } catch (org.medledger.portal.application.PortalException alreadyThere) {
      // created earlier in this server
    }
    String oldName = "Olga Oldpharm " + suffix, newName = "Nina Newpharm " + suffix;
    accounts.registerInvited(admins.invite("it-admin", Role.DOCTOR, "Dr. Change " + suffix, "Test Hospital").code(), du,
        PW.toCharArray());
    accounts.registerInvited(admins.invite("it-admin", Role.PHARMACIST, oldName, "Old Pharmacy").code(), ou, PW.toCharArray());
    accounts.registerInvited(admins.invite("it-admin", Role.PHARMACIST, newName, "New Pharmacy").code(), nu, PW.toCharArray());
    Properties p = new Properties();
    p.setProperty("patient", pu);
    p.setProperty("doctor", du);
    p.setProperty("old", ou);
    p.setProperty("new", nu);
    p.setProperty("oldName", oldName);
    p.setProperty("newName", newName);
    String fu = "fam-" + suffix;
    accounts.register(fu, "Fran Family " + suffix, Role.FAMILY, null, PW.toCharArray());
    byte[] vkR = java.util.Base64.getUrlDecoder().decode(accounts.view(fu).orElseThrow().publicKeyBase64Url());
    p.setProperty("family", fu);
    p.setProperty("familyCard", new org.medledger.portal.application.Card(Role.FAMILY,
        org.medledger.core.record.ParticipantIndex.of(vkR), vkR).text());
    try (Actor patient = accounts.unlock(pu, PW.toCharArray());
        Actor doctor = accounts.unlock(du, PW.toCharArray());
        Actor old = accounts.unlock(ou, PW.toCharArray())) {
      String k = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(),
          List.of(old.indexHex()), List.of(), List.of()).text());
      treatments.respond(patient, k);
      treatments.respond(old, k);
      treatments.write(doctor, k, "Before the change: diagnosis.");
      treatments.write(old, k, "Before the change: dispensed.");
      p.setProperty("k", k);
    }
    try (OutputStream out = Files.newOutputStream(MEMBERS_HANDOFF)) {
      p.store(out, "LiveTreatmentPageIT step 3 -> step 4");
    }
  }

  /**
   * Issue 16, step 2 (a browser): the patient replaces the pharmacist on the treatment page; the
   * new one accepts; the doctor's portal lets her in by itself and the doctor writes; the old
   * pharmacist reads only up to the change, the new one reads everything.
   */
  @Test
  @Order(4)
  @RunAsClient
  void inTheBrowserThePatientReplacesThePharmacist(@ArquillianResource URL base) throws IOException {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "browser step skipped: /usr/bin/chromium is missing");
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(MEMBERS_HANDOFF)) {
      p.load(in);
    }
    Path shots = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(shots);
    MembersChangeBrowser.run(base.toString(), p, PW, shots);
  }

  /**
   * Issue 16, break the glass: a treatment with a diagnosis whose patient allowed emergency access,
   * and a doctor of another service who takes no part in it.
   */
  @Test
  @Order(5)
  void inThePortalAPatientAllowsEmergencyAccess() throws IOException {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String pu = "epat-" + suffix, du = "edoc-" + suffix, eu = "er-" + suffix;
    accounts.register(pu, "Erin", Role.PATIENT, null, PW.toCharArray());
    try {
      admins.createFirstAdministrator(admins.newSetupCode(), "it-admin", "administrator password".toCharArray());
    } catch (org.medledger.portal.application.PortalException alreadyThere) {
      // created by the first step
    }
    String erName = "Dr. Urgent " + suffix;
    accounts.registerInvited(admins.invite("it-admin", Role.DOCTOR, "Dr. Family " + suffix, "Test Hospital").code(), du,
        PW.toCharArray());
    accounts.registerInvited(admins.invite("it-admin", Role.DOCTOR, erName, "City Emergency Service").code(), eu,
        PW.toCharArray());
    Properties p = new Properties();
    p.setProperty("patient", pu);
    p.setProperty("er", eu);
    p.setProperty("erName", erName);
    try (Actor patient = accounts.unlock(pu, PW.toCharArray());
        Actor doctor = accounts.unlock(du, PW.toCharArray());
        Actor er = accounts.unlock(eu, PW.toCharArray())) {
      String k = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(), List.of(), List.of(), List.of()).text());
      treatments.respond(patient, k);
      treatments.write(doctor, k, "Allergic to penicillin; takes warfarin daily.");
      // Not allowed yet: the glass cannot be broken, and nothing is written. (Plain checks: the
      // in-container half has the WAR's classes and this class only, no AssertJ.)
      refused(() -> emergency.breakGlass(er, k, 1), "has not allowed emergency access");
      emergency.allow(patient, k);
      if (!emergency.allowed(k)) throw new AssertionError("emergency access is not allowed after allow()");
      // A member never needs it.
      refused(() -> emergency.breakGlass(doctor, k, 1), "You take part in this treatment");
      p.setProperty("k", k);
      // The rate limit (R13): a second emergency doctor has opened three other allowed treatments
      // of this patient today; her fourth is refused in the browser (step 6).
      String bu = "busy-" + suffix;
      accounts.registerInvited(admins.invite("it-admin", Role.DOCTOR, "Dr. Busy " + suffix, "City Emergency Service").code(), bu,
          PW.toCharArray());
      p.setProperty("busy", bu);
      try (Actor busy = accounts.unlock(bu, PW.toCharArray())) {
        for (int i = 1; i <= 4; i++) {
          String ki = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(), List.of(), List.of(),
              List.of()).text());
          treatments.respond(patient, ki);
          treatments.write(doctor, ki, "Treatment " + i + ": diagnosis.");
          emergency.allow(patient, ki);
          if (i < 4) emergency.breakGlass(busy, ki, 2);
          else p.setProperty("fourth", ki);
        }
      }
    }
    try (OutputStream out = Files.newOutputStream(EMERGENCY_HANDOFF)) {
      p.store(out, "LiveTreatmentPageIT step 5 -> step 6");
    }
  }

  private static void refused(Runnable action, String message) {
    try {
      action.run();
    } catch (org.medledger.portal.application.PortalException e) {
      if (!e.getMessage().contains(message)) throw new AssertionError("refused with '" + e.getMessage() + "', expected '" + message + "'");
      return;
    }
    throw new AssertionError("not refused; expected '" + message + "'");
  }

  @Test
  @Order(6)
  @RunAsClient
  void inTheBrowserTheEmergencyDoctorReadsAndThePatientSeesItLive(@ArquillianResource URL base) throws IOException {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "browser step skipped: /usr/bin/chromium is missing");
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(EMERGENCY_HANDOFF)) {
      p.load(in);
    }
    Path shots = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(shots);
    LiveTreatmentBrowser.emergency(base.toString(), p, PW, shots);
  }
}
