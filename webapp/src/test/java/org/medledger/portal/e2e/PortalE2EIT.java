package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.SelectOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paper's scenario through the portal's pages: six people in six browser contexts register,
 * the patient chooses the others, the doctor scans the QR code, everyone accepts, the doctor,
 * pharmacist and insurer write, a live notification reaches the doctor's open page, bad input
 * is refused, and after the patient's account is deleted the family member and the lawyer
 * still read every record. Screenshots go to target/screenshots.
 *
 * <p>Issue 13, "a phone": the same story runs a second time with six new people on 390×844
 * phones, where every page the story reaches (each load, and each action that re-renders part
 * of a page) must fit the screen, the menu is reached through its Menu button, and each
 * role's main pages are photographed as {@code *-phone.png}.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class PortalE2EIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final String PW = "correct horse battery";
  /** The insurer's browser is in India (UTC+05:30), whatever the server's zone. */
  private static final String INSURER_ZONE = "Asia/Kolkata";

  private static PortalProcess portal;
  private static Playwright playwright;
  private static Browser browser;
  private static Path shots;
  private static Vouching vouching;

  /** The screen of the story's browsers (a test method runs on one instance of this class). */
  private Viewport viewport = Viewport.DESKTOP;
  /** Pages that did not fit, found when a document loaded; {@link #fits} reports them. */
  private final List<String> misfits = new java.util.ArrayList<>();
  private int fitChecks;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM),
        "E2E test skipped: /usr/bin/chromium is missing (install it with 'apt-get install -y chromium')");
    Path data = Path.of(System.getProperty("medledger.itData", "target/it-data")).toAbsolutePath()
        .resolve("e2e-" + System.currentTimeMillis());
    shots = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(shots);
    portal = PortalProcess.start(data);
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
    vouching = Vouching.of(portal, browser);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (playwright != null) playwright.close();
    if (portal != null) portal.close();
  }

  private Page page(String who) {
    Browser.NewContextOptions o = viewport.options();
    if (who.equals("insurer")) o.setTimezoneId(INSURER_ZONE); // times follow the browser's zone, not the server's
    BrowserContext ctx = browser.newContext(o);
    ctx.setDefaultTimeout(30_000);
    Page p = ctx.newPage();
    // Every document the story reaches is measured as it loads, the ones in between included
    // (e.g. the dashboard a login leads to); fits() reports what did not fit.
    p.onLoad(loaded -> {
      try {
        for (String m : Viewport.misfits(loaded)) misfits.add(who + " " + loaded.url() + ": " + m);
        fitChecks++;
      } catch (com.microsoft.playwright.PlaywrightException navigatedAway) {
        // already on its way to the next document, which is measured in its turn
      }
    });
    return p;
  }

  /** The account name of a role in this run (the phone run's people are new people). */
  private String user(String role) {
    return role + viewport.suffix();
  }

  /**
   * Issue 13: the page as it is now fits the screen (no sideways scrolling, nothing wider than
   * the window), and so did every document loaded since the last check; the message names
   * what sticks out and where.
   */
  private void fits(Page p, String where) {
    List<String> now = Viewport.misfits(p);
    fitChecks++;
    List<String> all = new java.util.ArrayList<>(misfits);
    misfits.clear();
    for (String m : now) all.add(where + " " + p.url() + ": " + m);
    assertThat(all).as("what does not fit a %d px %s, at or before %s", viewport.width(), viewport.name(), where).isEmpty();
  }

  /**
   * Goes to a page of the side menu as a user does: on a phone the menu hides behind its Menu
   * button, which is tapped first; on a desktop the link is there.
   */
  private void menu(Page p, String link, String path) {
    Locator toggle = p.locator("#menuToggle");
    if (toggle.isVisible()) {
      toggle.click();
      com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(toggle).hasAttribute("aria-expanded", "true");
      fits(p, "the open menu");
    }
    p.locator("nav.ml-menu a", new Page.LocatorOptions().setHasText(link)).click();
    p.waitForURL(Pattern.compile(".*" + Pattern.quote(path) + ".*"));
    fits(p, link);
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  /** Patients and family on their own; professionals through the administrator's invitation. Returns the index. */
  private String register(Page p, String role, String name, String institution, String user) throws java.io.IOException {
    String index = vouching.register(p, role, name, institution, user, PW);
    assertThat(index).hasSize(16);
    return index;
  }

  private void login(Page p, String user, String password) {
    p.navigate(portal.url("/login.xhtml"));
    id(p, "login:username").fill(user);
    id(p, "login:password").fill(password);
    id(p, "login:submit").click();
  }

  private String treatmentUrl(String k) {
    return portal.url("/app/treatment.xhtml?k=" + k);
  }

  private void shot(Page p, String name) {
    p.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve(name + viewport.suffix() + ".png")).setFullPage(true));
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void theWholeTreatmentThroughThePages() throws Exception {
    story(Viewport.DESKTOP);
  }

  /** Issue 13: the whole story again, on six phones 390 px wide; nothing may scroll sideways. */
  @Test
  @org.junit.jupiter.api.Order(4)
  void theWholeTreatmentOnPhones() throws Exception {
    story(Viewport.PHONE);
  }

  private void story(Viewport screen) throws Exception {
    viewport = screen;
    Map<String, Page> pages = new LinkedHashMap<>();
    Map<String, String> indexes = new LinkedHashMap<>();
    String[][] people = {
        {"patient", "PATIENT", "Alice Martin", "Private"},
        {"family", "FAMILY", "Bob Martin", "Private"},
        {"doctor", "DOCTOR", "Dr. Claire Dubois", "St. Mary's Hospital"},
        {"pharmacist", "PHARMACIST", "David Chen", "Central Pharmacy"},
        {"insurer", "INSURER", "Eva Novak", "Mutual Health"},
        {"lawyer", "LAWYER", "Frank Weber", "Weber & Partners"}};
    for (String[] x : people) {
      Page p = page(x[0]);
      pages.put(x[0], p);
      indexes.put(x[0], register(p, x[1], x[2], x[3], user(x[0])));
      fits(p, x[0] + "'s recovery kit");
      if (viewport.phone()) shot(p, x[0] + "-recovery-kit");
    }
    Page patient = pages.get("patient"), family = pages.get("family"), doctor = pages.get("doctor"),
        pharmacist = pages.get("pharmacist"), insurer = pages.get("insurer"), lawyer = pages.get("lawyer");

    // Bad input: a wrong password is refused with a message, and nobody is logged in.
    login(doctor, user("doctor"), "not the password");
    assertThat(id(doctor, "login:messages").textContent()).contains("Wrong user name or password");
    assertThat(doctor.url()).contains("/login.xhtml");
    fits(doctor, "a refused login");

    for (Map.Entry<String, Page> e : pages.entrySet()) {
      login(e.getValue(), user(e.getKey()), PW);
      e.getValue().waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
      assertThat(e.getValue().locator("#userName").textContent()).isNotBlank();
      if (!e.getKey().equals("lawyer")) plain(e.getValue(), e.getKey() + "'s empty dashboard");
      fits(e.getValue(), e.getKey() + "'s empty dashboard");
      if (viewport.phone()) shot(e.getValue(), e.getKey() + "-empty-dashboard");
    }

    // The family member's card (text) for the patient; its picture is also a "foreign" QR for the doctor.
    menu(family, "My card", "/app/card.xhtml");
    String familyCard = family.locator("#cardText").textContent().trim();
    assertThat(familyCard).startsWith("medledger-card:1:family:");
    Path familyCardPng = portal.dataDir.resolve("family-card.png");
    Files.write(familyCardPng, dataUri(family.locator("#cardQr").getAttribute("src")));
    shot(family, "family-card");

    // The directory lists this run's four registered professionals, not the pseudonymous patient and family.
    menu(patient, "Directory", "/app/directory.xhtml");
    Locator rows = patient.locator("[id='dirForm:results'] tbody tr");
    for (Map.Entry<String, String> e : indexes.entrySet()) {
      boolean professional = !e.getKey().equals("patient") && !e.getKey().equals("family");
      assertThat(rows.filter(new Locator.FilterOptions().setHasText(e.getValue())).count())
          .as("directory rows of the " + e.getKey()).isEqualTo(professional ? 1 : 0);
    }
    if (!viewport.phone()) assertThat(rows.count()).isEqualTo(4); // nobody else has registered yet
    shot(patient, "patient-directory");

    // New treatment: the patient selects everyone, tapping the lists as a user does, and gets the QR code.
    menu(patient, "New treatment", "/app/new-treatment.xhtml");
    List<String> doctorValues = id(patient, "newForm:doctor_input").locator("option").all().stream()
        .map(o -> o.getAttribute("value")).toList();
    // As on a phone: the field is brought to the top of the screen first (its list opens below it
    // and closes when the page scrolls), then tapped.
    // On a loaded machine a tap can land while the list is still opening and be lost, as a
    // person's would: she taps again (at most three times), and the choice must then hold.
    Locator doctorItem = id(patient, "newForm:doctor_items").locator("li").nth(doctorValues.indexOf(indexes.get("doctor")));
    for (int tap = 0; tap < 3 && !id(patient, "newForm:doctor_input").inputValue().equals(indexes.get("doctor")); tap++) {
      id(patient, "newForm:doctor").evaluate("e => e.scrollIntoView({block: 'start'})");
      if (!doctorItem.isVisible()) id(patient, "newForm:doctor").click();
      try {
        doctorItem.waitFor(new Locator.WaitForOptions().setTimeout(10_000));
        doctorItem.click(new Locator.ClickOptions().setTimeout(5_000)); // the list may close under the tap
        patient.waitForCondition(() -> id(patient, "newForm:doctor_input").inputValue().equals(indexes.get("doctor")),
            new Page.WaitForConditionOptions().setTimeout(5_000));
      } catch (com.microsoft.playwright.PlaywrightException lost) {
        // the tap was lost (or the list closed under it); the loop taps again
      }
    }
    assertThat(id(patient, "newForm:doctor_input").inputValue()).isEqualTo(indexes.get("doctor"));
    for (String[] list : new String[][] {{"pharmacists", "pharmacist"}, {"insurers", "insurer"}, {"lawyers", "lawyer"}}) {
      Locator box = patient.locator("input[name='newForm:" + list[0] + "'][value='" + indexes.get(list[1]) + "']");
      patient.locator("label[for='" + box.getAttribute("id") + "']").click();
      assertThat(box.isChecked()).as("the " + list[1] + " ticked").isTrue();
    }
    fits(patient, "the new treatment's choices");
    id(patient, "newForm:family").fill(familyCard);
    // Issue 13, people not hashes: the title and the patient's identity are required, the name prefilled.
    assertThat(id(patient, "newForm:patientName").inputValue()).isEqualTo("Alice Martin");
    id(patient, "newForm:create").click();
    assertThat(id(patient, "newForm:titleMessage").textContent()).contains("Reason for the visit is required");
    fits(patient, "the new treatment's missing fields");
    id(patient, "newForm:title").fill(TITLE);
    id(patient, "newForm:birthDate").fill("1980-03-03");
    id(patient, "newForm:familyNames").fill("Bob Martin");
    id(patient, "newForm:create").click();
    assertThat(patient.locator("#consentTitle").textContent()).contains(TITLE);
    patient.waitForLoadState(); // the QR code comes after the title: measure it once the page has loaded
    fits(patient, "the patient's consent QR code");
    double qrRight = ((Number) patient.evaluate("() => document.getElementById('consentQr').getBoundingClientRect().right")).doubleValue();
    assertThat(qrRight).as("the consent's QR code within the screen").isLessThanOrEqualTo(viewport.width());
    String consentText = patient.locator("#consentText").textContent().trim();
    assertThat(consentText).startsWith("medledger-consent:1:");
    Path consentPng = portal.dataDir.resolve("consent.png");
    Files.write(consentPng, dataUri(patient.locator("#consentQr").getAttribute("src")));
    shot(patient, "patient-new-treatment");
    plain(patient, "the patient's consent QR code");

    // Bad input: the doctor uploads a foreign QR code (a participant card) and a file that is no picture.
    menu(doctor, "Scan", "/app/scan.xhtml");
    id(doctor, "scanForm:picture").setInputFiles(familyCardPng);
    id(doctor, "scanForm:read").click();
    assertThat(id(doctor, "scanForm:messages").textContent()).contains("participant card, not a patient's consent");
    fits(doctor, "a foreign QR code refused");
    Path notAPicture = portal.dataDir.resolve("notes.png");
    Files.writeString(notAPicture, "this is not a picture");
    id(doctor, "scanForm:picture").setInputFiles(notAPicture);
    id(doctor, "scanForm:read").click();
    assertThat(id(doctor, "scanForm:messages").textContent()).contains("not a picture");
    fits(doctor, "a file that is no picture refused");

    // The doctor scans the patient's QR code: the treatment opens (txtc).
    // Before opening, the scan page says whose treatment it is and what about.
    id(doctor, "scanForm:picture").setInputFiles(consentPng);
    id(doctor, "scanForm:read").click();
    assertThat(doctor.locator("#coverTitle").textContent()).isEqualTo(TITLE);
    assertThat(doctor.locator("#coverPatient").textContent()).isEqualTo("Alice Martin, born 3 March 1980");
    assertThat(doctor.locator("#previewMembers").textContent()).contains("Bob Martin (family member");
    plain(doctor, "the doctor's scan preview");
    fits(doctor, "the doctor's scan preview");
    shot(doctor, "doctor-scan-preview");
    id(doctor, "scanForm:open").click();
    doctor.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml\\?k=[0-9a-f]{64}.*"));
    String k = doctor.url().replaceAll(".*k=([0-9a-f]{64}).*", "$1");
    assertThat(doctor.locator("#status").textContent()).contains("Waiting for answers: 0 of 5");
    assertThat(doctor.locator("#heading").textContent()).isEqualTo(HEADING);
    plain(doctor, "the doctor's new treatment");
    fits(doctor, "the doctor's new treatment");

    // The doctor waits on the dashboard; each acceptance must reach the open page live.
    menu(doctor, "Dashboard", "/app/dashboard.xhtml");
    int before = bell(doctor);
    boolean first = true;
    for (Page p : List.of(patient, family, pharmacist, insurer, lawyer)) {
      p.navigate(treatmentUrl(k));
      if (p != lawyer) plain(p, "an invitation");
      fits(p, "an invitation");
      if (p == patient) {
        assertThat(p.locator("#heading").textContent()).as("the patient's own copy").isEqualTo(HEADING);
      } else {
        // Before the doctor has set up the treatment, its details are said to come, never shown as hex.
        assertThat(p.locator("#coverPending").textContent()).contains("appear here once Dr. Claire Dubois");
        assertThat(p.locator("#heading").textContent()).isEqualTo("Treatment with Dr. Claire Dubois");
      }
      id(p, "tForm:accept").click();
      assertThat(id(p, "tForm:messages").textContent()).contains("You accepted the invitation");
      fits(p, "an accepted invitation");
      if (first) {
        long t0 = System.nanoTime();
        doctor.waitForCondition(() -> bell(doctor) > before, new Page.WaitForConditionOptions().setTimeout(20_000));
        System.out.printf("live notification reached the doctor's open page in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        first = false;
      }
    }
    doctor.waitForCondition(() -> bell(doctor) >= before + 5, new Page.WaitForConditionOptions().setTimeout(20_000));
    shot(doctor, "doctor-dashboard");
    plain(doctor, "the doctor's dashboard with notifications");
    fits(doctor, "the doctor's dashboard with notifications");

    // The doctor's page builds the key as soon as everyone has answered; then the records.
    doctor.navigate(treatmentUrl(k));
    assertThat(doctor.locator("#status").textContent()).contains("Key ready");
    // Bad input: an oversized record is refused and nothing is stored.
    id(doctor, "tForm:message").fill("x".repeat(256 * 1024 + 1));
    id(doctor, "tForm:write").click();
    assertThat(id(doctor, "tForm:messages").textContent()).contains("the limit is 262144 bytes");
    assertThat(doctor.locator(".txd-text").count()).isZero();
    fits(doctor, "an oversized record refused");
    write(doctor, "Diagnosis: acute appendicitis; appendectomy on day 1.");
    assertThat(doctor.locator(".txd-text").first().textContent()).contains("acute appendicitis");
    shot(doctor, "doctor-treatment");

    // Every member now reads the cover the doctor's portal wrote with the key: the title and the people.
    for (Page p : List.of(doctor, pharmacist, family, lawyer)) {
      p.navigate(treatmentUrl(k));
      assertThat(p.locator("#heading").textContent()).isEqualTo(HEADING);
      assertThat(p.locator("#coverPatient").textContent()).isEqualTo("Alice Martin, born 3 March 1980");
      String members = id(p, "tForm:members").textContent();
      if (p != family) assertThat(members).contains("Bob Martin");
      if (p != doctor) assertThat(members).contains("Dr. Claire Dubois, St. Mary's Hospital");
      assertThat(members).doesNotContainPattern("(Patient|Family) [0-9a-f]{6}");
      assertThat(p.locator(".cover-text").first().textContent()).contains(TITLE);
      fits(p, "the treatment's cover");
    }
    menu(pharmacist, "Dashboard", "/app/dashboard.xhtml");
    assertThat(pharmacist.locator(".ml-treatment-link").first().textContent()).contains(HEADING);
    pharmacist.navigate(treatmentUrl(k));
    write(pharmacist, "Amoxicillin 875 mg, 2x daily for 7 days, 42.00 EUR.");
    shot(pharmacist, "pharmacist-treatment");
    insurer.navigate(treatmentUrl(k));
    write(insurer, "Claim accepted: 80% reimbursed.");
    shot(insurer, "insurer-treatment");
    patient.navigate(treatmentUrl(k));
    assertThat(patient.locator(".txa-text").first().textContent()).contains("80% reimbursed");
    fits(patient, "the patient's treatment");
    shot(patient, "patient-treatment");

    // Issue 13: no protocol word on any page of the patient, family, doctor, pharmacist or insurer;
    // times readable; the ledger evidence only behind its toggle.
    // Each role's main pages fit the screen and are photographed (the lawyer's too).
    for (Map.Entry<String, Page> e : pages.entrySet()) {
      Page p = e.getValue();
      for (String path : List.of("/app/dashboard.xhtml", "/app/card.xhtml", "/app/directory.xhtml", "/app/settings.xhtml",
          "/app/new-treatment.xhtml", "/app/scan.xhtml", "/app/treatment.xhtml?k=" + k, "/app/casefile.xhtml?k=" + k)) {
        p.navigate(portal.url(path));
        if (!e.getKey().equals("lawyer")) plain(p, e.getKey() + "'s " + path);
        fits(p, e.getKey() + "'s " + path);
        if (viewport.phone()) shot(p, e.getKey() + "-" + path.replaceAll(".*/([a-z-]+)\\.xhtml.*", "$1"));
      }
      if (e.getKey().equals("lawyer")) continue;
      p.navigate(treatmentUrl(k));
      assertThat(PlainWords.readable(p)).as("readable times on " + e.getKey() + "'s treatment page")
          .containsPattern("\\b\\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2}\\b");
      assertThat(p.locator(".evidence").count()).as("evidence before the toggle").isZero();
      id(p, "tForm:evidenceToggle").click();
      assertThat(p.locator(".evidence").first().textContent()).contains("Transaction").contains("Block");
      plain(p, e.getKey() + "'s treatment page with its ledger evidence");
      fits(p, e.getKey() + "'s treatment page with its ledger evidence");
      if (e.getKey().equals("insurer")) {
        // The evidence gives the exact instant next to the readable time: the latter is in the browser's zone.
        java.util.regex.Matcher m = Pattern.compile("Time\\s*(\\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2}) \\(([^)]+)\\)")
            .matcher(p.locator(".evidence").first().textContent());
        assertThat(m.find()).as("time row of the evidence").isTrue();
        assertThat(m.group(1)).isEqualTo(java.time.format.DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", java.util.Locale.ENGLISH)
            .format(java.time.Instant.parse(m.group(2)).atZone(java.time.ZoneId.of(INSURER_ZONE))));
      }
    }
    shot(doctor, "doctor-treatment-evidence");

    // Issue 16: every member opened the case file above, the lawyer last; each opening was recorded
    // on the ledger first, and the patient reads them in her treatment's access log, in plain words.
    patient.navigate(treatmentUrl(k));
    com.microsoft.playwright.Locator lawyerOpened = patient.locator("#accessLog li",
        new Page.LocatorOptions().setHasText("Frank Weber (lawyer) opened the case file"));
    lawyerOpened.first().waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(60_000));
    assertThat(lawyerOpened.first().textContent())
        .matches("Frank Weber \\(lawyer\\) opened the case file · \\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2}");
    assertThat(patient.locator("#accessLog li", new Page.LocatorOptions().setHasText("You opened the case file")).count())
        .isPositive();
    plain(patient, "the patient's access log");
    fits(patient, "the patient's treatment page with its access log");
    shot(patient, "patient-access-log");
    // Only the patient and the family see it.
    lawyer.navigate(treatmentUrl(k));
    lawyer.locator("#heading").waitFor();
    assertThat(lawyer.locator("#accessLogHeading").count()).isZero();

    // Bad input: someone who is not a member opens the treatment's address and sees nothing of it.
    Page outsider = page("outsider");
    register(outsider, "LAWYER", "Olga Outsider", "Other Firm", user("outsider"));
    login(outsider, user("outsider"), PW);
    outsider.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    outsider.navigate(treatmentUrl(k));
    assertThat(outsider.locator("#refused").textContent()).contains("not a participant");
    fits(outsider, "a treatment refused to an outsider");
    assertThat(outsider.locator(".ml-record").count()).isZero();
    assertThat(outsider.content()).doesNotContain(TITLE).doesNotContain("Bob Martin");
    // The title and the names are on the ledger only encrypted: not in any of its files.
    assertThat(ledgerFiles()).isNotEmpty();
    for (String secret : List.of(TITLE, "Alice Martin", "Bob Martin")) {
      assertThat(indexOf(ledgerFiles(), secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .as("'%s' in clear in the ledger's files", secret).isNegative();
    }

    // The patient's account is deleted (σ destroyed); family and lawyer still read every record.
    menu(patient, "Settings", "/app/settings.xhtml");
    id(patient, "sForm:deletePassword").fill(PW);
    id(patient, "sForm:delete").click();
    patient.waitForURL(Pattern.compile(".*/login\\.xhtml.*"));
    fits(patient, "the login page after the account's deletion");
    login(patient, user("patient"), PW);
    assertThat(id(patient, "login:messages").textContent()).contains("Wrong user name or password");

    for (Page reader : List.of(family, lawyer)) {
      reader.navigate(portal.url("/app/casefile.xhtml?k=" + k));
      assertThat(reader.locator(".txd-text").first().textContent()).contains("acute appendicitis");
      assertThat(reader.locator(".txm-text").first().textContent()).contains("Amoxicillin");
      assertThat(reader.locator(".txa-text").first().textContent()).contains("80% reimbursed");
      assertThat(reader.locator(".ml-record").count()).isEqualTo(10); // txtc, 5 txtr, the cover, txd, txm, txa
      assertThat(reader.content()).contains("Signed by");
      if (reader == family) plain(reader, "the family member's case file");
      fits(reader, "the case file after the patient left");
    }
    shot(family, "family-casefile");
    shot(lawyer, "lawyer-casefile");
    printedCaseFile(lawyer, outsider, k);
    fits(lawyer, "the case file after its download");
    assertThat(fitChecks).as("pages measured").isGreaterThan(100);
  }

  /**
   * Issue 13, "Printable case file": the lawyer downloads the case file as a PDF (an attachment
   * no cache keeps) that names the treatment and holds every record; the browser's print of the
   * page has "Page 1 of N", who printed it, the records and no menu. Someone who is not a
   * member gets nothing.
   */
  private void printedCaseFile(Page lawyer, Page outsider, String k) throws Exception {
    lawyer.navigate(portal.url("/app/casefile.xhtml?k=" + k));
    assertThat(lawyer.locator("#cfTitle").textContent()).isEqualTo(TITLE);
    assertThat(lawyer.locator("#cfPatient").textContent()).isEqualTo("Patient: Alice Martin, born 3 March 1980");
    com.microsoft.playwright.Download download = lawyer.waitForDownload(() -> id(lawyer, "cForm:downloadPdf").click());
    assertThat(download.failure()).isNull();
    assertThat(download.suggestedFilename()).isEqualTo("Case file - " + TITLE + ".pdf");
    byte[] pdf = Files.readAllBytes(download.path());
    Files.write(shots.resolve("lawyer-casefile-download.pdf"), pdf);
    String text;
    try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(pdf)) {
      assertThat(doc.getDocumentInformation().getTitle()).isEqualTo("Case file: " + TITLE);
      text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
      assertThat(text).contains("Page 1 of " + doc.getNumberOfPages());
    }
    assertThat(text).contains(TITLE, "Patient: Alice Martin, born 3 March 1980", "Printed by Frank Weber (Lawyer or medical expert, Weber & Partners) on",
        "acute appendicitis", "Amoxicillin 875 mg", "80% reimbursed", "Diagnosis", "Dispensing", "Insurance decision",
        "Ledger evidence", "Signed by");

    com.microsoft.playwright.APIResponse answer = lawyer.request().get(portal.url("/app/casefile.pdf?k=" + k));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).startsWith("application/pdf");
    assertThat(answer.headers().get("content-disposition")).startsWith("attachment;");
    assertThat(answer.headers().get("cache-control")).contains("no-store");
    com.microsoft.playwright.APIResponse refused = outsider.request().get(portal.url("/app/casefile.pdf?k=" + k));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(new String(refused.body(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("%PDF")
        .doesNotContain("appendicitis");
    // The FHIR export (issue 15): members only, like the PDF; text records travel as Communications.
    com.microsoft.playwright.APIResponse fhir = lawyer.request().get(portal.url("/app/treatment.fhir.json?k=" + k));
    assertThat(fhir.status()).isEqualTo(200);
    assertThat(fhir.text()).contains("\"Bundle\"", "\"Communication\"", "acute appendicitis");
    assertThat(outsider.request().get(portal.url("/app/treatment.fhir.json?k=" + k)).status()).isEqualTo(403);

    // The evidence bundle (issue 15): the same members-only rule; the standalone verifier accepts it.
    com.microsoft.playwright.APIResponse bundle = lawyer.request().get(portal.url("/app/evidence.zip?k=" + k));
    assertThat(bundle.status()).isEqualTo(200);
    assertThat(bundle.headers().get("content-type")).startsWith("application/zip");
    assertThat(bundle.headers().get("content-disposition")).startsWith("attachment;");
    assertThat(bundle.headers().get("cache-control")).contains("no-store");
    assertThat(org.medledger.evidence.BundleVerifier.verify(org.medledger.evidence.Bundle.read(bundle.body()), null)
        .problems()).isEmpty();
    com.microsoft.playwright.APIResponse noBundle = outsider.request().get(portal.url("/app/evidence.zip?k=" + k));
    assertThat(noBundle.status()).isEqualTo(403);
    assertThat(noBundle.headers().get("content-type")).doesNotContain("zip");

    // The browser's print (print media): Chromium's PDF of the page.
    byte[] printed = lawyer.pdf(new Page.PdfOptions().setFormat("A4"));
    Files.write(shots.resolve("lawyer-casefile-print.pdf"), printed);
    try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(printed)) {
      String p = new org.apache.pdfbox.text.PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
      assertThat(p).contains("Page 1 of " + doc.getNumberOfPages(), TITLE, "Alice Martin, born 3 March 1980",
          "Printed by Frank Weber (Lawyer or medical expert, Weber & Partners) on", "acute appendicitis", "80% reimbursed", "Signed by");
      assertThat(p).doesNotContain("Dashboard", "My card", "Directory", "Settings", "Log out", "Download PDF");
    }
  }

  private static final String TITLE = "Chest pain after climbing stairs";
  private static final String HEADING = TITLE + " — Alice Martin";

  /** Every byte of the embedded ledger's files (blocks, state, checkpoints). */
  private byte[] ledgerFiles() throws java.io.IOException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    try (var walk = Files.walk(portal.dataDir.resolve("ledger"))) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) all.writeBytes(Files.readAllBytes(f));
    }
    return all.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  /**
   * Issue 12, part 1, through the pages: a "doctor" who signs up under an invited doctor's name
   * and institution is not listed and cannot log in until the administrator decides; the invited
   * doctor is listed once, with the institution and a key fingerprint; a used invitation says
   * so; an approved sign-up logs in with the institution the administrator confirmed.
   */
  @Test
  @org.junit.jupiter.api.Order(2)
  void professionalsAreAdmittedByTheirInstitution() throws Exception {
    Page twin = page("twin");
    String link = vouching.invite("DOCTOR", "Dr. Ana Twin", "St. Mary's Hospital");
    twin.navigate(link);
    assertThat(twin.locator("#offerInstitution").textContent()).isEqualTo("St. Mary's Hospital");
    id(twin, "register:username").fill("twin");
    id(twin, "register:password").fill(PW);
    id(twin, "register:password2").fill(PW);
    id(twin, "register:submit").click();
    assertThat(twin.locator("#newIndex").textContent()).hasSize(16);

    // The invitation worked once.
    Page again = page("again");
    again.navigate(link);
    assertThat(id(again, "refused:messages").textContent()).contains("This invitation has already been used");
    assertThat(id(again, "register:username").count()).isZero();

    // The impostor signs up under the same name and institution: it waits, nothing is listed.
    Page impostor = page("impostor");
    impostor.navigate(portal.url("/register.xhtml"));
    id(impostor, "register:role_input").selectOption(new SelectOption().setValue("DOCTOR"), new Locator.SelectOptionOptions().setForce(true));
    id(impostor, "register:displayName").fill("Dr. Ana Twin");
    id(impostor, "register:institution").fill("St. Mary's Hospital");
    id(impostor, "register:username").fill("impostor");
    id(impostor, "register:password").fill(PW);
    id(impostor, "register:password2").fill(PW);
    id(impostor, "register:submit").click();
    assertThat(impostor.locator("#awaiting").textContent()).contains("waiting for approval");
    login(impostor, "impostor", PW);
    assertThat(id(impostor, "login:messages").textContent()).contains("waiting for approval");
    assertThat(impostor.url()).contains("/login.xhtml");

    Page looker = page("looker");
    register(looker, "PATIENT", "Lou Looker", "Private", "looker");
    login(looker, "looker", PW);
    looker.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    looker.navigate(portal.url("/app/directory.xhtml"));
    id(looker, "dirForm:query").fill("Ana Twin");
    id(looker, "dirForm:search").click();
    Locator rows = looker.locator("[id='dirForm:results'] tbody tr");
    // The search posts the form: count the rows once its answer has loaded (count() does not wait).
    rows.filter(new Locator.FilterOptions().setHasText("Ana Twin")).first().waitFor();
    looker.waitForLoadState();
    assertThat(rows.count()).as("directory rows for Dr. Ana Twin").isEqualTo(1);
    assertThat(rows.first().textContent()).contains("St. Mary's Hospital");
    assertThat(rows.first().locator("td").nth(5).locator(".ml-mono").textContent().trim()).matches("[0-9a-f]{4}( [0-9a-f]{4}){3}");
    shot(looker, "directory-vouched");

    // Approval: a sign-up the administrator checks; the institution is the one they confirm.
    Page late = page("late");
    late.navigate(portal.url("/register.xhtml"));
    id(late, "register:role_input").selectOption(new SelectOption().setValue("PHARMACIST"), new Locator.SelectOptionOptions().setForce(true));
    id(late, "register:displayName").fill("Lena Late");
    id(late, "register:institution").fill("typed by me");
    id(late, "register:username").fill("latecomer");
    id(late, "register:password").fill(PW);
    id(late, "register:password2").fill(PW);
    id(late, "register:submit").click();
    late.locator("#awaiting").waitFor();
    late.waitForLoadState();
    assertThat(late.locator("#awaiting").count()).isEqualTo(1);
    Page admin = vouching.administrator();
    Locator row = admin.locator("[id='admin:waiting'] tbody tr").filter(new Locator.FilterOptions().setHasText("latecomer"));
    row.locator("input[id$=':institution']").fill("Riverside Pharmacy");
    row.locator("button[id$=':approve']").click();
    assertThat(id(admin, "admin:messages").textContent()).contains("Approved latecomer");
    Locator imp = admin.locator("[id='admin:waiting'] tbody tr").filter(new Locator.FilterOptions().setHasText("impostor"));
    imp.locator("button[id$=':refuse']").click();
    assertThat(id(admin, "admin:messages").textContent()).contains("Refused the sign-up of impostor");
    shot(admin, "admin");

    login(late, "latecomer", PW);
    late.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    login(impostor, "impostor", PW);
    assertThat(id(impostor, "login:messages").textContent()).contains("Wrong user name or password");
    looker.navigate(portal.url("/app/directory.xhtml"));
    id(looker, "dirForm:query").fill("Lena Late");
    id(looker, "dirForm:search").click();
    rows.filter(new Locator.FilterOptions().setHasText("Lena Late")).first().waitFor();
    looker.waitForLoadState();
    assertThat(rows.count()).isEqualTo(1);
    assertThat(rows.first().textContent()).contains("Riverside Pharmacy").doesNotContain("typed by me");
  }

  /**
   * Issue 13, the consent's life through the pages: the patient makes two consents and sees both
   * waiting on her dashboard, with the QR code again; she withdraws one and the doctor's scan of
   * it says so in plain words; the other, scanned twice, opens one treatment, to which the
   * second scan leads; it then no longer waits on her dashboard.
   */
  @Test
  @org.junit.jupiter.api.Order(3)
  void aWithdrawnConsentIsRefusedAndASecondScanOpensTheSameTreatment() throws Exception {
    Page patient = page("wanda"), doctor = page("walter");
    register(patient, "PATIENT", "Wanda Lee", "Private", "wanda");
    register(doctor, "DOCTOR", "Dr. Walter Scan", "St. Mary's Hospital", "walter");
    for (Map.Entry<Page, String> e : Map.of(patient, "wanda", doctor, "walter").entrySet()) {
      login(e.getKey(), e.getValue(), PW);
      e.getKey().waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    }
    String[] consents = new String[2];
    for (int i = 0; i < 2; i++) {
      patient.navigate(portal.url("/app/new-treatment.xhtml"));
      Locator doctorSelect = id(patient, "newForm:doctor_input");
      String value = doctorSelect.locator("option", new Locator.LocatorOptions().setHasText("Dr. Walter Scan")).first()
          .getAttribute("value");
      doctorSelect.selectOption(new SelectOption().setValue(value), new Locator.SelectOptionOptions().setForce(true));
      id(patient, "newForm:title").fill("Follow-up visit " + (i + 1));
      id(patient, "newForm:create").click();
      consents[i] = patient.locator("#consentText").textContent().trim();
    }
    assertThat(consents[0]).isNotEqualTo(consents[1]);

    // Her dashboard: both wait for the doctor, each with its QR code again.
    patient.navigate(portal.url("/app/dashboard.xhtml"));
    Locator waiting = patient.locator("li.ml-consent");
    patient.waitForCondition(() -> waiting.count() == 2, new Page.WaitForConditionOptions().setTimeout(30_000));
    assertThat(waiting.first().locator(".ml-consent-line").textContent())
        .startsWith("Waiting for Dr. Walter Scan to scan — made ");
    waiting.first().locator("summary").click();
    assertThat(waiting.first().locator("img").getAttribute("src")).startsWith("data:image/png;base64,");
    shot(patient, "patient-waiting-consents");
    plain(patient, "the patient's waiting consents");

    // She withdraws the first one.
    Locator first = null;
    for (int i = 0; i < 2; i++) {
      if (waiting.nth(i).locator(".ml-code").textContent().trim().equals(consents[0])) first = waiting.nth(i);
    }
    assertThat(first).as("the first consent on the dashboard").isNotNull();
    String firstId = first.getAttribute("data-consent");
    first.locator(".ml-withdraw").click();
    patient.waitForCondition(() -> patient.locator("li.ml-consent[data-consent='" + firstId + "']").count() == 0
        && patient.locator("li.ml-consent").count() == 1, new Page.WaitForConditionOptions().setTimeout(30_000));

    // The doctor's scan of it is refused in plain words.
    doctor.navigate(portal.url("/app/scan.xhtml"));
    id(doctor, "scanForm:code").fill(consents[0]);
    id(doctor, "scanForm:read").click();
    assertThat(id(doctor, "scanForm:messages").textContent()).contains("The patient withdrew this consent on ");
    assertThat(id(doctor, "scanForm:open").count()).as("no way to open a withdrawn consent").isZero();
    assertThat(doctor.url()).contains("/app/scan.xhtml");
    shot(doctor, "doctor-withdrawn-consent");
    plain(doctor, "the doctor's scan of a withdrawn consent");

    // The other one, scanned twice, opens one treatment.
    id(doctor, "scanForm:code").fill(consents[1]);
    id(doctor, "scanForm:read").click();
    id(doctor, "scanForm:open").click();
    doctor.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml\\?k=[0-9a-f]{64}.*"));
    String k = doctor.url().replaceAll(".*k=([0-9a-f]{64}).*", "$1");
    doctor.navigate(portal.url("/app/scan.xhtml"));
    id(doctor, "scanForm:code").fill(consents[1]);
    id(doctor, "scanForm:read").click(); // reading it again already leads to the treatment
    doctor.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml\\?k=" + k + ".*"));
    assertThat(doctor.locator("[id$='messages']").first().textContent()).contains("You opened this treatment before");
    assertThat(doctor.locator("#status").textContent()).contains("Waiting for answers: 0 of 1");

    // Opened: it no longer waits on her dashboard.
    patient.navigate(portal.url("/app/dashboard.xhtml"));
    patient.locator("#todoCard").waitFor();
    assertThat(patient.locator("li.ml-consent").count()).isZero();
    plain(patient, "the patient's dashboard after the scan");
  }

  /** Issue 13: what {@code p} shows outside its evidence sections is in people's words. */
  private static void plain(Page p, String where) {
    assertThat(PlainWords.violations(p)).as("protocol words on " + where + " (" + p.url() + ")").isEmpty();
  }

  private static int bell(Page p) {
    Locator b = p.locator("[id$='bellCount']");
    if (b.count() == 0) return 0;
    String t = b.first().textContent().trim();
    return t.isEmpty() ? 0 : Integer.parseInt(t);
  }

  private void write(Page p, String text) {
    id(p, "tForm:message").fill(text);
    id(p, "tForm:write").click();
    assertThat(id(p, "tForm:messages").textContent()).contains("Your record is on the ledger");
    fits(p, "a record written");
  }

  private static byte[] dataUri(String src) {
    return Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1));
  }
}
