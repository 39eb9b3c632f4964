package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.SelectOption;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medledger.portal.infrastructure.qr.BombPng;

/**
 * Issue 10, item 3, through a running portal: the upload fields state the limit and refuse an
 * over-size file in the browser; an over-size upload that gets through is answered 413 with
 * the limit; a decompression bomb is refused with the limit on the page; six bombs uploaded in
 * parallel give no 500 and no OutOfMemoryError, and the portal still reads a normal QR code.
 */
class UploadLimitsIT {
  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final String PW = "correct horse battery";
  private static final int PARALLEL_BOMBS = 6;

  private static PortalProcess portal;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM),
        "E2E test skipped: /usr/bin/chromium is missing (install it with 'apt-get install -y chromium')");
    Path data = Path.of(System.getProperty("medledger.itData", "target/it-data")).toAbsolutePath()
        .resolve("uploads-" + System.currentTimeMillis());
    portal = PortalProcess.start(data);
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (playwright != null) playwright.close();
    if (portal != null) portal.close();
  }

  private static Locator id(Page p, String clientId) {
    return p.locator("[id='" + clientId + "']");
  }

  @Test
  void bombsAndOversizeUploadsAreRefusedWithTheLimit() throws Exception {
    BrowserContext ctx = browser.newContext();
    ctx.setDefaultTimeout(60_000);
    Page doctor = ctx.newPage();
    Vouching.of(portal, browser).register(doctor, "DOCTOR", "Dr. Upload", "St. Mary's Hospital", "doctor", PW);
    assertThat(doctor.locator("#newIndex").textContent()).hasSize(16);
    String index = doctor.locator("#newIndex").textContent();
    doctor.navigate(portal.url("/login.xhtml"));
    id(doctor, "login:username").fill("doctor");
    id(doctor, "login:password").fill(PW);
    id(doctor, "login:submit").click();
    doctor.waitForURL(Pattern.compile(".*/app/.*"));

    byte[] bomb = BombPng.of(40_000, 40_000);
    FilePayload bombFile = new FilePayload("bomb.png", "image/png", bomb);

    // The field states the limit; a file over 8 MB is cleared in the browser with the reason.
    doctor.navigate(portal.url("/app/scan.xhtml"));
    assertThat(id(doctor, "scanForm:pictureLimit").textContent()).contains("8 MB").contains("50 megapixels");
    id(doctor, "scanForm:picture").setInputFiles(new FilePayload("huge.png", "image/png", new byte[9_000_000]));
    assertThat(id(doctor, "scanForm:picture").inputValue()).isEmpty();
    assertThat(id(doctor, "scanForm:pictureLimit").textContent()).contains("too large").contains("8 MB");

    // A bomb through the page: refused with its size and the limit, nothing opened.
    id(doctor, "scanForm:picture").setInputFiles(bombFile);
    id(doctor, "scanForm:read").click();
    assertThat(id(doctor, "scanForm:messages").textContent()).contains("40000").contains("50 megapixels");
    doctor.navigate(portal.url("/app/directory.xhtml"));
    assertThat(id(doctor, "dirForm:pictureLimit").textContent()).contains("8 MB");
    id(doctor, "dirForm:picture").setInputFiles(bombFile);
    id(doctor, "dirForm:scan").click();
    assertThat(id(doctor, "dirForm:messages").textContent()).contains("40000").contains("50 megapixels");

    // Past the browser (a script, an old browser): 413 with the limit, for a body the container
    // parses (9 MB file) and for one announced larger than the whole form may be (20 MB).
    String cookies = ctx.cookies().stream().map(c -> c.name + "=" + c.value).collect(Collectors.joining("; "));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (int size : new int[] {9_000_000, 20_000_000}) {
      HttpResponse<String> r = http.send(multipart(cookies, "/app/scan.xhtml", "scanForm", "scanForm:picture", "open",
          null, null, new byte[size]), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("an upload of " + size + " bytes").isEqualTo(413);
      assertThat(r.body()).contains("at most 8 MB").contains("50 megapixels");
    }

    // Bombs in parallel through the real form: each is answered with the limit, none with 500.
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_BOMBS);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < PARALLEL_BOMBS; i++) {
        answers.add(pool.submit(() -> {
          String form = http.send(HttpRequest.newBuilder(URI.create(portal.url("/app/scan.xhtml"))).header("Cookie", cookies)
              .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
          return http.send(multipart(cookies, "/app/scan.xhtml", "scanForm", "scanForm:picture", "scanForm:read",
              viewState(form), nonce(form), bomb), HttpResponse.BodyHandlers.ofString());
        }));
      }
      for (Future<HttpResponse<String>> f : answers) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("50 megapixels");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(Files.readString(portal.log)).doesNotContain("OutOfMemoryError");

    // The portal still answers and still reads a normal QR code: the doctor's own card.
    doctor.navigate(portal.url("/app/card.xhtml"));
    byte[] card = dataUri(doctor.locator("#cardQr").getAttribute("src"));
    doctor.navigate(portal.url("/app/directory.xhtml"));
    id(doctor, "dirForm:picture").setInputFiles(new FilePayload("card.png", "image/png", card));
    id(doctor, "dirForm:scan").click();
    assertThat(id(doctor, "dirForm:scanned").textContent()).contains(index).contains("Dr. Upload");
    ctx.close();
  }

  private static byte[] dataUri(String uri) {
    return Base64.getDecoder().decode(uri.substring(uri.indexOf(',') + 1));
  }

  private static String viewState(String html) {
    Matcher m = Pattern.compile("<input[^>]*name=\"jakarta\\.faces\\.ViewState\"[^>]*>").matcher(html);
    assertThat(m.find()).as("the form's ViewState").isTrue();
    Matcher v = Pattern.compile("value=\"([^\"]+)\"").matcher(m.group());
    assertThat(v.find()).isTrue();
    return v.group(1);
  }

  /** The page's CSP nonce, which PrimeFaces' script posts with every form (a browser does it by itself). */
  private static String nonce(String html) {
    Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("the page's CSP nonce").isTrue();
    return m.group(1);
  }

  /** A multipart POST of a Faces form with one file field and its submit button. */
  private static HttpRequest multipart(String cookies, String path, String form, String fileField, String button,
      String viewState, String nonce, byte[] file) {
    String boundary = "----medledger" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream(file.length + 1024);
    StringBuilder head = new StringBuilder();
    field(head, boundary, form, form);
    field(head, boundary, button, "");
    if (viewState != null) field(head, boundary, "jakarta.faces.ViewState", viewState);
    if (nonce != null) field(head, boundary, "primefaces.nonce", nonce);
    head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(fileField)
        .append("\"; filename=\"picture.png\"\r\nContent-Type: image/png\r\n\r\n");
    body.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    body.writeBytes(file);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(portal.url(path))).header("Cookie", cookies)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofMinutes(5))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
  }

  private static void field(StringBuilder b, String boundary, String name, String value) {
    b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(name)
        .append("\"\r\n\r\n").append(value).append("\r\n");
  }
}
