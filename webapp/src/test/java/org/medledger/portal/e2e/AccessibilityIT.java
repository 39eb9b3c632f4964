package org.medledger.portal.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.LoadState;
import com.microsoft.playwright.options.SelectOption;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 13, "Works everywhere, for everyone": every page type of every role (patient, family,
 * doctor, pharmacist, insurer, lawyer, administrator) and the public pages, on a desktop and on
 * a 390 px phone, have no serious or critical axe-core violation, a {@code lang}, exactly one
 * {@code h1} and one main landmark, and (on the phone) no horizontal scrolling. The side menu
 * collapses into a button on the phone and works by keyboard; forms name every missing field at
 * once, next to the field, and show each message once; an empty dashboard says what to do
 * first. One demo portal for all of it. Full-page screenshots of each page, desktop and phone,
 * go to target/screenshots/a11y-*.png.
 *
 * <p>axe-core is a test resource (src/test/resources/axe-core, its version and licence there),
 * never served by the portal: it is evaluated into each page through Playwright, which the
 * page's Content-Security-Policy does not govern, so the policy stays what users get.
 */
@TestMethodOrder(OrderAnnotation.class)
class AccessibilityIT {
  private static final Pattern PASSWORD = Pattern.compile("^\\s+(\\S+)\\s+\\(.*\\)\\s+password: (\\S+)", Pattern.MULTILINE);
  private static final Pattern TREATMENT = Pattern.compile("finished treatment: ([0-9a-f]{64})");
  private static final List<String> ROLES = List.of("patient", "family", "doctor", "pharmacist", "insurer", "lawyer");
  private static final int PHONE_WIDTH = 390;
  private static final String PW = "a long enough password";

