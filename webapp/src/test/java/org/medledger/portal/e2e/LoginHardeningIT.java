package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.SelectOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logins under attack, over HTTP against a portal with the product's Argon2id cost (64 MiB,
 * t = 3): parallel wrong passwords for one account, a storm of 110 simultaneous logins while a
 * logged-in doctor opens a treatment, the message for an unknown user, and the recovery kit
 * (print, download, no wrap inside a group, "Forgot password?" through the pages). One portal
 * process for all of it. The per-address delay is set out of reach here (every request comes
 * from 127.0.0.1); PortalServicesIT tests it with distinct addresses.
 */
class LoginHardeningIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final String PW = "correct horse battery";
  private static final Pattern VIEW_STATE = Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]*)\"");
  /** The page's CSP nonce, which PrimeFaces' script posts with every form (a browser does it by itself). */
  private static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");
  private static final Pattern SUMMARY = Pattern.compile("class=\"ui-messages-(?:error|warn|info)-summary\">([^<]*)<");
  private static final Pattern TRY_AGAIN = Pattern.compile("try again in (\\d+) s");

  private static PortalProcess portal;
  private static Playwright playwright;
  private static Browser browser;
  private static Vouching vouching;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM),
        "skipped: /usr/bin/chromium is missing (install it with 'apt-get install -y chromium')");
    Path data = Path.of(System.getProperty("medledger.itData", "target/it-data")).toAbsolutePath()
        .resolve("login-" + System.currentTimeMillis());
    portal = PortalProcess.start(data, List.of("-Dmedledger.argon2=rfc9106",
        "-Dmedledger.login.address-free-failures=1000000"));
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

  // ------------------------------------------------------------------ item 2: throttling

  @Test
  void twentyParallelWrongPasswordsAreNotAllEvaluatedAndTheRightOneRightAfterIsRefused() throws Exception {
    String user = "victim";
    register(page(), "PATIENT", "Vic Tim", "Private", user);
    List<Answer> answers = parallelLogins(20, i -> new String[] {user, "wrong guess " + i});
    Map<Integer, Integer> statuses = statuses(answers);
    long evaluated = answers.stream().filter(a -> "Wrong user name or password.".equals(a.message)).count();
    long delayed = answers.stream().filter(a -> a.message != null && TRY_AGAIN.matcher(a.message).find()).count();
    System.out.printf("20 parallel wrong passwords: statuses %s, evaluated %d, told to wait %d%n", statuses, evaluated, delayed);
    assertThat(statuses.keySet()).isSubsetOf(200, 429, 503);
    assertThat(evaluated).as("wrong passwords that reached Argon2id").isLessThanOrEqualTo(4).isLessThan(20);
    assertThat(answers).filteredOn(a -> a.status == 429 || a.status == 503).allSatisfy(a -> assertThat(a.retryAfter).isNotNull());

    Answer right = login(user, PW);
    assertThat(right.status).as("the right password right after").isEqualTo(429);
    assertThat(right.message).containsPattern(TRY_AGAIN);
    assertThat(right.retryAfter).isNotNull();
    assertThat(Long.parseLong(right.retryAfter)).isPositive();
  }

  @Test
  void anUnknownUserGetsExactlyTheWrongPasswordAnswer() throws Exception {
    register(page(), "PATIENT", "Known Person", "Private", "known");
    Answer known = login("known", "not the password");
    Answer unknown = login("nobody-here", "not the password");
    assertThat(unknown.status).isEqualTo(known.status).isEqualTo(200);
    assertThat(unknown.message).isEqualTo(known.message).isEqualTo("Wrong user name or password.");
  }

  // --------------------------------------- item 2 under load, then item 5 through the pages

  @Test
  void aLoginStormGetsNo500TheDoctorStillWritesAndTheRecoveryKitRestoresThePatient() throws Exception {
    Page patient = page(), doctor = page();
    String kit = register(patient, "PATIENT", "Alice Storm", "Private", "storm-patient");
    register(doctor, "DOCTOR", "Dr. Storm", "Storm Hospital", "storm-doctor");
    register(page(), "PHARMACIST", "Stormy Pharma", "Storm Pharmacy", "storm-other");
    browserLogin(patient, "storm-patient", PW);
    browserLogin(doctor, "storm-doctor", PW);

    // The patient's consent QR code (doctor only).
    patient.navigate(portal.url("/app/new-treatment.xhtml"));
    Locator doctorSelect = id(patient, "newForm:doctor_input");
    doctorSelect.selectOption(new SelectOption().setValue(doctorSelect.locator("option").nth(1).getAttribute("value")),
        new Locator.SelectOptionOptions().setForce(true));
    id(patient, "newForm:title").fill("Check-up during a login storm");
    id(patient, "newForm:create").click();
    Path consentPng = portal.dataDir.resolve("storm-consent.png");
    Files.write(consentPng, dataUri(patient.locator("#consentQr").getAttribute("src")));
    doctor.navigate(portal.url("/app/scan.xhtml"));
    id(doctor, "scanForm:picture").setInputFiles(consentPng);
    id(doctor, "scanForm:read").click(); // who and what, before opening
    assertThat(doctor.locator("#coverTitle").textContent()).isEqualTo("Check-up during a login storm");

    // 110 simultaneous logins (right passwords, wrong ones, unknown names); meanwhile the
    // logged-in doctor opens the treatment (a Store of txtc).
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(110);
    List<Future<Answer>> storm = new ArrayList<>();
    List<Prepared> forms = new ArrayList<>();
    for (int i = 0; i < 110; i++) forms.add(prepare());
    for (int i = 0; i < 110; i++) {
      Prepared f = forms.get(i);
      String[] who = switch (i % 3) {
        case 0 -> new String[] {"storm-other", PW};
        case 1 -> new String[] {"storm-other", "a wrong password " + i};
        default -> new String[] {"ghost-" + i, "a wrong password"};
      };
      storm.add(pool.submit(() -> {
        go.await();
        return f.post(who[0], who[1]);
      }));
    }
    go.countDown();
    id(doctor, "scanForm:open").click();
    doctor.waitForURL(Pattern.compile(".*/app/treatment\\.xhtml\\?k=[0-9a-f]{64}.*"));
    String k = doctor.url().replaceAll(".*k=([0-9a-f]{64}).*", "$1");
    List<Answer> answers = new ArrayList<>();
    for (Future<Answer> f : storm) answers.add(f.get());
    pool.shutdown();
    Map<Integer, Integer> statuses = statuses(answers);
    System.out.printf("110 simultaneous logins: statuses %s%n", statuses);
    assertThat(statuses.keySet()).as("HTTP statuses of the storm").isSubsetOf(200, 302, 429, 503);
    assertThat(statuses).as("some were told the portal is busy").containsKey(503);
    assertThat(answers).filteredOn(a -> a.status == 503).allSatisfy(a -> {
      assertThat(a.retryAfter).isNotNull();
      assertThat(a.message).contains("busy");
    });

    // The treatment goes on: the patient accepts, the doctor writes.
    patient.navigate(portal.url("/app/treatment.xhtml?k=" + k));
    id(patient, "tForm:accept").click();
    assertThat(id(patient, "tForm:messages").textContent()).contains("You accepted the invitation");
    doctor.navigate(portal.url("/app/treatment.xhtml?k=" + k));
    assertThat(doctor.locator("#status").textContent()).contains("Key ready");
    id(doctor, "tForm:message").fill("Diagnosis written during a login storm.");
    id(doctor, "tForm:write").click();
    assertThat(id(doctor, "tForm:messages").textContent()).contains("Your record is on the ledger");

    // Item 5: the patient forgot the password; the recovery kit sets a new one (σ rewrapped).
    Page p = page();
    p.navigate(portal.url("/login.xhtml"));
    id(p, "login:forgotLink").click();
    p.waitForURL(Pattern.compile(".*/forgot-password\\.xhtml.*"));
    id(p, "forgot:username").fill("storm-patient");
    id(p, "forgot:code").fill(kit.replace("-", " ").toLowerCase()); // as someone might type it
    id(p, "forgot:password").fill("a brand new password");
    id(p, "forgot:password2").fill("a different one");
    id(p, "forgot:submit").click();
    assertThat(id(p, "forgot:password2Message").textContent()).contains("differ");
    id(p, "forgot:username").fill("storm-doctor"); // someone else's name with this kit
    id(p, "forgot:code").fill(kit);
    id(p, "forgot:password").fill("a brand new password");
    id(p, "forgot:password2").fill("a brand new password");
    id(p, "forgot:submit").click();
    assertThat(id(p, "forgot:messages").textContent()).contains("do not match");
    id(p, "forgot:username").fill("storm-patient");
    id(p, "forgot:code").fill(kit);
    id(p, "forgot:password").fill("a brand new password");
    id(p, "forgot:password2").fill("a brand new password");
    shot(p, "forgot-password");
    id(p, "forgot:submit").click();
    p.waitForURL(Pattern.compile(".*/login\\.xhtml.*"));
    assertThat(id(p, "login:messages").textContent()).contains("new password is set");

    assertThat(login("storm-patient", PW).message).isEqualTo("Wrong user name or password.");
    browserLogin(p, "storm-patient", "a brand new password");
    p.navigate(portal.url("/app/treatment.xhtml?k=" + k));
    assertThat(p.locator(".txd-text").first().textContent()).contains("written during a login storm");
  }

  // ------------------------------------------------------------------ helpers

  private Page page() {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900).setAcceptDownloads(true));
    ctx.setDefaultTimeout(60_000);
    return ctx.newPage();
  }

  private static void shot(Page p, String name) {
    Path dir = Path.of(System.getProperty("medledger.screenshots", "target/screenshots")).toAbsolutePath();
    p.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name + ".png")).setFullPage(true));
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  // ------------------------------------------------------------------ item 5: the kit page

  @Test
  void theRecoveryKitOffersPrintAndDownloadAndNeverWrapsInsideAGroup() throws Exception {
    Page p = page();
    String kit = register(p, "FAMILY", "Kit Keeper", "Private", "kit-keeper");
    Locator groups = p.locator("#recoveryText .ml-kit-group");
    assertThat(groups.count()).isEqualTo(16);
    for (int i = 0; i < groups.count(); i++) {
      assertThat(groups.nth(i).evaluate("e => getComputedStyle(e).whiteSpace")).isEqualTo("nowrap");
    }
    // A narrow window: each group stays on one line (its height is one line of the code).
    p.setViewportSize(360, 800);
    double line = ((Number) groups.first().evaluate("e => e.getBoundingClientRect().height")).doubleValue();
    for (int i = 0; i < groups.count(); i++) {
      assertThat(((Number) groups.nth(i).evaluate("e => e.getBoundingClientRect().height")).doubleValue()).isEqualTo(line);
    }
    assertThat(p.locator("#kitPrint").count()).isEqualTo(1);
    shot(p, "recovery-kit-narrow");
    Download d = p.waitForDownload(() -> p.locator("#kitDownload").click());
    assertThat(d.suggestedFilename()).isEqualTo("medledger-recovery-kit-keeper.txt");
    assertThat(Files.readString(d.path())).contains(kit).contains("kit-keeper");

    // The same display in Settings, after the password.
    p.setViewportSize(1366, 900);
    browserLogin(p, "kit-keeper", PW);
    p.navigate(portal.url("/app/settings.xhtml"));
    id(p, "sForm:kitPassword").fill(PW);
    id(p, "sForm:showKit").click();
    assertThat(p.locator("#recoveryText").textContent().trim()).isEqualTo(kit);
    assertThat(p.locator("#recoveryText .ml-kit-group").count()).isEqualTo(16);
    assertThat(p.locator("#kitDownload").getAttribute("download")).isEqualTo("medledger-recovery-kit-keeper.txt");
    shot(p, "settings-recovery-kit");
  }

  /** Registers through the page (a professional through an invitation); returns the recovery kit's text. */
  private String register(Page p, String role, String name, String institution, String user) throws IOException {
    vouching.register(p, role, name, institution, user, PW);
    String kit = p.locator("#recoveryText").textContent().trim();
    assertThat(kit).as("recovery kit of " + user).matches("MLRK1(-[A-Z2-7]{1,4}){15}");
    return kit;
  }

  private void browserLogin(Page p, String user, String password) {
    p.navigate(portal.url("/login.xhtml"));
    id(p, "login:username").fill(user);
    id(p, "login:password").fill(password);
    id(p, "login:submit").click();
    p.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
  }

  record Answer(int status, String retryAfter, String message) {}

  /** A login form fetched (its session cookie and view state), ready to be posted. */
  record Prepared(String cookie, String viewState, String nonce) {
    Answer post(String user, String password) throws IOException {
      HttpURLConnection c = (HttpURLConnection) URI.create(portal.url("/login.xhtml")).toURL().openConnection();
      c.setInstanceFollowRedirects(false);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setConnectTimeout(10_000);
      c.setReadTimeout(120_000);
      c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
      if (cookie != null) c.setRequestProperty("Cookie", cookie);
      String body = form("login", "login", "login:username", user, "login:password", password, "login:submit", "",
          "jakarta.faces.ViewState", viewState, "primefaces.nonce", nonce);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      int status = c.getResponseCode();
      String text;
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Matcher m = SUMMARY.matcher(text);
      return new Answer(status, c.getHeaderField("Retry-After"), m.find() ? unescape(m.group(1)).trim() : null);
    }
  }

  private static Prepared prepare() throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(portal.url("/login.xhtml")).toURL().openConnection();
    String text;
    try (InputStream in = c.getInputStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String cookie = null;
    for (String h : c.getHeaderFields().getOrDefault("Set-Cookie", List.of())) {
      if (h.startsWith("JSESSIONID=")) cookie = h.substring(0, h.indexOf(';') < 0 ? h.length() : h.indexOf(';'));
    }
    Matcher m = VIEW_STATE.matcher(text);
    assertThat(m.find()).as("the login form's view state").isTrue();
    Matcher n = NONCE.matcher(text);
    assertThat(n.find()).as("the login page's CSP nonce").isTrue();
    return new Prepared(cookie, unescape(m.group(1)), n.group(1));
  }

  private static Answer login(String user, String password) throws IOException {
    return prepare().post(user, password);
  }

  private static List<Answer> parallelLogins(int n, java.util.function.IntFunction<String[]> who) throws Exception {
    List<Prepared> forms = new ArrayList<>();
    for (int i = 0; i < n; i++) forms.add(prepare());
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Answer>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Prepared f = forms.get(i);
        String[] w = who.apply(i);
        fs.add(pool.submit(() -> {
          go.await();
          return f.post(w[0], w[1]);
        }));
      }
      go.countDown();
      List<Answer> out = new ArrayList<>();
      for (Future<Answer> f : fs) out.add(f.get());
      return out;
    } finally {
      pool.shutdown();
    }
  }

  private static Map<Integer, Integer> statuses(List<Answer> answers) {
    Map<Integer, Integer> m = new TreeMap<>();
    for (Answer a : answers) m.merge(a.status, 1, Integer::sum);
    return m;
  }

  private static String form(String... kv) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      if (sb.length() > 0) sb.append('&');
      sb.append(URLEncoder.encode(kv[i], StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  private static byte[] dataUri(String src) {
    return Base64.getDecoder().decode(src.substring(src.indexOf(',') + 1));
  }
}
