package org.medledger.portal.application.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a doctor may attach: a PDF, PNG or JPEG by its first bytes, at most 180 KB, named plainly. */
class AttachedFileTest {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13};
  private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16};

  @Test
  void theKindComesFromTheBytesNotTheName() {
    assertThat(AttachedFile.of("scan.pdf", PNG).mediaType()).isEqualTo("image/png");
    assertThat(AttachedFile.of("photo", JPEG).mediaType()).isEqualTo("image/jpeg");
    assertThat(AttachedFile.of("letter.pdf", "%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII)).mediaType()).isEqualTo("application/pdf");
    InvalidRecordException e = catchThrowableOfType(
        () -> AttachedFile.of("report.pdf", "<html><script>alert(1)</script>".getBytes(StandardCharsets.UTF_8)), InvalidRecordException.class);
    assertThat(e.field()).isEqualTo("attachment");
    assertThat(e.getMessage()).isEqualTo("Attachment: only a PDF, PNG or JPEG file can be attached; this file is none of them.");
    assertThat(catchThrowableOfType(() -> AttachedFile.of("x.pdf", new byte[0]), InvalidRecordException.class).getMessage())
        .isEqualTo("Attachment: choose a file.");
    assertThat(catchThrowableOfType(() -> AttachedFile.of("x.png", new byte[] {(byte) 0x89, 'P'}), InvalidRecordException.class)).isNotNull();
  }

  @Test
  void aFileAboveTheLimitIsRefusedWithTheLimitNamed() {
    byte[] big = new byte[AttachedFile.MAX_BYTES + 1];
    System.arraycopy(PNG, 0, big, 0, PNG.length);
    InvalidRecordException e = catchThrowableOfType(() -> AttachedFile.of("big.png", big), InvalidRecordException.class);
    assertThat(e.field()).isEqualTo("attachment");
    assertThat(e.getMessage()).isEqualTo("Attachment: the file is larger than 180 KB, the limit for an attachment. Nothing was stored.");
    byte[] exact = new byte[AttachedFile.MAX_BYTES];
    System.arraycopy(PNG, 0, exact, 0, PNG.length);
    assertThat(AttachedFile.of("exact.png", exact).bytes()).hasSize(184_320);
  }

  @Test
  void theNameLosesItsFolderAndAnythingThatCouldMisleadAReader() {
    assertThat(AttachedFile.of("C:\\Users\\dr\\Report.pdf", "%PDF-".getBytes(StandardCharsets.US_ASCII)).name()).isEqualTo("Report.pdf");
    assertThat(AttachedFile.of("/home/x/a\u202Efdp.exe", PNG).name()).isEqualTo("afdp.exe");
    assertThat(AttachedFile.of("  ", JPEG).name()).isEqualTo("attachment.jpg");
    assertThat(AttachedFile.of(null, PNG).name()).isEqualTo("attachment.png");
    assertThat(AttachedFile.of("n".repeat(300) + ".pdf", "%PDF-".getBytes(StandardCharsets.US_ASCII)).name()).hasSize(120).endsWith(".pdf");
  }

  @Test
  void theTimelineNamesTheFileItsKindAndItsSize() {
    byte[] b = new byte[120 * 1024];
    System.arraycopy("%PDF-".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 5);
    assertThat(AttachedFile.of("Report.pdf", b).line()).isEqualTo("Report.pdf, PDF, 120 KB");
    assertThat(AttachedFile.size(812)).isEqualTo("812 bytes");
    assertThat(AttachedFile.size(1)).isEqualTo("1 byte");
    assertThat(AttachedFile.typeWords("image/png")).isEqualTo("PNG image");
  }
}
