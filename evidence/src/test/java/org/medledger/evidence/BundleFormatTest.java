package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle's container and manifest: what the verifier refuses before it checks anything,
 * and the command's exit codes. Whole bundles from a real ledger, verified and altered byte by
 * byte, are tested in the ledger module (EvidenceBundleChecks, run on both ledgers).
 */
class BundleFormatTest {
  @TempDir Path dir;

  @Test
  void theManifestJsonRoundTripsAndMalformedJsonIsNamedByItsOffset() {
    Map<String, Object> m = Map.of("a", List.of(1L, "x\"\n\u0001", true), "b", Map.of());
    assertThat(Json.parse(Json.write(m))).isEqualTo(m);
    assertThatThrownBy(() -> Json.parse("{\"a\": 1,}"))
        .isInstanceOf(BundleFormatException.class).hasMessageContaining("at character 8");
    assertThatThrownBy(() -> Json.parse("{\"a\": 1, \"a\": 2}"))
        .hasMessageContaining("the key \"a\" appears twice");
  }

  @Test
  void aZipWithTwoEntriesOfOneNameIsRefusedSoNoToolShowsOtherContents() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(Bundle.MANIFEST));
      zip.write("{}".getBytes(UTF_8));
      zip.closeEntry();
      // ZipOutputStream refuses a duplicate name, so write the second one under a name of the
      // same length and patch it afterwards.
      zip.putNextEntry(new ZipEntry("manifest.jsoX"));
      zip.write("{}".getBytes(UTF_8));
      zip.closeEntry();
    }
    byte[] raw = bytes.toByteArray();
    String s = new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1).replace("manifest.jsoX", Bundle.MANIFEST);
    byte[] dup = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> Bundle.read(dup)).isInstanceOf(BundleFormatException.class)
        .hasMessage("the file holds two entries named manifest.json");
  }

  @Test
  void aFileThatIsNoBundleIsExitCode2WithAReason() throws Exception {
    Path notZip = dir.resolve("x.zip");
    Files.writeString(notZip, "hello");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = VerifyBundle.run(new String[] {notZip.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, UTF_8));
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString(UTF_8)).contains("no manifest.json: it is not a MedLedger evidence bundle");
    assertThat(VerifyBundle.run(new String[] {}, System.out, new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
    assertThat(VerifyBundle.run(new String[] {"a", "--recovery-code"}, System.out,
        new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
  }

  @Test
  void aManifestOfAnotherFormatIsRefused() {
    Bundle b = new Bundle(Map.of(Bundle.MANIFEST, "{\"format\": \"other/9\"}".getBytes(UTF_8)));
    assertThatThrownBy(() -> BundleVerifier.verify(b, null)).isInstanceOf(BundleFormatException.class)
        .hasMessage("the manifest's format is other/9, not medledger-evidence/1");
  }
}
