package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Map.Entry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo switch (MEDLEDGER_DEMO=true) seeds its professionals through the administrator's
 * invitations: the log prints the administrator's login with the others, the administrator's
 * page lists the four accepted invitations, and the directory shows the doctor with the
 * institution the administrator vouched for. No setup code is printed (the demo used it).
 */
class DemoIT {
  private static final Pattern PASSWORD = Pattern.compile("^\\s+(\\S+)\\s+\\(.*\\)\\s+password: (\\S+)", Pattern.MULTILINE);

  private static PortalProcess portal;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "skipped: /usr/bin/chromium is missing");
    Path data = Path.of(System.getProperty("medledger.itData", "target/it-data")).toAbsolutePath()
        .resolve("demo-" + System.currentTimeMillis());
    portal = PortalProcess.start(data, Map.of("MEDLEDGER_DEMO", "true"));
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (playwright != null) playwright.close();
    if (portal != null) portal.close();
  }

  private static Page page() {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
    ctx.setDefaultTimeout(30_000);
    return ctx.newPage();
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  /**
   * The demo's finished treatment is structured (FHIR R4, issue 15) and reads in people's words;
   * the doctor writes a prescription through the form, a mistake is named with its field, and
   * the treatment downloads as one FHIR Bundle.
   */
  private void structuredRecords(Page p) {
    p.locator(".ml-treatment-link").first().click();
    p.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml.*"));
    String k = p.url().replaceAll(".*[?&]k=([0-9a-f]+).*", "$1");
    assertThat(id(p, "tForm:timeline").textContent()).contains("Diagnosis: K35.8 Acute appendicitis, other and unspecified",
        "Prescription", "Dosage: 1 capsule three times a day for 7 days", "Charge: 42.00 EUR", "Decision: Partly approved",
        "Amount covered: 3,072.00 EUR", "C reactive protein: 86 mg/L", "Procedure: Laparoscopic appendectomy")
        .doesNotContain("resourceType").doesNotContain("{");

    id(p, "tForm:kind").selectOption("PRESCRIPTION");
    id(p, "tForm:medication").selectOption("N02BE01"); // shown once the picker's change has come back
    id(p, "tForm:dose").fill("0");
    id(p, "tForm:timesPerDay").fill("4");
    id(p, "tForm:days").fill("3");
    id(p, "tForm:write").click();
    assertThat(id(p, "tForm:messages").textContent()).contains("Dose: must be more than zero.");
    assertThat(id(p, "tForm:dose").getAttribute("class")).contains("ui-state-error");
    assertThat(id(p, "tForm:timeline").textContent()).doesNotContain("Paracetamol");
    id(p, "tForm:dose").fill("2");
    id(p, "tForm:message").fill("With food.");
    id(p, "tForm:write").click();
    // (waits: the treatment's own live update re-renders the timeline after the write; a CI run
    // once read it with the new record cut short)
    waitForTimeline(p, "Medication: Paracetamol 500 mg tablet (N02BE01)", "Dosage: 2 tablets 4 times a day for 3 days",
        "Note: With food.");

    // The doctor's other kinds through the form: a diagnosis, an observation, a procedure, an attachment.
    id(p, "tForm:kind").selectOption("DIAGNOSIS");
    id(p, "tForm:diagnosisCode").selectOption("K80.2");
    id(p, "tForm:diagnosisText").fill("Incidental finding on ultrasound");
    id(p, "tForm:write").click();
    waitForTimeline(p, "Diagnosis: K80.2 Calculus of gallbladder without cholecystitis", "Details: Incidental finding on ultrasound");
    id(p, "tForm:kind").selectOption("OBSERVATION");
    id(p, "tForm:observationCode").selectOption("8310-5");
    id(p, "tForm:value").fill("37.9");
    id(p, "tForm:write").click();
    waitForTimeline(p, "Body temperature: 37.9 °C");
    id(p, "tForm:kind").selectOption("PROCEDURE");
    id(p, "tForm:procedureCode").selectOption("16310003");
    id(p, "tForm:write").click();
    waitForTimeline(p, "Procedure: Diagnostic ultrasonography");
    id(p, "tForm:kind").selectOption("ATTACHMENT");
    assertThat(id(p, "tForm:attachmentLimit").textContent()).isEqualTo("A PDF, PNG or JPEG file of at most 180 KB.");
    // a page renamed .pdf is refused: the kind is read from the bytes
    id(p, "tForm:attachment").setInputFiles(new com.microsoft.playwright.options.FilePayload("Ultrasound.pdf", "application/pdf",
        "<html><body>not a PDF</body></html>".getBytes(StandardCharsets.UTF_8)));
    id(p, "tForm:write").click();
    assertThat(id(p, "tForm:messages").textContent()).contains("only a PDF, PNG or JPEG file can be attached");
    assertThat(id(p, "tForm:attachment").getAttribute("class")).contains("ui-state-error");
    byte[] png = ultrasoundPng();
    id(p, "tForm:attachment").setInputFiles(new com.microsoft.playwright.options.FilePayload("Ultrasound.png", "image/png", png));
    id(p, "tForm:message").fill("Gallbladder, longitudinal view; Dr. Müller, 37.9 °C.");
    id(p, "tForm:write").click();
    assertThat(id(p, "tForm:messages").textContent()).contains("Your record is on the ledger");
    waitForTimeline(p, "Attached: Ultrasound.png, PNG image, " + (png.length < 1024 ? png.length + " bytes" : Math.round(png.length / 1024.0) + " KB"),
        "Note: Gallbladder, longitudinal view; Dr. Müller, 37.9 °C.", "Attached: Discharge letter.pdf, PDF,");
    // members download it from the timeline: the same bytes, as an attachment no cache keeps
    Locator links = p.locator("a.ml-attachment");
    com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(links).hasCount(2,
        new com.microsoft.playwright.assertions.LocatorAssertions.HasCountOptions().setTimeout(60_000));
    String href = links.last().getAttribute("href");
    com.microsoft.playwright.APIResponse file = p.request().get(portal.url(href.substring(href.indexOf("/app/"))));
    assertThat(file.status()).isEqualTo(200);
    assertThat(file.headers().get("content-type")).startsWith("image/png");
    assertThat(file.headers().get("content-disposition")).startsWith("attachment;").contains("Ultrasound.png");
    assertThat(file.headers().get("cache-control")).contains("no-store");
    assertThat(file.body()).isEqualTo(png);
    String letter = links.first().getAttribute("href");
    com.microsoft.playwright.APIResponse pdf = p.request().get(portal.url(letter.substring(letter.indexOf("/app/"))));
    assertThat(pdf.headers().get("content-type")).startsWith("application/pdf");
    assertThat(new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    // someone who is not a member of the treatment gets 403 and nothing
    Page outsider = page();
    outsider.navigate(portal.url("/register.xhtml"));
    id(outsider, "register:role_input").selectOption(new com.microsoft.playwright.options.SelectOption().setValue("PATIENT"),
        new Locator.SelectOptionOptions().setForce(true));
    id(outsider, "register:displayName").fill("Olga Outsider");
    id(outsider, "register:institution").fill("Private");
    id(outsider, "register:username").fill("outsider");
    id(outsider, "register:password").fill("outsider-password-1");
    id(outsider, "register:password2").fill("outsider-password-1");
    id(outsider, "register:submit").click();
    com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(outsider.locator("#recoveryText")).containsText("MLRK1-");
    Page o = loggedIn("outsider", "outsider-password-1");
    com.microsoft.playwright.APIResponse refused = o.request().get(portal.url(href.substring(href.indexOf("/app/"))));
    assertThat(refused.status()).isEqualTo(403);
    // (as text: AssertJ's doesNotContain on byte arrays looks for single bytes, not the run)
    assertThat(new String(refused.body(), StandardCharsets.ISO_8859_1)).doesNotContain(new String(png, StandardCharsets.ISO_8859_1));

    com.microsoft.playwright.APIResponse bundle = p.request().get(portal.url("/app/treatment.fhir.json?k=" + k));
    assertThat(bundle.status()).isEqualTo(200);
    assertThat(bundle.headers().get("content-type")).startsWith("application/fhir+json");
    assertThat(bundle.headers().get("cache-control")).contains("no-store");
    assertThat(bundle.text()).contains("\"resourceType\": \"Bundle\"", "\"Condition\"", "\"MedicationRequest\"",
        "\"MedicationDispense\"", "\"ChargeItem\"", "\"ClaimResponse\"", "\"DocumentReference\"", "\"Observation\"",
        "\"Procedure\"", "N02BE01", "K80.2", "Alice Martin",
        "\"EpisodeOfCare\"", "\"RelatedPerson\"");
  }

  /** Waits for the timeline to show every line (its live update may re-render it after a write). */
  private static void waitForTimeline(Page p, String... lines) {
    assertThat(id(p, "tForm:messages").textContent()).contains("Your record is on the ledger");
    for (String line : lines) {
      com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(id(p, "tForm:timeline")).containsText(line,
          new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
    }
    // The page's end (the script that binds the form's change handlers) has loaded too: the next
    // choice of kind must reach the server.
    p.waitForLoadState();
  }

  /** A small real PNG (an 8 by 8 grey square), as a scanner would save it. */
  private static byte[] ultrasoundPng() {
    try {
      java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theDemoPrintsTheAdministratorAndItsInvitedProfessionalsAreListedWithTheirInstitution() throws Exception {
    String log = "";
    for (int i = 0; i < 240 && !log.contains("finished treatment:"); i++) {
      Thread.sleep(500);
      log = Files.readString(portal.log, StandardCharsets.UTF_8);
    }
    assertThat(log).contains("MedLedger demo accounts").doesNotContain("MedLedger administrator setup");
    Map<String, String> passwords = new HashMap<>();
    Matcher m = PASSWORD.matcher(log);
    while (m.find()) passwords.put(m.group(1), m.group(2));
    assertThat(passwords).containsKeys("admin", "patient", "family", "doctor", "pharmacist", "insurer", "lawyer");

    Page admin = page();
    admin.navigate(portal.url("/administrator.xhtml"));
    id(admin, "adminLogin:username").fill("admin");
    id(admin, "adminLogin:password").fill(passwords.get("admin"));
    id(admin, "adminLogin:submit").click();
    admin.waitForURL(Pattern.compile(".*/admin/index\\.xhtml.*"));
    Locator states = admin.locator("[id='admin:invitations'] tbody tr");
    assertThat(states.count()).isEqualTo(4);
    for (int i = 0; i < 4; i++) assertThat(states.nth(i).textContent()).contains("Accepted by");

    for (Entry<String, String> e : Map.of("patient", "/app/directory.xhtml", "doctor", "/app/dashboard.xhtml").entrySet()) {
      Page p = page();
      p.navigate(portal.url("/login.xhtml"));
      id(p, "login:username").fill(e.getKey());
      id(p, "login:password").fill(passwords.get(e.getKey()));
      id(p, "login:submit").click();
      p.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
      if (e.getKey().equals("patient")) {
        p.navigate(portal.url("/app/directory.xhtml"));
        Locator rows = p.locator("[id='dirForm:results'] tbody tr");
        assertThat(rows.count()).isEqualTo(4);
        assertThat(rows.first().textContent()).contains("Dr. Claire Dubois").contains("St. Mary's Hospital");
      } else {
        // The demo treatment is named by its title and patient (its cover, issue 13), not by a hash.
        assertThat(p.locator(".ml-treatment-link").first().textContent())
            .contains("Acute pain in the lower right abdomen — Alice Martin");
        structuredRecords(p);
      }
    }
    // The pharmacist and the insurer write theirs through their forms too.
    Page pharmacist = loggedIn("pharmacist", passwords.get("pharmacist"));
    openDemoTreatment(pharmacist);
    id(pharmacist, "tForm:medication").selectOption("N02BE01");
    id(pharmacist, "tForm:quantity").fill("24");
    id(pharmacist, "tForm:charge").fill("3.95");
    id(pharmacist, "tForm:currency").selectOption("CHF");
    id(pharmacist, "tForm:write").click();
    waitForTimeline(pharmacist, "Dispensed: Paracetamol 500 mg tablet (N02BE01)", "Quantity: 24 tablets", "Charge: 3.95 CHF");
    Page insurer = loggedIn("insurer", passwords.get("insurer"));
    openDemoTreatment(insurer);
    id(insurer, "tForm:outcome").selectOption("PARTLY");
    id(insurer, "tForm:claimed").fill("3.95");
    id(insurer, "tForm:currency").selectOption("CHF");
    id(insurer, "tForm:write").click();
    assertThat(id(insurer, "tForm:messages").textContent()).contains("Amount covered: enter a number.");
    assertThat(id(insurer, "tForm:covered").getAttribute("class")).contains("ui-state-error");
    id(insurer, "tForm:covered").fill("2");
    id(insurer, "tForm:write").click();
    waitForTimeline(insurer, "Decision: Partly approved", "Amount claimed: 3.95 CHF", "Amount covered: 2.00 CHF");
  }

  private static Page loggedIn(String user, String password) {
    Page p = page();
    p.navigate(portal.url("/login.xhtml"));
    id(p, "login:username").fill(user);
    id(p, "login:password").fill(password);
    id(p, "login:submit").click();
    p.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    return p;
  }

  private static void openDemoTreatment(Page p) {
    p.locator(".ml-treatment-link").first().click();
    p.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml.*"));
  }
}
