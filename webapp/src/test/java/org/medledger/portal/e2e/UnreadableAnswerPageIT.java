package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.medledger.core.crypto.Bytes;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.AnswerForger;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * Issue 12, part 2, through the pages: an answer whose share the doctor cannot open. Step 1 runs
 * inside the portal (Arquillian) and stores, as the pharmacist, an answer of random bytes in two
 * treatments — something no page can produce, as a broken client would. Step 2 is a browser:
 * in the first treatment the doctor's page names the pharmacist in plain words and the
 * pharmacist sends the answer again; in the second the doctor continues without her (after a
 * confirmation) and her page tells her she is not part of that treatment's key. The two steps
 * share the user names and treatment addresses through a file in the temporary directory.
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnreadableAnswerPageIT {
  private static final String PW = "correct horse battery";
  private static final Path HANDOFF = Path.of(System.getProperty("java.io.tmpdir"), "medledger-unreadable-answer-page.properties");

  @Deployment
  static WebArchive deployment() {
    File war = new File(System.getProperty("medledger.war", "target/medledger-webapp.war"));
    return ShrinkWrap.createFromZipFile(WebArchive.class, war).addClasses(UnreadableAnswerPageIT.class, AnswerForger.class)
        .addAsLibraries(jarOf(org.assertj.core.api.Assertions.class), jarOf(net.bytebuddy.ByteBuddy.class));
  }

  private static File jarOf(Class<?> c) {
    try {
      return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Inject AccountService accounts;
  @Inject org.medledger.portal.application.admin.AdminService admins;
  @Inject TreatmentService treatments;
  @Inject MedLedgerClient client;
  @Inject @Portal PortalIdentity portal;

  @Test
  @Order(1)
  void inThePortalThePharmacistsAnswerIsStoredUnreadableInTwoTreatments() throws IOException {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String pu = "pat-" + suffix, du = "doc-" + suffix, mu = "pha-" + suffix;
    String anna = "Anna Apotheke " + suffix;
    accounts.register(pu, "Pat", Role.PATIENT, null, PW.toCharArray());
    // Professionals are admitted through the administrator's invitation (issue 12, part 1).
    try {
      admins.createFirstAdministrator(admins.newSetupCode(), "it-admin", "administrator password".toCharArray());
    } catch (org.medledger.portal.application.PortalException alreadyThere) {
      // created earlier in this server
    }
    accounts.registerInvited(admins.invite("it-admin", Role.DOCTOR, "Dr. Keys " + suffix, "Test Hospital").code(), du,
        PW.toCharArray());
    accounts.registerInvited(admins.invite("it-admin", Role.PHARMACIST, anna, "Test Pharmacy").code(), mu,
        PW.toCharArray());
    Properties p = new Properties();
    p.setProperty("doctor", du);
    p.setProperty("pharmacist", mu);
    p.setProperty("anna", anna);
    try (Actor patient = accounts.unlock(pu, PW.toCharArray());
        Actor doctor = accounts.unlock(du, PW.toCharArray());
        Actor pharmacist = accounts.unlock(mu, PW.toCharArray())) {
      for (String which : List.of("replace", "leaveOut")) {
        TreatmentService.ConsentView c = treatments.consent(patient, null, doctor.indexHex(),
            List.of(pharmacist.indexHex()), List.of(), List.of());
        String k = treatments.open(doctor, c.text());
        treatments.respond(patient, k);
        Txtc txtc = (Txtc) client.getRecord(portal.get(), Bytes.unhex(k)).orElseThrow();
        AnswerForger.storeUnreadableAnswer(client, pharmacist, txtc, k);
        assertThat(treatments.view(doctor, k, false).unreadable()).hasSize(1);
        p.setProperty(which, k);
      }
    }
    try (OutputStream out = Files.newOutputStream(HANDOFF)) {
      p.store(out, "UnreadableAnswerPageIT step 1 -> step 2");
    }
  }

  @Test
  @Order(2)
  @RunAsClient
  void inTheBrowserTheDoctorIsToldAndWaitsOrContinuesWithout(@ArquillianResource URL base) throws IOException {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "browser step skipped: /usr/bin/chromium is missing");
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(HANDOFF)) {
      p.load(in);
    }
    Path shots = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(shots);
    UnreadableAnswerBrowser.run(base.toString(), p, PW, shots);
  }
}
