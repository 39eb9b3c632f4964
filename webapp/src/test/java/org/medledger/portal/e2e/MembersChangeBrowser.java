package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.SelectOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The browser half of {@link LiveTreatmentPageIT}'s member change (issue 16), in a class of its
 * own so the in-container half never loads Playwright's classes.
 */
final class MembersChangeBrowser {
  private MembersChangeBrowser() {}

  private static final Page.WaitForConditionOptions LIVE = new Page.WaitForConditionOptions().setTimeout(30_000);

  static void run(String base, Properties p, String password, Path shots) {
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String treatment = root + "/app/treatment.xhtml?k=" + p.getProperty("k");
    String oldName = p.getProperty("oldName"), newName = p.getProperty("newName");
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      // The patient removes the first pharmacist and adds the second, found by name.
      Page patient = page(browser);
      login(patient, root, p.getProperty("patient"), password);
      patient.navigate(treatment);
      assertThat(patient.locator("#noChanges").textContent()).contains("Nobody has joined or left");
      id(patient, "tForm:removeWho").selectOption(new SelectOption().setLabel(oldName + " (pharmacist)"));
      id(patient, "tForm:removeMember").click();
      assertThat(id(patient, "tForm:messages").textContent()).contains("no longer be able to read");
      patient.waitForLoadState(); // the members card comes after the messages: read it once the page has loaded
      assertThat(patient.locator(".ml-member-waiting").allTextContents())
          .anyMatch(t -> t.contains(oldName) && t.contains("leaves"));
      id(patient, "tForm:addName").fill(newName.split(" ")[0]);
      id(patient, "tForm:searchToAdd").click();
      Locator who = id(patient, "tForm:addWho");
      who.waitFor();
      patient.waitForLoadState(); // every option parsed, not only the list's start
      String option = (String) who.locator("option").evaluateAll(
          "(os, n) => os.find(o => o.textContent.includes(n)).textContent", newName);
      who.selectOption(new SelectOption().setLabel(option));
      id(patient, "tForm:addMember").click();
      assertThat(id(patient, "tForm:messages").textContent()).contains("Invited");
      patient.waitForLoadState();
      assertThat(patient.locator(".ml-member-waiting").allTextContents())
          .anyMatch(t -> t.contains(newName) && t.contains("has not accepted yet"));
      assertThat(PlainWords.violations(patient)).isEmpty();
      patient.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("patient-members-changed.png")).setFullPage(true));

      // The new pharmacist is invited: she accepts on the treatment's page.
      Page newcomer = page(browser);
      login(newcomer, root, p.getProperty("new"), password);
      newcomer.navigate(treatment);
      id(newcomer, "tForm:accept").click();
      assertThat(id(newcomer, "tForm:messages").textContent()).contains("You accepted the invitation");

      // The doctor's portal lets her in by itself (at login); the doctor writes under the new key.
      Page doctor = page(browser);
      login(doctor, root, p.getProperty("doctor"), password);
      doctor.navigate(treatment);
      doctor.waitForCondition(() -> doctor.locator(".ml-member-history").count() >= 2, LIVE);
      List<String> history = doctor.locator(".ml-member-history").allTextContents();
      assertThat(history).anyMatch(t -> t.startsWith(oldName + " (pharmacist) left on "));
      assertThat(history).anyMatch(t -> t.startsWith(newName + " (pharmacist) joined on "));
      id(doctor, "tForm:message").fill("After the change: surgery planned.");
      id(doctor, "tForm:write").click();
      assertThat(id(doctor, "tForm:messages").textContent()).contains("Your record is on the ledger");

      // The new pharmacist reads everything, the earlier records too, and writes.
      newcomer.navigate(treatment);
      assertThat(texts(newcomer)).contains("Before the change: diagnosis.", "Before the change: dispensed.",
          "After the change: surgery planned.");
      id(newcomer, "tForm:message").fill("After the change: dispensed by the new pharmacy.");
      id(newcomer, "tForm:write").click();
      assertThat(id(newcomer, "tForm:messages").textContent()).contains("Your record is on the ledger");
      assertThat(newcomer.locator("[id$='membersCard']").textContent()).contains("2 of 2 answered");
      assertThat(PlainWords.violations(newcomer)).isEmpty();

      // The old pharmacist reads only what was written while she took part.
      Page old = page(browser);
      login(old, root, p.getProperty("old"), password);
      old.navigate(treatment);
      assertThat(old.locator("#status").textContent()).contains("You no longer take part");
      List<String> seen = texts(old);
      assertThat(seen).contains("Before the change: diagnosis.", "Before the change: dispensed.");
      assertThat(seen).noneMatch(t -> t.startsWith("After the change"));
      assertThat(seen).contains("(cannot be decrypted with your key)");
      assertThat(id(old, "tForm:write").count()).isZero();
      assertThat(PlainWords.violations(old)).isEmpty();
      old.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("old-pharmacist-after-change.png")).setFullPage(true));

      // Then the patient adds a family member by the text of her card; a damaged card is refused plainly.
      patient.navigate(treatment);
      id(patient, "tForm:familyCard").fill("medledger-card:1:family:0011223344556677:broken");
      id(patient, "tForm:addFamily").click();
      assertThat(id(patient, "tForm:messages").textContent()).contains("The participant card is damaged");
      id(patient, "tForm:familyCard").fill(p.getProperty("familyCard"));
      id(patient, "tForm:addFamily").click();
      assertThat(id(patient, "tForm:messages").textContent()).contains("Invited");
      patient.waitForLoadState();
      assertThat(patient.locator(".ml-member-waiting").allTextContents())
          .anyMatch(t -> t.contains("A family member") && t.contains("has not accepted yet"));
      Page family = page(browser);
      login(family, root, p.getProperty("family"), password);
      family.navigate(treatment);
      id(family, "tForm:accept").click();
      assertThat(id(family, "tForm:messages").textContent()).contains("You accepted the invitation");
      // The doctor is signed in: his portal lets her in on her answer's event, or at his next view.
      doctor.navigate(treatment);
      for (int attempt = 0; attempt < 60 && !texts(family).contains("After the change: surgery planned."); attempt++) {
        family.waitForTimeout(1_000);
        family.navigate(treatment);
      }
      assertThat(texts(family)).contains("Before the change: diagnosis.", "After the change: surgery planned.",
          "After the change: dispensed by the new pharmacy.");
      assertThat(PlainWords.violations(family)).isEmpty();
      family.screenshot(new Page.ScreenshotOptions().setPath(shots.resolve("family-added-reads.png")).setFullPage(true));
    }
  }

  /** The text of every record on the timeline. */
  private static List<String> texts(Page p) {
    p.locator(".ml-record").first().waitFor();
    p.waitForLoadState(); // every record, not only the first
    return p.locator(".ml-record .ml-text").allTextContents().stream().map(String::trim).toList();
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
