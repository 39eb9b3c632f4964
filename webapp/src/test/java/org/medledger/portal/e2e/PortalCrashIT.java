package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.SelectOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a crash leaves behind: the portal JVM is killed with SIGKILL right after it acknowledged a
 * registration, restarted on the same data directory, and the new doctor logs in, is listed
 * once in the directory and keeps the user name. Also: the data directory and everything in it
 * is readable by the portal's user only.
 */
class PortalCrashIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final String PW = "correct horse battery";
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

  private static Path data;
  private static PortalProcess portal;
  private static Playwright playwright;
  private static Browser browser;
  private static boolean setUrl;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM),
        "crash test skipped: /usr/bin/chromium is missing (install it with 'apt-get install -y chromium')");
    data = Path.of(System.getProperty("medledger.itData", "target/it-data")).toAbsolutePath()
        .resolve("crash-" + System.currentTimeMillis());
    Files.createDirectories(data);
    // As a default umask (022) creates it: the portal must close it down itself.
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (System.getProperty("medledger.it.jdbc.url") == null) {
      // An operator's H2 URL with a write delay (H2's default is 500 ms): commits are acknowledged
      // before they are on disk. A long delay makes that window certain rather than likely; the
      // portal must make an acknowledged registration durable whatever the URL says.
      System.setProperty("medledger.it.jdbc.url", "jdbc:h2:file:" + data.resolve("portal-db") + ";WRITE_DELAY=20000");
      setUrl = true;
    }
    portal = PortalProcess.start(data);
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (playwright != null) playwright.close();
    if (portal != null) portal.close();
    if (setUrl) System.clearProperty("medledger.it.jdbc.url");
  }

  private static Page page() {
    BrowserContext ctx = browser.newContext();
    ctx.setDefaultTimeout(30_000);
    return ctx.newPage();
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  /** A doctor's registration through a fresh invitation of this portal's administrator. */
  private static void fillRegistration(Page p, String user) throws IOException {
    p.navigate(Vouching.of(portal, browser).invite("DOCTOR", "Dr. Crash Test", "St. Kill's Hospital"));
    id(p, "register:username").fill(user);
    id(p, "register:password").fill(PW);
    id(p, "register:password2").fill(PW);
    id(p, "register:submit").click();
  }

  @Test
  void aRegistrationAcknowledgedJustBeforeSigkillSurvivesTheRestart() throws Exception {
    Page p = page();
    // SIGKILL the moment the server has answered the registration, before the browser shows it.
    AtomicBoolean killed = new AtomicBoolean();
    p.route("**/register.xhtml*", route -> {
      if (!"POST".equals(route.request().method())) {
        route.resume();
        return;
      }
      APIResponse answer = route.fetch();
      try {
        portal.kill();
        killed.set(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      route.fulfill(new Route.FulfillOptions().setResponse(answer));
    });
    fillRegistration(p, "crashdoc");
    assertThat(p.locator("#recoveryText").textContent()).startsWith("MLRK1-");
    String index = p.locator("#newIndex").textContent().trim();
    assertThat(killed).isTrue();

    Files.move(portal.log, data.resolve("portal-before-kill.log"), StandardCopyOption.REPLACE_EXISTING);
    portal = PortalProcess.start(data);

    Page doctor = page();
    doctor.navigate(portal.url("/login.xhtml"));
    id(doctor, "login:username").fill("crashdoc");
    id(doctor, "login:password").fill(PW);
    id(doctor, "login:submit").click();
    try {
      doctor.waitForURL(Pattern.compile(".*/app/dashboard\\.xhtml.*"));
    } catch (com.microsoft.playwright.TimeoutError e) {
      throw new AssertionError("the acknowledged registration did not survive the crash: login says '"
          + id(doctor, "login:messages").textContent().trim() + "'", e);
    }

    doctor.navigate(portal.url("/app/directory.xhtml"));
    Locator rows = doctor.locator("[id='dirForm:results'] tbody tr");
    assertThat(rows.count()).as("directory rows").isEqualTo(1);
    assertThat(rows.first().textContent()).contains("Dr. Crash Test").contains(index);

    Page again = page();
    fillRegistration(again, "crashdoc");
    assertThat(id(again, "register:messages").textContent()).contains("is taken");
    assertThat(again.locator("#recoveryText").count()).isZero();
  }

  @Test
  void theDataDirectoryAndEveryFileInItAreOwnerOnly() throws IOException {
    List<String> open = new ArrayList<>();
    try (Stream<Path> all = Files.walk(data)) {
      all.forEach(f -> {
        try {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
          Set<PosixFilePermission> want = Files.isDirectory(f) ? OWNER_DIR : OWNER_FILE;
          if (!perms.equals(want)) open.add(data.relativize(f) + " " + PosixFilePermissions.toString(perms));
        } catch (IOException e) {
          open.add(f + " " + e);
        }
      });
    }
    assertThat(open).as("files and directories not owner-only").isEmpty();
  }
}
