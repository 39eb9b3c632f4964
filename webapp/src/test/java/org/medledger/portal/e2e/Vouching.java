package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.SelectOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the browser tests admit professionals, as an institution does: the administrator (created
 * once per portal with the setup code the portal printed in its log) invites each doctor,
 * pharmacist, insurer or lawyer, who then registers through the invitation link. Patients and
 * family members register on their own, as before. One administrator session per portal,
 * in a browser context of its own.
 */
final class Vouching {
  static final String ADMIN = "e2e-admin";
  static final String ADMIN_PW = "administrator password";
  private static final Pattern SETUP_CODE = Pattern.compile("\\b([0-9A-Z]{6}(?:-[0-9A-Z]{6}){3})\\b");

  private final String base;
  private final Path log;
  private final Page admin;

  private Vouching(String base, Path log, Page admin) {
    this.base = base;
    this.log = log;
    this.admin = admin;
  }

  /** The administrator of {@code portal} in a new context of {@code browser}. */
  static Vouching of(PortalProcess portal, Browser browser) {
    return of(portal.url(""), portal.log, browser);
  }

  /** The administrator of the portal at {@code baseUrl}, whose log (for the setup code) is {@code log}. */
  static Vouching of(String baseUrl, Path log, Browser browser) {
    BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setViewportSize(1366, 900));
    ctx.setDefaultTimeout(60_000);
    return new Vouching(baseUrl.replaceAll("/$", ""), log, ctx.newPage());
  }

  /** The newest setup code the portal printed in its log. */
  static String setupCode(Path log) throws IOException {
    Matcher m = SETUP_CODE.matcher(Files.readString(log, StandardCharsets.UTF_8));
    String last = null;
    while (m.find()) last = m.group(1);
    if (last == null) throw new AssertionError("no setup code in " + log);
    return last;
  }

  private String url(String path) {
    return base + path;
  }

  /** Logged in as the administrator (created first with the setup code when the portal has none). */
  Page administrator() throws IOException {
    admin.navigate(url("/admin/index.xhtml"));
    if (admin.url().contains("/admin/index.xhtml")) return admin;
    if (id(admin, "setup:code").count() > 0) {
      id(admin, "setup:code").fill(setupCode(log));
      id(admin, "setup:username").fill(ADMIN);
      id(admin, "setup:password").fill(ADMIN_PW);
      id(admin, "setup:password2").fill(ADMIN_PW);
      id(admin, "setup:create").click();
      assertThat(id(admin, "adminLogin:messages").textContent()).contains("was created");
    }
    id(admin, "adminLogin:username").fill(ADMIN);
    id(admin, "adminLogin:password").fill(ADMIN_PW);
    id(admin, "adminLogin:submit").click();
    admin.waitForURL(Pattern.compile(".*/admin/index\\.xhtml.*"));
    return admin;
  }

  /** A new invitation link for one professional ({@code role}: DOCTOR, PHARMACIST, INSURER or LAWYER). */
  String invite(String role, String name, String institution) throws IOException {
    Page a = administrator();
    id(a, "admin:role_input").selectOption(new SelectOption().setValue(role.toUpperCase(Locale.ROOT)),
        new Locator.SelectOptionOptions().setForce(true));
    id(a, "admin:displayName").fill(name);
    id(a, "admin:institution").fill(institution);
    id(a, "admin:invite").click();
    String link = id(a, "admin:invitationLink").textContent().trim();
    assertThat(link).contains("/register.xhtml?invitation=");
    return link;
  }

  /**
   * Registers {@code user} on page {@code p}: a professional through a fresh invitation, a
   * patient or family member on their own. Returns the new index (the kit is on the page).
   */
  String register(Page p, String role, String name, String institution, String user, String password) throws IOException {
    if (role.equalsIgnoreCase("PATIENT") || role.equalsIgnoreCase("FAMILY")) {
      p.navigate(url("/register.xhtml"));
      id(p, "register:role_input").selectOption(new SelectOption().setValue(role.toUpperCase(Locale.ROOT)),
          new Locator.SelectOptionOptions().setForce(true));
      id(p, "register:displayName").fill(name);
      id(p, "register:institution").fill(institution);
    } else {
      p.navigate(invite(role, name, institution));
      assertThat(p.locator("#offerName").textContent()).isEqualTo(name);
    }
    id(p, "register:username").fill(user);
    id(p, "register:password").fill(password);
    id(p, "register:password2").fill(password);
    id(p, "register:submit").click();
    assertThat(p.locator("#recoveryText").textContent()).as("recovery kit of " + user).startsWith("MLRK1-");
    return p.locator("#newIndex").textContent().trim();
  }

  static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }
}
