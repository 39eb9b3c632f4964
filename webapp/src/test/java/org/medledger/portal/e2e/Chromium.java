package org.medledger.portal.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Debian's Chromium driven by Playwright, headless, as every browser test here starts it. */
final class Chromium {
  static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

  private Chromium() {}

  /** Playwright without a browser of its own (it must not download one). */
  static Playwright playwright() {
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  static Browser launch(Playwright playwright) {
    return launch(playwright, List.of());
  }

  /** With further switches after the usual ones (e.g. a fake camera: FakeCamera.chromiumArgs). */
  static Browser launch(Playwright playwright, List<String> extraArgs) {
    List<String> args = new java.util.ArrayList<>(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"));
    args.addAll(extraArgs);
    return playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(EXECUTABLE).setHeadless(true)
        .setArgs(args));
  }
}
