package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The browser half of {@link LiveTreatmentPageIT}, in a class of its own so the in-container
 * half never loads Playwright's classes.
 */
final class LiveTreatmentBrowser {
  private LiveTreatmentBrowser() {}

  private static final Page.WaitForConditionOptions LIVE = new Page.WaitForConditionOptions().setTimeout(30_000);

  static void run(String base, Properties p, String password, Path shots) {
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String k = p.getProperty("k");
    String treatment = root + "/app/treatment.xhtml?k=" + k;
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      Page doctor = page(browser);
      Page pharmacist = page(browser);
      login(doctor, root, p.getProperty("doctor"), password);
      login(pharmacist, root, p.getProperty("pharmacist"), password);

      // The pharmacist's dashboard says what to do, in plain words.
      assertThat(pharmacist.locator(".ml-todo-item").allTextContents())
          .contains("Answer the invitation from " + p.getProperty("doctorName"));

      // The doctor opens the treatment once and keeps the page open; opening it reads its items.
      doctor.navigate(treatment);
      assertThat(doctor.locator("#status").textContent()).contains("1 of 2");
      assertThat(id(doctor, "tForm:write").count()).isZero();
      assertThat(doctor.locator("[id$='bellCount']").count()).as("the opened treatment's items are read").isZero();
      doctor.evaluate("window.mlNotReloaded = true"); // gone if the page were loaded again

      pharmacist.navigate(treatment);
      id(pharmacist, "tForm:accept").click();
      assertThat(pharmacist.locator("#waitingText").textContent()).contains("The doctor has not written the diagnosis yet");
      pharmacist.waitForLoadState(); // the whole page (its WebSocket set up at the end) before it waits for a push
      assertThat(id(pharmacist, "tForm:write").count()).isZero();
      pharmacist.evaluate("window.mlNotReloaded = true");

      // Live: the answer, the status and the writing card reach the doctor's open page.
      doctor.waitForCondition(() -> doctor.locator("#status").textContent().contains("Key ready"), LIVE);
      assertThat(doctor.locator(".ml-record strong").allTextContents()).filteredOn(t -> t.contains("Accepted the invitation")).hasSize(2);
      assertThat(doctor.locator("[id$='membersCard']").textContent()).contains("2 of 2 answered");
      doctor.waitForCondition(() -> id(doctor, "tForm:write").count() == 1, LIVE);
      assertThat(doctor.locator("[id$='bellCount']").count()).as("seen live on the open page").isZero();
      assertThat(doctor.evaluate("window.mlNotReloaded === true")).isEqualTo(true);
      doctor.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("doctor-live-key-ready.png")).setFullPage(true));
      id(doctor, "tForm:message").fill("Diagnosis: written on the page that updated by itself.");
      id(doctor, "tForm:write").click();
      assertThat(id(doctor, "tForm:messages").textContent()).contains("Your record is on the ledger");

      // The pharmacist's open page offers her the record once the diagnosis is there.
      pharmacist.waitForCondition(() -> id(pharmacist, "tForm:write").count() == 1, LIVE);
      assertThat(pharmacist.evaluate("window.mlNotReloaded === true")).isEqualTo(true);
      assertThat(pharmacist.locator(".txd-text").first().textContent()).contains("updated by itself");
      assertThat(pharmacist.locator("#waitingText").count()).isZero();
      id(pharmacist, "tForm:message").fill("Dispensed: nothing, live.");
      id(pharmacist, "tForm:write").click();
      assertThat(id(pharmacist, "tForm:messages").textContent()).contains("Your record is on the ledger");
      pharmacist.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("pharmacist-live-written.png")).setFullPage(true));

      // The patient: her treatment "was opened" (no invitation), and "Mark all read" clears the bell.
      Page patient = page(browser);
      login(patient, root, p.getProperty("patient"), password);
      patient.waitForCondition(() -> patient.locator(".ml-inbox-item").count() >= 3, LIVE);
      assertThat(patient.locator(".ml-inbox-item").allTextContents())
          .contains("Your treatment with " + p.getProperty("doctorName") + " was opened")
          .noneMatch(t -> t.toLowerCase().contains("invit"));
      assertThat(patient.locator("[id$='bellCount']").textContent().trim()).isEqualTo("3");
      id(patient, "inboxForm:markRead").click();
      patient.waitForCondition(() -> patient.locator("[id$='bellCount']").count() == 0, LIVE);
    }
  }

  /**
   * Issue 16: the patient keeps her treatment page open; a doctor who takes no part opens the
   * treatment in an emergency, saying why; he reads the diagnosis, and the patient's open page
   * shows the emergency banner and the access log entry by itself, without a reload.
   */
  static void emergency(String base, Properties p, String password, Path shots) {
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String k = p.getProperty("k");
    String erName = p.getProperty("erName");
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      Page patient = page(browser);
      Page er = page(browser);
      login(patient, root, p.getProperty("patient"), password);
      login(er, root, p.getProperty("er"), password);
      patient.navigate(root + "/app/treatment.xhtml?k=" + k);
      patient.locator("#emergencyAllowed").waitFor();
      assertThat(patient.locator(".ml-emergency-banner").count()).isZero();
      patient.evaluate("window.mlNotReloaded = true");

      er.navigate(root + "/app/emergency.xhtml?k=" + k);
      id(er, "eForm:reason").selectOption("1");
      id(er, "eForm:breakGlass").click();
      er.locator(".ml-emergency-record").first().waitFor();
      assertThat(er.locator(".ml-emergency-record .ml-text").allTextContents())
          .anyMatch(t -> t.contains("Allergic to penicillin"));
      assertThat(id(er, "eForm:messages").textContent()).contains("Everyone in this treatment has been told");
      assertThat(PlainWords.violations(er)).as("the emergency doctor's reading").isEmpty();
      er.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("emergency-doctor-reads.png")).setFullPage(true));

      // Live: the banner reaches the patient's open page; the access log lists the request and the reading.
      patient.waitForCondition(() -> patient.locator(".ml-emergency-banner").count() == 1
          && patient.locator(".ml-emergency-banner").textContent().contains(erName), LIVE);
      assertThat(patient.evaluate("window.mlNotReloaded === true")).isEqualTo(true);
      assertThat(patient.locator(".ml-emergency-banner").textContent())
          .contains(erName + " (doctor, City Emergency Service) asked for emergency access")
          .contains("The patient is unconscious or cannot communicate");
      patient.waitForCondition(() -> patient.locator("#accessLog li").allTextContents().stream()
          .anyMatch(t -> t.startsWith(erName + " (doctor, City Emergency Service) read the treatment in an emergency")), LIVE);
      assertThat(PlainWords.violations(patient)).as("the patient's page after emergency access").isEmpty();
      patient.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("patient-emergency-banner.png")).setFullPage(true));

      // The dashboard says it above everything else.
      patient.navigate(root + "/app/dashboard.xhtml");
      patient.locator(".ml-emergency-banner").waitFor();
      assertThat(patient.locator(".ml-emergency-banner").textContent())
          .contains("Emergency access: " + erName + " opened");
      // The treatment's last record is still the diagnosis: the access log is not its timeline.
      assertThat(patient.locator(".ml-treatment-link").first().locator("xpath=ancestor::tr").textContent())
          .contains("Diagnosis").doesNotContain("Emergency access allowed");
      patient.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("patient-emergency-dashboard.png")).setFullPage(true));

      // The rate limit: a doctor's fourth emergency access within 24 hours is refused in plain words,
      // and nothing of the treatment is shown.
      Page busy = page(browser);
      login(busy, root, p.getProperty("busy"), password);
      busy.navigate(root + "/app/emergency.xhtml?k=" + p.getProperty("fourth"));
      id(busy, "eForm:reason").selectOption("1");
      id(busy, "eForm:breakGlass").click();
      busy.locator("text=You have asked for emergency access").first().waitFor(new Locator.WaitForOptions().setTimeout(30_000));
      assertThat(id(busy, "eForm:messages").textContent())
          .contains("You have asked for emergency access 3 times in the last 24 hours, the most allowed.")
          .contains("Please contact the patient's doctors.");
      assertThat(busy.locator(".ml-emergency-record").count()).isZero();
      assertThat(busy.content()).doesNotContain("Treatment 4: diagnosis.");
      assertThat(PlainWords.violations(busy)).as("the refused emergency doctor's page").isEmpty();
      busy.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("emergency-limit-reached.png")).setFullPage(true));
    }
  }

  private static Page page(Browser browser) {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
    ctx.setDefaultTimeout(30_000);
    return ctx.newPage();
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  private static void login(Page p, String root, String user, String password) {
    p.navigate(root + "/login.xhtml");
    id(p, "login:username").fill(user);
    id(p, "login:password").fill(password);
    id(p, "login:submit").click();
    p.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
  }
}
