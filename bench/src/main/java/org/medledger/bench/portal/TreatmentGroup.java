package org.medledger.bench.portal;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.SelectOption;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One virtual user of the load run: a treatment group of six accounts (patient, family, doctor,
 * pharmacist, insurer, lawyer), each in its own browser context of one headless Chromium, that
 * register, log in and run the paper's whole flow through the portal's pages, {@code treatments}
 * times. Every step is timed until its confirmation is visible; a failed step is recorded with a
 * short reason and a screenshot, and ends that treatment (or the group, before the first one).
 * Playwright objects are used on this group's own thread only.
 */
final class TreatmentGroup implements Runnable {
  static final List<String> ROLES = List.of("patient", "family", "doctor", "pharmacist", "insurer", "lawyer");
  static final List<String> ACCEPTORS = List.of("patient", "family", "pharmacist", "insurer", "lawyer");
  private static final String PW = "correct horse battery staple";
  private static final Pattern TREATMENT_URL = Pattern.compile(".*/app/treatment\\.xhtml\\?k=([0-9a-f]{64}).*");
  private static final Pattern DASHBOARD_URL = Pattern.compile(".*/app/dashboard\\.xhtml.*");

  /** What the run gives every group. */
  record Settings(String baseUrl, String runTag, int treatments, long timeoutMs, long deadlineNanos, long startNanos,
      boolean paste, Path chromium, Path screenshots, Consumer<Sample> sink, Consumer<String> progress,
      String adminName, String adminPassword) {}

  private final Settings s;
  private final int group;
  private final Map<String, Page> pages = new LinkedHashMap<>();
  private final Map<String, String> index = new LinkedHashMap<>();
  /** Per account, its page's last requests and responses: written beside a failure's screenshot. */
  private final Map<String, java.util.ArrayDeque<String>> traffic = new LinkedHashMap<>();
  private int treatment; // 0 while the accounts are set up
  private byte[] consentPng; // the picture the doctor uploads: kept beside a failed scan's screenshot

  TreatmentGroup(Settings settings, int group) {
    this.s = settings;
    this.group = group;
  }

  /** A step that failed: already recorded. */
  private static final class StepFailed extends Exception {
    StepFailed(String m) {
      super(m, null, false, false);
    }
  }

  /** A check that did not hold, with the short reason to record. */
  private static final class Refused extends RuntimeException {
    Refused(String m) {
      super(m, null, false, false);
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T run();
  }

  @Override
  public void run() {
    Playwright pw = null;
    Browser browser = null;
    long t0 = System.nanoTime();
    try {
      try {
        pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(s.chromium()).setHeadless(true)
            .setTimeout(s.timeoutMs())
            .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                // nothing but the portal: no other name resolves
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")));
      } catch (PlaywrightException e) {
        record("-", "browser", t0, shortReason(e));
        return;
      }
      record("-", "browser", t0, null); // Playwright's driver and Chromium started: not part of the flow
      t0 = System.nanoTime();
      if (!accounts(browser)) return;
      int done = 0;
      for (treatment = 1; treatment <= s.treatments(); treatment++) {
        long tt = System.nanoTime();
        try {
          oneTreatment();
          record("-", "flow:treatment", tt, null);
          done++;
        } catch (StepFailed e) {
          // recorded; the accounts are fine, the next treatment may still run
          if (pastDeadline()) break;
        }
      }
      treatment = 0;
      if (done == s.treatments()) record("-", "flow:group", t0, null);
    } catch (RuntimeException e) {
      record("-", "flow:group", t0, "unexpected: " + shortReason(e));
    } finally {
      for (Page p : pages.values()) {
        try {
          p.context().close();
        } catch (RuntimeException e) {
          // closing anyway
        }
      }
      if (browser != null) {
        try {
          browser.close();
        } catch (RuntimeException e) {
          // closing anyway
        }
      }
      if (pw != null) {
        try {
          pw.close();
        } catch (RuntimeException e) {
          // closing anyway
        }
      }
    }
  }

  // ----------------------------------------------------------------------------- the flow

