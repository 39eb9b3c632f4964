package org.medledger.portal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * The camera's sizes (SIZES in resources/js/camera-scan.js) read every code the portal draws.
 * ZXing's browser port misses about one card or consent in ten at the camera's own size, in
 * every frame however sharp (a CI run drew such a family card); trying each frame at the next
 * of several sizes reads them. Here the portal's own QrCodes draws 400 participant cards and 200
 * consents (texts of their real shapes, from a fixed seed, so every run sees the same codes), each
 * as the fake camera films it, and the served zxing-browser decodes them in Chromium at the
 * script's sizes in its order, as the scan loop does. Every code must be read, to its exact
 * text. How many needed a size other than the first is printed.
 */
class CameraDecodeSizesIT {
  private static final Path JS = Path.of("src/main/webapp/resources/js");
  private static final Pattern SIZES = Pattern.compile("var SIZES = \\[([0-9., ]+)\\];");
  private static final String[] ROLES = {"patient", "family", "doctor", "pharmacist", "insurer", "lawyer"};

  /** Decodes each picture at each size in turn; answers, per picture, the size's index and the text. */
  private static final String DECODE = """
      async ([pictures, sizes]) => {
        const reader = new window.ZXingBrowser.BrowserQRCodeReader();
        const answers = [];
        for (const src of pictures) {
          const im = new Image();
          await new Promise((ok, ko) => { im.onload = ok; im.onerror = ko; im.src = src; });
          let answer = [-1, ''];
          for (let i = 0; i < sizes.length && answer[0] < 0; i++) {
            const c = document.createElement('canvas');
            c.width = Math.round(im.naturalWidth * sizes[i]);
            c.height = Math.round(im.naturalHeight * sizes[i]);
            c.getContext('2d').drawImage(im, 0, 0, c.width, c.height);
            try { answer = [i, reader.decodeFromCanvas(c).getText()]; } catch (e) { /* not at this size */ }
          }
          answers.push(answer);
        }
        return answers;
      }""";

  @Test
  void theScansSizesReadEveryCardAndConsentThePortalDraws() throws Exception {
    assumeTrue(Files.isExecutable(Chromium.EXECUTABLE), "skipped: /usr/bin/chromium is missing");
    Matcher m = SIZES.matcher(Files.readString(JS.resolve("camera-scan.js"), StandardCharsets.UTF_8));
    assertThat(m.find()).as("SIZES in camera-scan.js").isTrue();
    List<Double> sizes = new ArrayList<>();
    for (String s : m.group(1).split(",")) sizes.add(Double.parseDouble(s.trim()));
    assertThat(sizes.get(0)).as("the camera's own size first").isEqualTo(1.0);

    // Another seed draws other codes: -Dmedledger.camera.seed=N (the one here is what CI runs).
    Random random = new Random(Long.getLong("medledger.camera.seed", 20261203L));
    QrCodes qr = new QrCodes();
    List<String> texts = new ArrayList<>();
    List<String> pictures = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      boolean card = i < 400;
      String text = card ? card(random, ROLES[i % ROLES.length]) : consent(random);
      texts.add(text);
      byte[] png = qr.png(text, card ? 320 : 360);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(FakeCamera.frame(ImageIO.read(new ByteArrayInputStream(png))), "png", out);
      pictures.add("data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray()));
    }

    List<?> answers;
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      Page page = browser.newPage();
      page.setContent("<!DOCTYPE html><html lang=\"en\"><head><title>decode</title></head><body></body></html>");
      page.addScriptTag(new Page.AddScriptTagOptions().setPath(JS.resolve("zxing-browser-0.2.1.min.js")));
      answers = (List<?>) page.evaluate(DECODE, List.of(pictures, sizes));
    }

    Map<Double, Integer> bySize = new TreeMap<>();
    List<String> unread = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      List<?> a = (List<?>) answers.get(i);
      int at = ((Number) a.get(0)).intValue();
      if (at < 0 || !texts.get(i).equals(a.get(1))) unread.add(texts.get(i) + " (read as " + a.get(1) + ")");
      else bySize.merge(sizes.get(at), 1, Integer::sum);
    }
    System.out.println("CameraDecodeSizesIT: codes read by the first size that read them " + bySize + " of " + texts.size());
    assertThat(unread).as("codes no size read").isEmpty();
  }

  /** A participant card's text: medledger-card:1:role:index:compressed P-256 key. */
  private static String card(Random random, String role) {
    byte[] index = new byte[8];
    byte[] key = new byte[33];
    random.nextBytes(index);
    random.nextBytes(key);
    key[0] = (byte) (2 + random.nextInt(2));
    return "medledger-card:1:" + role + ":" + HexFormat.of().formatHex(index) + ":"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
  }

  /** A consent's text: its signed body in base64url, 300 to 600 characters as the treatment's size gives. */
  private static String consent(Random random) {
    byte[] body = new byte[225 + random.nextInt(226)];
    random.nextBytes(body);
    return "medledger-consent:1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
  }
}
