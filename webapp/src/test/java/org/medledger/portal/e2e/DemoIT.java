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
    assertThat(id(p, "tForm:messages").textContent()).contains("Your record is on the ledger");
    // (waits: the treatment's own live update re-renders the timeline after the write; a CI run
    // once read it with the new record cut short)
    for (String line : java.util.List.of("Medication: Paracetamol 500 mg tablet (N02BE01)", "Dosage: 2 tablets 4 times a day for 3 days",
        "Note: With food.")) {
      com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(id(p, "tForm:timeline")).containsText(line,
          new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
    }

    com.microsoft.playwright.APIResponse bundle = p.request().get(portal.url("/app/treatment.fhir.json?k=" + k));
    assertThat(bundle.status()).isEqualTo(200);
    assertThat(bundle.headers().get("content-type")).startsWith("application/fhir+json");
    assertThat(bundle.headers().get("cache-control")).contains("no-store");
    assertThat(bundle.text()).contains("\"resourceType\": \"Bundle\"", "\"Condition\"", "\"MedicationRequest\"",
        "\"MedicationDispense\"", "\"ChargeItem\"", "\"ClaimResponse\"", "N02BE01", "Alice Martin");
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
    assertThat(id(pharmacist, "tForm:messages").textContent()).contains("Your record is on the ledger");
    assertThat(id(pharmacist, "tForm:timeline").textContent()).contains("Dispensed: Paracetamol 500 mg tablet (N02BE01)",
        "Quantity: 24 tablets", "Charge: 3.95 CHF");
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
    assertThat(id(insurer, "tForm:messages").textContent()).contains("Your record is on the ledger");
    assertThat(id(insurer, "tForm:timeline").textContent()).contains("Decision: Partly approved", "Amount claimed: 3.95 CHF",
        "Amount covered: 2.00 CHF");
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