  private String user(String role) {
    return s.runTag() + "-g" + group + "-" + role;
  }

  private String url(String path) {
    return s.baseUrl() + path;
  }

  /**
   * Six contexts; each account registers (the professionals through an invitation of the
   * portal's administrator, who logs in in a context of their own) and logs in; the family
   * member reads their card.
   */
  private boolean accounts(Browser browser) {
    try {
      BrowserContext adminCtx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
      adminCtx.setDefaultTimeout(s.timeoutMs());
      Page admin = adminCtx.newPage();
      pages.put("admin", admin);
      traffic.put("admin", new java.util.ArrayDeque<>());
      step("admin", "admin:login", () -> {
        BenchAdministrator.login(admin, s.baseUrl(), s.adminName(), s.adminPassword());
        return null;
      });
      for (String role : ROLES) {
        BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
        ctx.setDefaultTimeout(s.timeoutMs());
        ctx.setDefaultNavigationTimeout(s.timeoutMs());
        Page p = ctx.newPage();
        pages.put(role, p);
        java.util.ArrayDeque<String> log = new java.util.ArrayDeque<>();
        traffic.put(role, log);
        p.onRequest(r -> note(log, r.method() + " " + path(r.url())));
        p.onResponse(r -> note(log, r.status() + " " + r.request().method() + " " + path(r.url())));
        p.onWebSocket(w -> {
          note(log, "websocket " + path(w.url()));
          w.onFrameReceived(f -> note(log, "websocket frame received: " + cut(String.valueOf(f.text()), 80)));
        });
        boolean professional = !role.equals("patient") && !role.equals("family");
        String link = professional ? step("admin", "admin:invite",
            () -> BenchAdministrator.invite(admin, s.baseUrl(), role, displayName(role), institution(role))) : null;
        step(role, "page:register", () -> {
          open(p, professional ? link : url("/register.xhtml"));
          visible(p.locator("[id='register:submit']"), "the registration form");
          return null;
        });
        String idx = step(role, "register", () -> {
          if (!professional) {
            id(p, "register:role_input").selectOption(new SelectOption().setValue(role.toUpperCase(Locale.ROOT)),
                new Locator.SelectOptionOptions().setForce(true));
            id(p, "register:displayName").fill(displayName(role));
            id(p, "register:institution").fill(institution(role));
          }
          id(p, "register:username").fill(user(role));
          id(p, "register:password").fill(PW);
          id(p, "register:password2").fill(PW);
          id(p, "register:submit").click();
          confirm(p, p.locator("#recoveryText"), "the recovery kit");
          String text = p.locator("#recoveryText").textContent().trim();
          if (!text.startsWith("MLRK1-")) throw new Refused("no recovery kit: '" + cut(text, 40) + "'");
          return p.locator("#newIndex").textContent().trim();
        });
        index.put(role, idx);
      }
      for (String role : ROLES) {
        Page p = pages.get(role);
        step(role, "page:login", () -> {
          open(p, url("/login.xhtml"));
          visible(id(p, "login:submit"), "the login form");
          return null;
        });
        step(role, "login", () -> {
          id(p, "login:username").fill(user(role));
          id(p, "login:password").fill(PW);
          id(p, "login:submit").click();
          confirm(p, p.locator("#userName"), "the dashboard");
          if (!DASHBOARD_URL.matcher(p.url()).matches()) throw new Refused("not on the dashboard: " + p.url());
          return null;
        });
      }
      return true;
    } catch (StepFailed e) {
      return false;
    }
  }

