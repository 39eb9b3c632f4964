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
 * The browser half of {@link UnreadableAnswerPageIT}, in a class of its own so the in-container
 * half never loads Playwright's classes (they are not in the deployment).
 */
final class UnreadableAnswerBrowser {
  private UnreadableAnswerBrowser() {}

  static void run(String base, Properties p, String password, Path shots) {
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String anna = p.getProperty("anna");
    String sentence = anna + "'s answer could not be read. You can wait for a corrected answer or continue without " + anna + ".";
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      Page doctor = page(browser);
      Page pharmacist = page(browser);
      login(doctor, root, p.getProperty("doctor"), password);
      login(pharmacist, root, p.getProperty("pharmacist"), password);

      // 1. Wait for a corrected answer: the doctor is told in plain words, the pharmacist sends it again.
      String k1 = p.getProperty("replace");
      doctor.navigate(root + "/app/treatment.xhtml?k=" + k1);
      assertThat(doctor.locator("#status").textContent()).contains("An answer could not be read");
      String box = id(doctor, "tForm:unreadableBox").textContent();
      assertThat(box).contains(sentence);
      for (String jargon : new String[] {"txtr", "c_x", "κ0", "SIFF", "txk"}) assertThat(box).doesNotContain(jargon);
      assertThat(id(doctor, "tForm:write").count()).as("no record before the key").isZero();
      doctor.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("doctor-unreadable-answer.png")).setFullPage(true));

      pharmacist.navigate(root + "/app/treatment.xhtml?k=" + k1);
      assertThat(pharmacist.locator("#myAnswerUnreadable").textContent()).contains("Your answer could not be read by the doctor");
      pharmacist.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("pharmacist-answer-again.png")).setFullPage(true));
      id(pharmacist, "tForm:answerAgain").click();
      assertThat(id(pharmacist, "tForm:messages").textContent()).contains("Your answer was sent again");
      assertThat(pharmacist.locator("#myAnswerUnreadable").count()).isZero();

      doctor.navigate(root + "/app/treatment.xhtml?k=" + k1);
      assertThat(doctor.locator("#status").textContent()).contains("Key ready");
      assertThat(id(doctor, "tForm:unreadableBox").count()).isZero();
      assertThat(doctor.locator(".ml-text").allTextContents()).contains("sent their answer again");

      // 2. Continue without her: asked once more, then the key is fixed without her; she is told.
      String k2 = p.getProperty("leaveOut");
      doctor.navigate(root + "/app/treatment.xhtml?k=" + k2);
      assertThat(id(doctor, "tForm:unreadableBox").textContent()).contains(sentence);
      doctor.locator("button:has-text('Continue without " + anna + "')").click();
      assertThat(doctor.locator("#confirmText").textContent()).contains("Continue without " + anna + "?");
      doctor.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("doctor-confirm-without.png")).setFullPage(true));
      id(doctor, "tForm:confirmWithout").click();
      assertThat(id(doctor, "tForm:messages").textContent()).contains("The treatment key is established without " + anna);
      assertThat(doctor.locator(".txk-text").first().textContent())
          .contains("The doctor established the treatment key without " + anna);
      id(doctor, "tForm:message").fill("Diagnosis: written without the pharmacy.");
      id(doctor, "tForm:write").click();
      assertThat(id(doctor, "tForm:messages").textContent()).contains("Your record is on the ledger");

      pharmacist.navigate(root + "/app/treatment.xhtml?k=" + k2);
      assertThat(pharmacist.locator("#leftOut").textContent()).contains("You are not part of this treatment's key");
      assertThat(pharmacist.locator("#status").textContent()).contains("You are not part of this treatment's key");
      assertThat(id(pharmacist, "tForm:write").count()).isZero();
      assertThat(pharmacist.locator(".txd-text").first().textContent()).doesNotContain("without the pharmacy");
      pharmacist.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("pharmacist-left-out.png")).setFullPage(true));
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