  private static PortalProcess portal;
  private static Playwright playwright;
  private static Browser browser;
  private static Path shots;
  private static String axe;
  private static final Map<String, String> passwords = new HashMap<>();
  private static String k;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "skipped: /usr/bin/chromium is missing");
    try (InputStream in = AccessibilityIT.class.getResourceAsStream("/axe-core/axe.min.js")) {
      axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path data = Path.of(System.getProperty("medledger.itData", "target/it-data")).toAbsolutePath()
        .resolve("a11y-" + System.currentTimeMillis());
    shots = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(shots);
    portal = PortalProcess.start(data, Map.of("MEDLEDGER_DEMO", "true"));
    String log = "";
    for (int i = 0; i < 480 && !TREATMENT.matcher(log).find(); i++) {
      Thread.sleep(500); // the demo seeds after the portal answers; its log line is the only signal
      log = Files.readString(portal.log, StandardCharsets.UTF_8);
    }
    Matcher t = TREATMENT.matcher(log);
    if (!t.find()) throw new AssertionError("the demo did not finish its treatment; see " + portal.log);
    k = t.group(1);
    Matcher m = PASSWORD.matcher(log);
    while (m.find()) passwords.put(m.group(1), m.group(2));
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (playwright != null) playwright.close();
    if (portal != null) portal.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Every page, desktop and phone

  @Test
  @Order(1)
  void everyPageOfEveryRoleIsAccessibleAndFitsAPhone() throws IOException {
    List<String> problems = new ArrayList<>();

    Page anon = page();
    for (String[] pub : new String[][] {{"login", "/login.xhtml"}, {"register", "/register.xhtml"},
        {"forgot-password", "/forgot-password.xhtml"}, {"administrator", "/administrator.xhtml"},
        {"administrator-setup", "/administrator.xhtml?setup=true"},
        {"register-refused", "/register.xhtml?invitation=not-a-real-invitation"}}) {
      anon.navigate(portal.url(pub[1]));
      problems.addAll(check(anon, "public-" + pub[0]));
    }

    for (String role : ROLES) {
      Page p = login(role);
      Map<String, String> pages = new LinkedHashMap<>();
      pages.put("dashboard", "/app/dashboard.xhtml");
      pages.put("card", "/app/card.xhtml");
      pages.put("directory", "/app/directory.xhtml");
      pages.put("treatment", "/app/treatment.xhtml?k=" + k);
      pages.put("casefile", "/app/casefile.xhtml?k=" + k);
      pages.put("settings", "/app/settings.xhtml");
      if (role.equals("patient")) pages.put("new-treatment", "/app/new-treatment.xhtml");
      if (role.equals("doctor")) pages.put("scan", "/app/scan.xhtml");
      for (Map.Entry<String, String> e : pages.entrySet()) {
        p.navigate(portal.url(e.getValue()));
        problems.addAll(check(p, role + "-" + e.getKey()));
      }
      // The ledger evidence (long transaction ids and hashes) must wrap on a phone too.
      p.navigate(portal.url("/app/treatment.xhtml?k=" + k));
      id(p, "tForm:evidenceToggle").click();
      assertThat(p.locator(".ml-evidence").first()).isVisible();
      problems.addAll(check(p, role + "-treatment-evidence"));
      if (role.equals("patient")) {
        // The consent's QR code fits the phone's screen.
        p.navigate(portal.url("/app/new-treatment.xhtml"));
        id(p, "newForm:title").fill("Sore throat");
        id(p, "newForm:doctor_input").selectOption(new SelectOption().setIndex(1), new Locator.SelectOptionOptions().setForce(true));
        id(p, "newForm:create").click();
        assertThat(p.locator("#consentQr")).isVisible();
        problems.addAll(check(p, "patient-consent"));
        p.setViewportSize(PHONE_WIDTH, 844);
        double qrWidth = ((Number) p.evaluate("() => document.getElementById('consentQr').getBoundingClientRect().right")).doubleValue();
        if (qrWidth > PHONE_WIDTH) problems.add("patient-consent: the QR code reaches " + qrWidth + " px on a " + PHONE_WIDTH + " px phone");
      }
      p.context().close();
    }

    Page admin = adminLogin();
    problems.addAll(check(admin, "administrator-index"));
    id(admin, "admin:role_input").selectOption(new SelectOption().setValue("DOCTOR"), new Locator.SelectOptionOptions().setForce(true));
    id(admin, "admin:displayName").fill("Dr. Hannah Longname-Example");
    id(admin, "admin:institution").fill("Saint Bartholomew's Teaching Hospital of the University");
    id(admin, "admin:invite").click();
    assertThat(id(admin, "admin:invitationLink")).containsText("/register.xhtml?invitation=");
    problems.addAll(check(admin, "administrator-invitation"));
    admin.context().close();

    assertThat(problems).as("accessibility and phone problems").isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // The side menu

  @Test
  @Order(2)
  void theSideMenuCollapsesOnAPhoneAndWorksByKeyboard() {
    Page p = login("patient");
    // Desktop: the menu is open, its links are reached with Tab and followed with Enter.
    Locator directory = p.locator("nav.ml-menu a", new Page.LocatorOptions().setHasText("Directory"));
    assertThat(directory).isVisible();
    boolean reached = false;
    for (int i = 0; i < 40 && !reached; i++) {
      p.keyboard().press("Tab");
      reached = (Boolean) p.evaluate("() => (document.activeElement.textContent || '').trim() === 'Directory'");
    }
    assertThat(reached).as("the menu's Directory link is reached by Tab").isTrue();
    p.keyboard().press("Enter");
    p.waitForURL(Pattern.compile(".*/app/directory\\.xhtml.*"));

    // Phone: the menu hides behind a button that says whether it is open.
    p.setViewportSize(PHONE_WIDTH, 844);
    Locator toggle = p.locator("#menuToggle");
    assertThat(toggle).isVisible();
    assertThat(toggle).hasAttribute("aria-expanded", "false");
    Locator settings = p.locator("nav.ml-menu a", new Page.LocatorOptions().setHasText("Settings"));
    assertThat(settings).isHidden();
    toggle.focus();
    p.keyboard().press("Enter");
    assertThat(toggle).hasAttribute("aria-expanded", "true");
    assertThat(settings).isVisible();
    p.keyboard().press("Tab"); // the first menu link follows the button
    assertThat(p.locator("nav.ml-menu a").first()).isFocused();
    settings.focus();
    p.keyboard().press("Enter");
    p.waitForURL(Pattern.compile(".*/app/settings\\.xhtml.*"));
    assertThat(p.locator("#menuToggle")).hasAttribute("aria-expanded", "false");
    // Escape closes an open menu and gives the focus back to the button.
    p.locator("#menuToggle").click();
    assertThat(settings).isVisible();
    p.keyboard().press("Escape");
    assertThat(settings).isHidden();
    assertThat(p.locator("#menuToggle")).isFocused();
    p.context().close();
  }

  // ---------------------------------------------------------------------------------------------
  // Messages: each once, next to its field, all at once

  @Test
  @Order(3)
  void formsNameEveryMissingFieldAtOnceNextToItAndShowEachMessageOnce() throws IOException {
    Page p = page();
    p.navigate(portal.url("/register.xhtml"));
    id(p, "register:submit").click();
    expectFieldErrors(p, Map.of("register:role", "Role is required", "register:displayName", "Your name is required",
        "register:username", "User name is required", "register:password", "Password is required",
        "register:password2", "Password again is required"));
    assertThat(p.locator("body")).not().containsText("differ");
    // Two different passwords: said at the second one, once.
    id(p, "register:role_input").selectOption(new SelectOption().setValue("PATIENT"), new Locator.SelectOptionOptions().setForce(true));
    id(p, "register:displayName").fill("Irene Twice");
    id(p, "register:username").fill("irene");
    id(p, "register:password").fill(PW);
    id(p, "register:password2").fill(PW + " but other");
    id(p, "register:submit").click();
    expectFieldErrors(p, Map.of("register:password2", "The two passwords differ"));

    p.navigate(portal.url("/login.xhtml"));
    id(p, "login:submit").click();
    expectFieldErrors(p, Map.of("login:username", "User name is required", "login:password", "Password is required"));
    id(p, "login:username").fill("nobody-here");
    id(p, "login:password").fill("not the password");
    id(p, "login:submit").click();
    assertThat(id(p, "login:messages")).containsText("Wrong user name or password");
    expectOnce(p, "Wrong user name or password");

    p.navigate(portal.url("/forgot-password.xhtml"));
    id(p, "forgot:submit").click();
    expectFieldErrors(p, Map.of("forgot:username", "User name is required", "forgot:code", "Recovery code is required",
        "forgot:password", "New password is required", "forgot:password2", "New password again is required"));
    assertThat(p.locator("body")).not().containsText("differ");

    p.navigate(portal.url("/administrator.xhtml?setup=true"));
    id(p, "setup:create").click();
    expectFieldErrors(p, Map.of("setup:code", "Setup code is required", "setup:username", "Administrator name is required",
        "setup:password", "Password is required", "setup:password2", "Password again is required"));
    p.navigate(portal.url("/administrator.xhtml"));
    id(p, "adminLogin:submit").click();
    expectFieldErrors(p, Map.of("adminLogin:username", "Administrator name is required", "adminLogin:password", "Password is required"));
    p.context().close();

    Page patient = login("patient");
    patient.navigate(portal.url("/app/settings.xhtml"));
    id(patient, "sForm:change").click();
    expectFieldErrors(patient, Map.of("sForm:current", "Current password is required", "sForm:next", "New password is required",
        "sForm:next2", "New password again is required"));
    id(patient, "sForm:current").fill(passwords.get("patient"));
    id(patient, "sForm:next").fill(PW);
    id(patient, "sForm:next2").fill(PW + " but other");
    id(patient, "sForm:change").click();
    expectFieldErrors(patient, Map.of("sForm:next2", "The two new passwords differ"));

    patient.navigate(portal.url("/app/new-treatment.xhtml"));
    id(patient, "newForm:create").click();
    expectFieldErrors(patient, Map.of("newForm:title", "Reason for the visit is required", "newForm:doctor", "Doctor is required"));
    patient.context().close();

    Page admin = adminLogin();
    id(admin, "admin:invite").click();
    expectFieldErrors(admin, Map.of("admin:role", "Role is required", "admin:displayName", "Name is required",
        "admin:institution", "Institution is required"));
    admin.context().close();
  }

  /**
   * Each field shows its message next to it (the element its input's aria-describedby names),
   * the input is marked invalid, every message is on the page once, and no pop-up repeats it.
   */
  private static void expectFieldErrors(Page p, Map<String, String> errors) {
    for (Map.Entry<String, String> e : errors.entrySet()) {
      Locator message = id(p, e.getKey() + "Message");
      assertThat(message).containsText(e.getValue());
      // The message is on the page as soon as it is parsed; js/form-messages.js ties it to its
      // field when the document has loaded (DOMContentLoaded), which on a slow network or a busy
      // machine comes later. A screen reader reads the page once it has loaded: so do we.
      p.waitForLoadState(LoadState.DOMCONTENTLOADED);
      String described = (String) p.evaluate("""
          id => {
            const f = document.getElementById(id);
            const input = f && (f.matches('input,textarea,select') ? f : f.querySelector('input:not([type=hidden]),textarea,select'));
            if (!input) return 'no input ' + id;
            const byId = document.getElementById(id + '_focus') || document.getElementById(id + '_input');
            const target = byId && byId.getAttribute('aria-describedby') ? byId : input;
            if (target.getAttribute('aria-invalid') !== 'true') return 'not aria-invalid';
            const ids = (target.getAttribute('aria-describedby') || '').split(/\\s+/).filter(x => x);
            return ids.map(x => document.getElementById(x)).filter(x => x).map(x => x.textContent).join(' | ');
          }""", e.getKey());
      assertThat(described).as("what describes " + e.getKey()).contains(e.getValue());
      expectOnce(p, e.getValue());
    }
  }

  private static void expectOnce(Page p, String text) {
    String body = (String) p.evaluate("() => document.body.innerText");
    int n = 0;
    for (int i = body.indexOf(text); i >= 0; i = body.indexOf(text, i + 1)) n++;
    assertThat(n).as("how often '" + text + "' is on the page").isEqualTo(1);
    assertThat(p.locator(".ui-growl-item")).hasCount(0);
  }

  // ---------------------------------------------------------------------------------------------
  // The empty dashboard

  @Test
  @Order(4)
  void anEmptyDashboardSaysWhatToDoFirst() throws IOException {
    Map<String, String> first = new LinkedHashMap<>();
    first.put("PATIENT", "Start a treatment");
    first.put("FAMILY", "Share your card");
    first.put("DOCTOR", "Scan a patient's consent");
    first.put("PHARMACIST", "Share your card");
    first.put("INSURER", "Share your card");
    first.put("LAWYER", "Share your card");
    Page admin = adminLogin();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : first.entrySet()) {
      String user = "new-" + e.getKey().toLowerCase(Locale.ROOT);
      Page p = page();
      if (e.getKey().equals("PATIENT") || e.getKey().equals("FAMILY")) {
        p.navigate(portal.url("/register.xhtml"));
        id(p, "register:role_input").selectOption(new SelectOption().setValue(e.getKey()), new Locator.SelectOptionOptions().setForce(true));
        id(p, "register:displayName").fill("Newcomer " + e.getKey().toLowerCase(Locale.ROOT));
      } else {
        id(admin, "admin:role_input").selectOption(new SelectOption().setValue(e.getKey()), new Locator.SelectOptionOptions().setForce(true));
        id(admin, "admin:displayName").fill("Newcomer " + e.getKey().toLowerCase(Locale.ROOT));
        id(admin, "admin:institution").fill("New Institution");
        id(admin, "admin:invite").click();
        Locator link = id(admin, "admin:invitationLink");
        assertThat(link).containsText("/register.xhtml?invitation=");
        p.navigate(link.textContent().trim());
      }
      id(p, "register:username").fill(user);
      id(p, "register:password").fill(PW);
      id(p, "register:password2").fill(PW);
      id(p, "register:submit").click();
      assertThat(p.locator("#recoveryText")).containsText("MLRK1-");
      if (e.getKey().equals("PATIENT")) problems.addAll(check(p, "public-register-kit"));
      loginAs(p, user, PW);
      Locator hint = p.locator("#firstSteps");
      assertThat(hint).containsText(e.getValue());
      problems.addAll(check(p, "new-" + e.getKey().toLowerCase(Locale.ROOT) + "-dashboard"));
      p.context().close();
    }
    admin.context().close();
    assertThat(problems).as("accessibility and phone problems").isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // The checks of one page

  private static final String STRUCTURE = """
      () => {
        const out = [];
        if (!document.documentElement.getAttribute('lang')) out.push('the html element has no lang');
        const h1 = document.querySelectorAll('h1').length;
        if (h1 !== 1) out.push(h1 + ' h1 elements (one wanted)');
        const main = document.querySelectorAll('main, [role=main]').length;
        if (main !== 1) out.push(main + ' main landmarks (one wanted)');
        return out;
      }""";

  private static final String OVERFLOW = """
      () => {
        const d = document.documentElement;
        if (d.scrollWidth <= d.clientWidth) return null;
        const wide = [];
        for (const e of document.body.querySelectorAll('*')) {
          const r = e.getBoundingClientRect();
          if (r.right > d.clientWidth + 1 && r.width > 0) {
            wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') + ' → ' + Math.round(r.right));
          }
        }
        return 'scrollWidth ' + d.scrollWidth + ' > ' + d.clientWidth + ': ' + wide.slice(0, 8).join(', ');
      }""";

  private static final String AXE_RUN = """
      async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
            + v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 160) + ']' : '')).join(' | '));
      }""";

  /** axe, structure and (on the phone) overflow of the page as it is, desktop then phone; screenshots of both. */
  @SuppressWarnings("unchecked")
  private static List<String> check(Page p, String name) {
    p.waitForLoadState(); // a page reached by a form post: the whole of it, its scripts run
    List<String> out = new ArrayList<>();
    for (int[] size : new int[][] {{1366, 900}, {PHONE_WIDTH, 844}}) {
      boolean phone = size[0] == PHONE_WIDTH;
      String where = name + (phone ? " (phone)" : " (desktop)");
      p.setViewportSize(size[0], size[1]);
      p.waitForFunction("w => document.documentElement.clientWidth <= w", size[0]);
      p.screenshot(new Page.ScreenshotOptions().setFullPage(true)
          .setPath(shots.resolve("a11y-" + name + (phone ? "-phone" : "-desktop") + ".png")));
      for (String s : (List<String>) p.evaluate(STRUCTURE)) out.add(where + ": " + s);
      if (phone) {
        Object overflow = p.evaluate(OVERFLOW);
        if (overflow != null) out.add(where + ": horizontal scrolling, " + overflow);
      }
      if (!(Boolean) p.evaluate("() => typeof window.axe === 'object'")) p.evaluate(axe);
      for (String v : (List<String>) p.evaluate(AXE_RUN)) out.add(where + ": " + v);
    }
    p.setViewportSize(1366, 900);
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  private static Page page() {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
    ctx.setDefaultTimeout(60_000);
    return ctx.newPage();
  }

  private static Page login(String user) {
    Page p = page();
    loginAs(p, user, passwords.get(user));
    return p;
  }

  private static void loginAs(Page p, String user, String password) {
    p.navigate(portal.url("/login.xhtml"));
    id(p, "login:username").fill(user);
    id(p, "login:password").fill(password);
    id(p, "login:submit").click();
    p.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
  }

  private static Page adminLogin() {
    Page p = page();
    p.navigate(portal.url("/administrator.xhtml"));
    id(p, "adminLogin:username").fill("admin");
    id(p, "adminLogin:password").fill(passwords.get("admin"));
    id(p, "adminLogin:submit").click();
    p.waitForURL(Pattern.compile(".*/admin/index\\.xhtml.*"));
    return p;
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }
}