  private void oneTreatment() throws StepFailed {
    Page patient = pages.get("patient");
    Page family = pages.get("family");
    Page doctor = pages.get("doctor");
    String tag = "g" + group + " t" + treatment;

    String familyCard = step("family", "page:card", () -> {
      open(family, url("/app/card.xhtml"));
      visible(family.locator("#cardText"), "the card");
      String c = family.locator("#cardText").textContent().trim();
      if (!c.startsWith("medledger-card:1:family:")) throw new Refused("not a family card: '" + cut(c, 40) + "'");
      return c;
    });

    step("patient", "page:new-treatment", () -> {
      open(patient, url("/app/new-treatment.xhtml"));
      visible(id(patient, "newForm:create"), "the new-treatment form");
      return null;
    });
    String[] consent = step("patient", "consent", () -> {
      // The pickers offer a page of the directory, not all of it: find each by participant
      // number (a find keeps what is already chosen).
      findOnNewTreatment(patient, index.get("doctor"));
      Locator doctorOption = patient.locator("[id='newForm:doctor_input'] option[value='" + index.get("doctor") + "']");
      doctorOption.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.ATTACHED));
      id(patient, "newForm:doctor_input").selectOption(new SelectOption().setValue(index.get("doctor")),
          new Locator.SelectOptionOptions().setForce(true));
      for (String[] x : new String[][] {{"pharmacists", "pharmacist"}, {"insurers", "insurer"}, {"lawyers", "lawyer"}}) {
        findOnNewTreatment(patient, index.get(x[1]));
        Locator box = patient.locator("input[name='newForm:" + x[0] + "'][value='" + index.get(x[1]) + "']");
        try {
          box.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.ATTACHED));
        } catch (TimeoutError e) {
          throw new Refused("the " + x[1] + " of this group is not offered");
        }
        box.check(new Locator.CheckOptions().setForce(true));
      }
      id(patient, "newForm:title").fill("Load test visit");
      id(patient, "newForm:family").fill(familyCard);
      id(patient, "newForm:create").click();
      confirm(patient, patient.locator("#consentText"), "the consent QR code");
      String text = patient.locator("#consentText").textContent().trim();
      if (!text.startsWith("medledger-consent:1:")) throw new Refused("not a consent: '" + cut(text, 40) + "'");
      return new String[] {text, patient.locator("#consentQr").getAttribute("src")};
    });

    step("doctor", "page:scan", () -> {
      open(doctor, url("/app/scan.xhtml"));
      visible(id(doctor, "scanForm:read"), "the scan form");
      return null;
    });
    String k = step("doctor", "scan", () -> {
      if (s.paste()) {
        id(doctor, "scanForm:code").fill(consent[0]);
      } else {
        byte[] png = Base64.getDecoder().decode(consent[1].substring(consent[1].indexOf(',') + 1));
        consentPng = png;
        id(doctor, "scanForm:picture").setInputFiles(new FilePayload("consent.png", "image/png", png));
      }
      id(doctor, "scanForm:read").click(); // who and what, then open
      confirm(doctor, id(doctor, "scanForm:open"), "the treatment's summary");
      id(doctor, "scanForm:open").click();
      confirm(doctor, doctor.locator("#status").filter(new Locator.FilterOptions().setHasText("Waiting for answers")),
          "the new treatment");
      Matcher m = TREATMENT_URL.matcher(doctor.url());
      if (!m.matches()) throw new Refused("not a treatment address: " + doctor.url());
      return m.group(1);
    });
    String treatmentUrl = url("/app/treatment.xhtml?k=" + k);

    for (String role : ACCEPTORS) {
      Page p = pages.get(role);
      step(role, "page:treatment", () -> {
        open(p, treatmentUrl);
        visible(id(p, "tForm:accept"), "the invitation");
        return null;
      });
      step(role, "accept", () -> {
        id(p, "tForm:accept").click();
        confirm(p, messages(p, "You accepted the invitation"), "the acceptance");
        return null;
      });
    }

    step("doctor", "page:treatment-key", () -> {
      open(doctor, treatmentUrl);
      confirm(doctor, doctor.locator("#status").filter(new Locator.FilterOptions().setHasText("Key ready")),
          "'Key ready'");
      return null;
    });
    String txd = "Diagnosis (" + tag + "): acute appendicitis; appendectomy on day 1.";
    write(doctor, "doctor", "txd", txd);

    String txm = "Amoxicillin 875 mg (" + tag + "), 2x daily for 7 days, 42.00 EUR.";
    Page pharmacist = pages.get("pharmacist");
    step("pharmacist", "page:treatment", () -> {
      open(pharmacist, treatmentUrl);
      visible(id(pharmacist, "tForm:write"), "the record form");
      return null;
    });
    write(pharmacist, "pharmacist", "txm", txm);

    String txa = "Claim accepted (" + tag + "): 80% reimbursed.";
    Page insurer = pages.get("insurer");
    step("insurer", "page:treatment", () -> {
      open(insurer, treatmentUrl);
      visible(id(insurer, "tForm:write"), "the record form");
      return null;
    });
    write(insurer, "insurer", "txa", txa);

    Page lawyer = pages.get("lawyer");
    step("lawyer", "page:casefile", () -> {
      open(lawyer, url("/app/casefile.xhtml?k=" + k));
      confirm(lawyer, lawyer.locator(".txa-text").filter(new Locator.FilterOptions().setHasText(txa)),
          "the insurer's record in the case file");
      for (String[] r : new String[][] {{"txd", txd}, {"txm", txm}}) {
        if (lawyer.locator("." + r[0] + "-text").filter(new Locator.FilterOptions().setHasText(r[1])).count() != 1) {
          throw new Refused("the case file lacks the " + r[0] + " record");
        }
      }
      int n = lawyer.locator(".ml-record").count();
      if (n != 9) throw new Refused("the case file shows " + n + " records, not 9 (txtc, 5 txtr, txd, txm, txa)");
      if (!lawyer.content().contains("Signed by")) throw new Refused("the case file shows no evidence");
      return null;
    });
  }

  private void write(Page p, String role, String type, String text) throws StepFailed {
    step(role, type, () -> {
      id(p, "tForm:message").fill(text);
      id(p, "tForm:write").click();
      confirm(p, messages(p, "Your record is on the ledger"), "'Your record is on the ledger'");
      visible(p.locator("." + type + "-text").filter(new Locator.FilterOptions().setHasText(text)), "the new record");
      return null;
    });
  }

  // ----------------------------------------------------------------------------- steps and waits

  private <T> T step(String role, String step, Body<T> body) throws StepFailed {
    if (pastDeadline()) {
      record(role, step, System.nanoTime(), "run deadline reached");
      throw new StepFailed("deadline");
    }
    long t0 = System.nanoTime();
    try {
      T v = body.run();
      record(role, step, t0, null);
      consentPng = null;
      return v;
    } catch (Refused | PlaywrightException e) {
      String reason = shortReason(e);
      record(role, step, t0, reason);
      screenshot(role, step);
      throw new StepFailed(reason);
    }
  }

  private boolean pastDeadline() {
    return System.nanoTime() > s.deadlineNanos();
  }

  private void record(String role, String step, long t0, String error) {
    long now = System.nanoTime();
    Sample x = new Sample(group, treatment, role, step, (t0 - s.startNanos()) / 1_000_000, (now - t0) / 1e6, error);
    s.sink().accept(x);
    s.progress().accept(String.format(Locale.ROOT, "[%6.1f s] g%-2d t%-2d %-10s %-19s %7.0f ms%s",
        (now - s.startNanos()) / 1e9, group, treatment, role, step, x.millis(), error == null ? "" : "  ERROR " + error));
  }

  private void screenshot(String role, String step) {
    Page p = pages.get(role);
    if (p == null) return;
    String name = String.format(Locale.ROOT, "g%d-t%d-%s-%s", group, treatment, role, step.replace(':', '-'));
    try {
      java.nio.file.Files.write(s.screenshots().resolve(name + ".txt"), traffic.get(role));
      if (step.equals("scan") && consentPng != null) {
        java.nio.file.Files.write(s.screenshots().resolve(name + "-consent.png"), consentPng);
      }
    } catch (java.io.IOException | RuntimeException e) {
      // no traffic log then
    }
    try {
      p.screenshot(new Page.ScreenshotOptions().setPath(s.screenshots().resolve(name + ".png")).setFullPage(true)
          .setTimeout(10_000));
    } catch (RuntimeException e) {
      // no picture then
    }
  }

  private void note(java.util.ArrayDeque<String> log, String what) {
    log.addLast(String.format(Locale.ROOT, "%9.3f s  %s", (System.nanoTime() - s.startNanos()) / 1e9, what));
    while (log.size() > 40) log.removeFirst();
  }

  private String path(String url) {
    return cut(url.startsWith(s.baseUrl()) ? url.substring(s.baseUrl().length()) : url, 120);
  }

  /** Loads a page; an HTTP error status fails the step at once. */
  private static void open(Page p, String url) {
    com.microsoft.playwright.Response r = p.navigate(url);
    if (r != null && r.status() >= 400) {
      String h1 = p.locator("h1").count() > 0 ? p.locator("h1").first().innerText().trim() : "";
      throw new Refused("HTTP " + r.status() + (h1.isEmpty() ? "" : ": " + cut(h1, 120)));
    }
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  private static Locator messages(Page p, String text) {
    return p.locator("[id$=':messages']").filter(new Locator.FilterOptions().setHasText(text));
  }

  private void visible(Locator l, String what) {
    try {
      l.first().waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(s.timeoutMs()));
    } catch (TimeoutError e) {
      throw new Refused(what + " did not appear within " + s.timeoutMs() / 1000 + " s");
    }
  }

  /**
   * Waits until {@code ok} is visible or the portal shows an error message (then fails with it);
   * gives up after the step timeout.
   */
  private void confirm(Page p, Locator ok, String what) {
    // a message of the page, a refusal, or the server's error page (HTTP 500 ...)
    Locator error = p.locator(".ui-messages-error, #refused, h1:has-text('HTTP Status')");
    try {
      ok.or(error).first().waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE)
          .setTimeout(s.timeoutMs()));
    } catch (TimeoutError e) {
      throw new Refused(what + " did not appear within " + s.timeoutMs() / 1000 + " s");
    }
    if (ok.count() > 0 && ok.first().isVisible()) return;
    String said = error.count() > 0 ? error.first().innerText().trim() : "?";
    throw new Refused("portal said: " + cut(said.replaceAll("\\s+", " "), 160));
  }

  private static String shortReason(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    // Playwright wraps some errors as "Error {\n  message='...'\n  name='Error'..."
    String first = m.lines().map(String::trim).filter(x -> !x.isEmpty() && !x.equals("Error {"))
        .map(x -> x.startsWith("message='") ? x.substring(9) : x).findFirst().orElse(m);
    if (e instanceof TimeoutError) {
      // "Timeout 60000ms exceeded." then Playwright's log, whose first line says what it was doing
      List<String> lines = m.lines().map(String::trim).filter(x -> !x.isEmpty()).toList();
      int logs = lines.indexOf(lines.stream().filter(x -> x.contains("= logs =")).findFirst().orElse(""));
      first = "timeout: " + first + (logs >= 0 && logs + 1 < lines.size() ? " " + lines.get(logs + 1) : "");
    }
    return cut(first, 200);
  }

  private static String cut(String x, int n) {
    return x.length() <= n ? x : x.substring(0, n) + "…";
  }

  private String displayName(String role) {
    return switch (role) {
      case "patient" -> "Alice Martin";
      case "family" -> "Bob Martin";
      case "doctor" -> "Dr. Claire Dubois";
      case "pharmacist" -> "David Chen";
      case "insurer" -> "Eva Novak";
      default -> "Frank Weber";
    } + " (" + s.runTag() + " g" + group + ")";
  }

  private static String institution(String role) {
    return switch (role) {
      case "doctor" -> "St. Mary's Hospital";
      case "pharmacist" -> "Central Pharmacy";
      case "insurer" -> "Mutual Health";
      case "lawyer" -> "Weber & Partners";
      default -> "Private";
    };
  }

  /** The new-treatment page's Find (a full post: the page comes back with the pickers narrowed). */
  private static void findOnNewTreatment(Page patient, String text) {
    patient.locator("[id='newForm:find']").fill(text);
    patient.waitForNavigation(() -> patient.locator("[id='newForm:findButton']").click());
  }
}
