package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.SelectOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Four portals in Fabric mode on the same network, one per organisation (started by hand, see
 * docs/portal.md "Fabric mode"): a treatment whose patient, family and doctor have accounts on
 * the Hospital's portal, the pharmacist on the Pharmacy's, the insurer on the Insurer's and the
 * lawyer on the Law firm's — each professional vouched for by their own organisation, as the
 * consortium policy requires (R3). Skipped unless {@code -Dmedledger.fabric.portals=<hospital
 * URL>,<law firm URL>,<pharmacy URL>,<insurer URL>}, or failed
 * instead of skipped when Fabric tests are required ({@code -Dmedledger.fabric.required=true} or
 * MEDLEDGER_FABRIC_REQUIRED=true, as .ci/fabric-tier sets): a skipped Fabric test in CI is a failure.
 */
class FabricPortalsIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String PW = "correct horse battery";

  private static String hospital;
  private static String lawfirm;
  private static String pharmacy;
  private static String insurerPortal;
  /** Each portal's administrator (professionals are admitted through invitations). */
  private static Map<String, Vouching> vouching;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() {
    String portals = System.getProperty("medledger.fabric.portals", "");
    assumeOrFail(!portals.isBlank(),
        "Fabric portals test skipped: -Dmedledger.fabric.portals=<hospital URL>,<law firm URL>,<pharmacy URL>,<insurer URL> not given");
    assumeOrFail(Files.isExecutable(CHROMIUM), "Fabric portals test skipped: /usr/bin/chromium is missing");
    String[] urls = portals.split(",");
    assumeOrFail(urls.length == 4,
        "-Dmedledger.fabric.portals needs four URLs, the Hospital's, the Law firm's, the Pharmacy's and the Insurer's portal");
    hospital = urls[0].trim().replaceAll("/$", "");
    lawfirm = urls[1].trim().replaceAll("/$", "");
    pharmacy = urls[2].trim().replaceAll("/$", "");
    insurerPortal = urls[3].trim().replaceAll("/$", "");
    // The portals' logs, where each printed its administrator setup code at its first start.
    String logs = System.getProperty("medledger.fabric.portalLogs", "");
    String[] logPaths = logs.split(",");
    assumeOrFail(logPaths.length == 4 && !logs.isBlank(),
        "-Dmedledger.fabric.portalLogs needs the four portals' log files (the administrator setup codes)");
    playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--no-first-run")));
    vouching = Map.of(hospital, Vouching.of(hospital, Path.of(logPaths[0].trim()), browser),
        lawfirm, Vouching.of(lawfirm, Path.of(logPaths[1].trim()), browser),
        pharmacy, Vouching.of(pharmacy, Path.of(logPaths[2].trim()), browser),
        insurerPortal, Vouching.of(insurerPortal, Path.of(logPaths[3].trim()), browser));
  }

  private static void assumeOrFail(boolean condition, String message) {
    if (condition) return;
    if (Boolean.parseBoolean(System.getProperty("medledger.fabric.required", System.getenv("MEDLEDGER_FABRIC_REQUIRED")))) {
      fail(message + " (Fabric tests are required: medledger.fabric.required/MEDLEDGER_FABRIC_REQUIRED)");
    }
    assumeTrue(false, message);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (playwright != null) playwright.close();
  }

  private static Page page() {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
    ctx.setDefaultTimeout(60_000);
    return ctx.newPage();
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  /**
   * Registers (a professional through an invitation of that portal's administrator, with the
   * name and institution the administrator vouches for) and logs in; returns the new index.
   */
  private static String join(Page p, String portal, String role, String name, String user) throws java.io.IOException {
    String institution = portal.equals(lawfirm) ? "Weber & Partners" : portal.equals(pharmacy) ? "City Pharmacy"
        : portal.equals(insurerPortal) ? "Northern Health Insurance" : "St. Mary's Hospital";
    String index = vouching.get(portal).register(p, role, name, institution, user, PW);
    assertThat(index).as("index of " + user).hasSize(16);
    p.navigate(portal + "/login.xhtml");
    id(p, "login:username").fill(user);
    id(p, "login:password").fill(PW);
    id(p, "login:submit").click();
    p.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    return index;
  }

  private static void find(Page patient, String text) {
    id(patient, "newForm:find").fill(text);
    patient.waitForNavigation(() -> id(patient, "newForm:findButton").click());
  }

  @Test
  void aTreatmentAcrossTheFourOrganisationsPortals() throws Exception {
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    Page patient = page(), family = page(), doctor = page(), pharmacist = page(), insurer = page(), lawyer = page();
    join(patient, hospital, "PATIENT", "Alice Martin", "patient-" + run);
    join(family, hospital, "FAMILY", "Bob Martin", "family-" + run);
    String doctorIndex = join(doctor, hospital, "DOCTOR", "Dr Claire Dubois " + run, "doctor-" + run);
    String pharmacistIndex = join(pharmacist, pharmacy, "PHARMACIST", "David Chen " + run, "pharmacist-" + run);
    String insurerIndex = join(insurer, insurerPortal, "INSURER", "Eva Novak " + run, "insurer-" + run);
    String lawyerIndex = join(lawyer, lawfirm, "LAWYER", "Frank Weber " + run, "lawyer-" + run);

    // Each portal's directory finds the professionals registered through the other one (the
    // network keeps earlier runs' registrations: search by participant number, not page one).
    for (Object[] x : new Object[][] {{lawyer, lawfirm, doctorIndex}, {doctor, hospital, lawyerIndex}}) {
      Page p = (Page) x[0];
      p.navigate(x[1] + "/app/directory.xhtml");
      id(p, "dirForm:query").fill((String) x[2]);
      p.waitForNavigation(() -> id(p, "dirForm:search").click());
      p.locator("[id='dirForm:results'] tbody tr").filter(new Locator.FilterOptions().setHasText((String) x[2])).first().waitFor();
    }

    family.navigate(hospital + "/app/card.xhtml");
    String familyCard = family.locator("#cardText").textContent().trim();

    patient.navigate(hospital + "/app/new-treatment.xhtml");
    // The pickers offer a page of the directory: find each by participant number (a find keeps
    // the earlier choices).
    find(patient, doctorIndex);
    patient.locator("[id='newForm:doctor_input'] option[value='" + doctorIndex + "']")
        .waitFor(new Locator.WaitForOptions().setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
    id(patient, "newForm:doctor_input").selectOption(new SelectOption().setValue(doctorIndex), new Locator.SelectOptionOptions().setForce(true));
    for (Map.Entry<String, String> e : Map.of("pharmacists", pharmacistIndex, "insurers", insurerIndex, "lawyers", lawyerIndex).entrySet()) {
      find(patient, e.getValue());
      patient.locator("input[name='newForm:" + e.getKey() + "'][value='" + e.getValue() + "']").check(new Locator.CheckOptions().setForce(true));
    }
    id(patient, "newForm:family").fill(familyCard);
    id(patient, "newForm:title").fill("Acute abdominal pain");
    id(patient, "newForm:familyNames").fill("Bob Martin");
    id(patient, "newForm:create").click();
    String src = patient.locator("#consentQr").getAttribute("src");
    Path consentPng = Files.createTempFile("consent", ".png");
    Files.write(consentPng, Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1)));

    doctor.navigate(hospital + "/app/scan.xhtml");
    id(doctor, "scanForm:picture").setInputFiles(consentPng);
    id(doctor, "scanForm:read").click();
    assertThat(doctor.locator("#coverTitle").textContent()).isEqualTo("Acute abdominal pain");
    id(doctor, "scanForm:open").click();
    doctor.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml\\?k=[0-9a-f]{64}.*"));
    String k = doctor.url().replaceAll(".*k=([0-9a-f]{64}).*", "$1");

    for (Map.Entry<Page, String> e : List.of(Map.entry(patient, hospital), Map.entry(family, hospital),
        Map.entry(pharmacist, pharmacy), Map.entry(insurer, insurerPortal), Map.entry(lawyer, lawfirm))) {
      Page p = e.getKey();
      p.navigate(e.getValue() + "/app/treatment.xhtml?k=" + k);
      id(p, "tForm:accept").click();
      assertThat(id(p, "tForm:messages").textContent()).contains("You accepted the invitation");
    }

    // The Law firm portal's acceptance reaches the Hospital portal through the ledger.
    long deadline = System.currentTimeMillis() + 60_000;
    String status = "";
    while (System.currentTimeMillis() < deadline) {
      doctor.navigate(hospital + "/app/treatment.xhtml?k=" + k);
      status = doctor.locator("#status").textContent();
      if (status.contains("Key ready")) break;
      Thread.sleep(1000);
    }
    assertThat(status).contains("Key ready");
    write(doctor, "Diagnosis: acute appendicitis; appendectomy on day 1.");
    pharmacist.navigate(pharmacy + "/app/treatment.xhtml?k=" + k);
    write(pharmacist, "Amoxicillin 875 mg, 2x daily for 7 days.");
    insurer.navigate(insurerPortal + "/app/treatment.xhtml?k=" + k);
    write(insurer, "Claim accepted: 80% reimbursed.");

    // The lawyer reads the whole case file on the Law firm's portal.
    lawyer.navigate(lawfirm + "/app/casefile.xhtml?k=" + k);
    assertThat(lawyer.locator(".txd-text").first().textContent()).contains("acute appendicitis");
    assertThat(lawyer.locator(".txm-text").first().textContent()).contains("Amoxicillin");
    assertThat(lawyer.locator(".txa-text").first().textContent()).contains("80% reimbursed");
    assertThat(lawyer.locator(".ml-record").count()).isEqualTo(10); // txtc, 5 txtr, the cover, txd, txm, txa

    // Issue 15: the lawyer's evidence bundle comes from the peers' blocks (qscc) and verifies
    // without any server; the lawyer's own key opens every record in it.
    com.microsoft.playwright.APIResponse bundle = lawyer.request().get(lawfirm + "/app/evidence.zip?k=" + k);
    assertThat(bundle.status()).isEqualTo(200);
    org.medledger.evidence.Bundle b = org.medledger.evidence.Bundle.read(bundle.body());
    assertThat(b.manifest().get("ledger")).asString().contains("kind=fabric");
    assertThat(org.medledger.evidence.BundleVerifier.verify(b, null).problems()).isEmpty();
    assertThat(b.names()).filteredOn(n -> n.startsWith("records/")).hasSize(10);

    theLawyersOpeningsReachThePatientsAccessLog(run, k, patient);
    replaceThePharmacist(run, k, patient, doctor, pharmacist);
    // After the member change, not before it: the patient allows emergency access with the key
    // the treatment uses now (the newest epoch's), which opens the earlier epoch's records too, so
    // the emergency reading must cover both sides of the change. Before the change, the
    // permission would later turn into "allowed before the people taking part changed" and the
    // test would not reach the epoch handling; after it, nothing of the member change's
    // assertions depends on an emergency banner being (or not being) on the pages.
    breakTheGlass(run, k, patient);
  }

  /** When a line of the access log was written, as the page shows it ("3 Dec 2026, 10:12"). */
  private static final String WHEN = " · \\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2}";

  /**
   * Issue 16 across organisations: the lawyer opened the case file and downloaded the evidence
   * bundle on the Law firm's portal; each opening was committed on the ledger first, and the
   * patient reads them in her treatment's access log on the Hospital's portal (who, what, when).
   * The records reach the Hospital's peer through the ledger, so the page is reloaded until
   * they are there, as for "Key ready" above.
   */
  private static void theLawyersOpeningsReachThePatientsAccessLog(String run, String k, Page patient) throws Exception {
    String lawyerName = "Frank Weber " + run + " (lawyer)";
    long deadline = System.currentTimeMillis() + 90_000;
    List<String> log = List.of();
    while (System.currentTimeMillis() < deadline) {
      patient.navigate(hospital + "/app/treatment.xhtml?k=" + k);
      patient.locator("#accessLogHeading").waitFor();
      log = patient.locator("#accessLog li").allTextContents().stream().map(String::trim).toList();
      if (log.stream().anyMatch(t -> t.startsWith(lawyerName + " opened the case file"))
          && log.stream().anyMatch(t -> t.startsWith(lawyerName + " downloaded the evidence bundle"))) break;
      Thread.sleep(1000);
    }
    assertThat(log).as("the patient's access log on the Hospital's portal")
        .anyMatch(t -> t.matches(Pattern.quote(lawyerName + " opened the case file") + WHEN))
        .anyMatch(t -> t.matches(Pattern.quote(lawyerName + " downloaded the evidence bundle") + WHEN));
  }

  /**
   * Issue 16 across organisations: the patient (on the Hospital's portal) replaces the
   * pharmacist (on the Pharmacy's) by a second pharmacist of the Pharmacy's portal. Her answer
   * reaches the Hospital's portal through the ledger, which lets her in under a new key epoch;
   * she reads every record, the earlier ones too, and the old pharmacist reads only what was
   * written while he took part.
   */
  private static void replaceThePharmacist(String run, String k, Page patient, Page doctor, Page oldPharmacist)
      throws Exception {
    Page newPharmacist = page();
    String newIndex = join(newPharmacist, pharmacy, "PHARMACIST", "Grace Lee " + run, "pharmacist2-" + run);
    patient.navigate(hospital + "/app/treatment.xhtml?k=" + k);
    id(patient, "tForm:removeWho").selectOption(new SelectOption().setLabel("David Chen " + run + " (pharmacist)"));
    id(patient, "tForm:removeMember").click();
    assertThat(id(patient, "tForm:messages").textContent()).contains("no longer be able to read");
    // The network keeps earlier runs' people: by number. She registered on the Pharmacy's portal
    // a moment ago; her registration reaches the Hospital's directory through the ledger, so the
    // search is asked again until she is found (a tier run once found nobody at the first try).
    String option = "[id='tForm:addWho'] option[value='" + newIndex + "']";
    long found = System.currentTimeMillis() + 90_000;
    while (true) {
      id(patient, "tForm:addName").fill(newIndex);
      patient.waitForNavigation(() -> id(patient, "tForm:searchToAdd").click());
      if (patient.locator(option).count() > 0 || System.currentTimeMillis() > found) break;
      Thread.sleep(1000);
    }
    id(patient, "tForm:addWho").selectOption(new SelectOption().setValue(newIndex));
    id(patient, "tForm:addMember").click();
    assertThat(id(patient, "tForm:messages").textContent()).contains("Invited");

    newPharmacist.navigate(pharmacy + "/app/treatment.xhtml?k=" + k);
    id(newPharmacist, "tForm:accept").click();
    assertThat(id(newPharmacist, "tForm:messages").textContent()).contains("You accepted the invitation");

    // The Hospital's portal lets her in once her answer arrives there (the doctor is logged in).
    long deadline = System.currentTimeMillis() + 90_000;
    List<String> history = List.of();
    while (System.currentTimeMillis() < deadline) {
      doctor.navigate(hospital + "/app/treatment.xhtml?k=" + k);
      doctor.locator("#status").waitFor();
      history = doctor.locator(".ml-member-history").allTextContents();
      if (history.stream().anyMatch(t -> t.startsWith("Grace Lee " + run + " (pharmacist) joined on "))) break;
      Thread.sleep(1000);
    }
    assertThat(history).anyMatch(t -> t.startsWith("David Chen " + run + " (pharmacist) left on "))
        .anyMatch(t -> t.startsWith("Grace Lee " + run + " (pharmacist) joined on "));
    write(doctor, "After the change: follow-up in two weeks.");

    newPharmacist.navigate(pharmacy + "/app/treatment.xhtml?k=" + k);
    assertThat(texts(newPharmacist)).anyMatch(t -> t.contains("acute appendicitis")).anyMatch(t -> t.contains("Amoxicillin"))
        .contains("After the change: follow-up in two weeks.");
    write(newPharmacist, "After the change: dispensed by the new pharmacist.");

    oldPharmacist.navigate(pharmacy + "/app/treatment.xhtml?k=" + k);
    assertThat(oldPharmacist.locator("#status").textContent()).contains("You no longer take part");
    List<String> seen = texts(oldPharmacist);
    assertThat(seen).anyMatch(t -> t.contains("acute appendicitis")).noneMatch(t -> t.startsWith("After the change"))
        .contains("(cannot be decrypted with your key)");
    assertThat(id(oldPharmacist, "tForm:write").count()).isZero();
  }

  /**
   * Issue 16, break the glass across the network: the patient (Hospital's portal) allows
   * emergency access on her open treatment page; a doctor of the Hospital's portal who takes no
   * part opens the treatment on the emergency page, saying why. Her open page shows the emergency
   * banner by itself (the justification's event reaches it through the ledger; no reload), the
   * doctor reads the records written before and after the member change, and the patient's
   * access log lists the reading. Both custodians are the Hospital's portal (docs/protocol.md
   * §Emergency escrow: the portal that holds them serves its own emergency doctors only), so the
   * emergency doctor is registered there.
   */
  private static void breakTheGlass(String run, String k, Page patient) throws Exception {
    Page er = page();
    String erName = "Dr Hana Ito " + run;
    join(er, hospital, "DOCTOR", erName, "er-" + run);

    patient.navigate(hospital + "/app/treatment.xhtml?k=" + k);
    id(patient, "tForm:allowEmergency").click();
    assertThat(id(patient, "tForm:messages").textContent()).contains("Emergency access is allowed");
    patient.locator("#emergencyAllowed").waitFor();
    patient.waitForLoadState(); // the whole page (its WebSocket set up at the end) before it waits for a push
    assertThat(patient.locator("#emergencyAllowedBefore").count()).isZero();
    assertThat(patient.locator(".ml-emergency-banner").count()).isZero();
    patient.evaluate("window.mlNotReloaded = true"); // gone if the page were loaded again

    er.navigate(hospital + "/app/emergency.xhtml?k=" + k);
    id(er, "eForm:reason").selectOption("1");
    id(er, "eForm:breakGlass").click();
    // The records, or the refusal in words (which the assertion then shows instead of a time-out).
    er.locator(".ml-emergency-record, .ui-messages-error").first().waitFor(new Locator.WaitForOptions().setTimeout(120_000));
    assertThat(id(er, "eForm:messages").textContent()).contains("Everyone in this treatment has been told");
    assertThat(er.locator("#emergencyHeading").textContent()).contains("Acute abdominal pain");
    er.waitForLoadState(); // every record, not only the first
    // Before the change (the first key, unwrapped with the key the patient gave) and after it.
    // The new pharmacist's record was committed before the patient's permission, whose commit
    // the Hospital's portal waited for on its own peer: that peer holds every earlier block.
    assertThat(er.locator(".ml-emergency-record .ml-text").allTextContents().stream().map(String::trim).toList())
        .anyMatch(t -> t.contains("acute appendicitis"))
        .anyMatch(t -> t.contains("Amoxicillin"))
        .anyMatch(t -> t.contains("80% reimbursed"))
        .contains("After the change: follow-up in two weeks.", "After the change: dispensed by the new pharmacist.");

    // Live: the banner reaches the patient's open page, which was not loaded again.
    Page.WaitForConditionOptions live = new Page.WaitForConditionOptions().setTimeout(120_000);
    patient.waitForCondition(() -> patient.locator(".ml-emergency-banner").count() == 1
        && patient.locator(".ml-emergency-banner").textContent().contains(erName), live);
    assertThat(patient.evaluate("window.mlNotReloaded === true")).isEqualTo(true);
    assertThat(patient.locator(".ml-emergency-banner").textContent())
        .contains(erName + " (doctor, St. Mary's Hospital) asked for emergency access")
        .contains("The patient is unconscious or cannot communicate");
    // The access log lists the request and the reading (who, what, when, why), live as well.
    patient.waitForCondition(() -> patient.locator("#accessLog li").allTextContents().stream()
        .anyMatch(t -> t.contains(erName + " (doctor, St. Mary's Hospital) read the treatment in an emergency")), live);
    assertThat(patient.evaluate("window.mlNotReloaded === true")).isEqualTo(true);
    assertThat(patient.locator("#accessLog li").allTextContents().stream().map(String::trim).toList())
        .anyMatch(t -> t.matches(Pattern.quote(erName + " (doctor, St. Mary's Hospital) read the treatment in an emergency")
            + WHEN + " — “The patient is unconscious or cannot communicate”"))
        .anyMatch(t -> t.startsWith(erName + " (doctor, St. Mary's Hospital) asked for emergency access"))
        .anyMatch(t -> t.startsWith("Frank Weber " + run + " (lawyer) opened the case file"));
  }

  /** The text of every record on a treatment's timeline. */
  private static List<String> texts(Page p) {
    p.locator(".ml-record").first().waitFor();
    return p.locator(".ml-record .ml-text").allTextContents().stream().map(String::trim).toList();
  }

  private static void write(Page p, String text) {
    id(p, "tForm:message").fill(text);
    id(p, "tForm:write").click();
    assertThat(id(p, "tForm:messages").textContent()).contains("Your record is on the ledger");
  }
}
