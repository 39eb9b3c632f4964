package org.medledger.bench.portal;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.SelectOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The portal's administrator as the load run uses it: professionals are admitted by their
 * institution (docs/portal.md, "Administrator and invitations"), so each group's doctor,
 * pharmacist, insurer and lawyer register through an invitation the administrator creates on
 * {@code /admin/index.xhtml}. A portal this run starts gets its administrator from the setup
 * code in its log; a running portal's is given with {@code --admin NAME:PASSWORD}.
 */
final class BenchAdministrator {
  private static final Pattern SETUP_CODE = Pattern.compile("\\b([0-9A-Z]{6}(?:-[0-9A-Z]{6}){3})\\b");

  private BenchAdministrator() {}

  /** Creates the first administrator of the portal at {@code url} with the setup code from {@code log}. */
  static void create(String url, Path log, Path chromium, String name, String password, long timeoutMs) throws IOException {
    Matcher m = SETUP_CODE.matcher(Files.readString(log, StandardCharsets.UTF_8));
    String code = null;
    while (m.find()) code = m.group(1);
    if (code == null) throw new IllegalStateException("no administrator setup code in " + log);
    try (Playwright pw = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium).setHeadless(true)
            .setArgs(List.of("--no-sandbox", "--disable-gpu", "--no-first-run")))) {
      BrowserContext ctx = browser.newContext();
      ctx.setDefaultTimeout(timeoutMs);
      Page p = ctx.newPage();
      p.navigate(url + "/administrator.xhtml");
      id(p, "setup:code").fill(code);
      id(p, "setup:username").fill(name);
      id(p, "setup:password").fill(password);
      id(p, "setup:password2").fill(password);
      id(p, "setup:create").click();
      String said = id(p, "adminLogin:messages").textContent();
      if (!said.contains("was created")) throw new IllegalStateException("the administrator was not created: " + said.trim());
    }
  }

  /** Logs {@code p} in as the administrator. */
  static void login(Page p, String url, String name, String password) {
    p.navigate(url + "/administrator.xhtml");
    id(p, "adminLogin:username").fill(name);
    id(p, "adminLogin:password").fill(password);
    id(p, "adminLogin:submit").click();
    p.waitForURL(Pattern.compile(".*/admin/index\\.xhtml.*"));
  }

  /** A new invitation link (the administrator's page {@code p} is logged in). */
  static String invite(Page p, String url, String role, String name, String institution) {
    if (!p.url().contains("/admin/index.xhtml")) p.navigate(url + "/admin/index.xhtml");
    id(p, "admin:role_input").selectOption(new SelectOption().setValue(role.toUpperCase(Locale.ROOT)),
        new Locator.SelectOptionOptions().setForce(true));
    id(p, "admin:displayName").fill(name);
    id(p, "admin:institution").fill(institution);
    id(p, "admin:invite").click();
    Locator link = id(p, "admin:invitationLink");
    if (link.count() == 0) {
      Locator msg = id(p, "admin:messages");
      throw new IllegalStateException("no invitation: " + (msg.count() > 0 ? msg.textContent().trim() : p.url()));
    }
    return link.textContent().trim();
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }
}
