package org.medledger.portal.infrastructure.qr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 3: a picture's size is read from its header and a picture above the limit is
 * refused before a single pixel is decoded; decodes are bounded in number; a normal QR picture
 * and a large (downscaled) one still decode. Counts, never timings.
 */
class QrCodesTest {
  private final QrCodes qr = new QrCodes();

  @Test
  void aDecompressionBombIsRefusedFromItsHeaderWithoutDecoding() {
    byte[] bomb = BombPng.of(40_000, 40_000);
    assertThat(bomb.length).isLessThan(QrCodes.MAX_IMAGE_BYTES); // small on the wire
    assertThatThrownBy(() -> qr.decode(bomb))
        .isInstanceOf(QrCodes.TooLargeException.class)
        .hasMessageContaining("40000 × 40000")
        .hasMessageContaining("50 megapixels");
    assertThat(qr.decodedPictures()).isZero();
  }

  @Test
  void aLongThinBombIsRefusedByItsSide() {
    byte[] bomb = BombPng.of(1_000_000, 8);
    assertThatThrownBy(() -> qr.decode(bomb))
        .isInstanceOf(QrCodes.TooLargeException.class)
        .hasMessageContaining("1000000 × 8")
        .hasMessageContaining("16384 pixels");
    assertThat(qr.decodedPictures()).isZero();
  }

  /**
   * A participant card exactly as the portal drew it in a CI run (320 × 320, a random key): ZXing's
   * TRY_HARDER search misses its finder patterns, while the picture is a clean, unrotated code.
   * PortalE2EIT failed now and then with "No readable QR code" on such a card.
   */
  @Test
  void aCardTheGeneralSearchMissesIsReadAsAPureCode() throws Exception {
    byte[] png;
    try (var in = getClass().getResourceAsStream("/qr/card-zxing-try-harder-misses.png")) {
      png = in.readAllBytes();
    }
    assertThat(qr.decode(png)).startsWith("medledger-card:1:family:");
  }

  @Test
  void aNormalQrPictureStillDecodes() throws Exception {
    assertThat(qr.decode(qr.png("medledger-card:1:doctor:0123", 300))).isEqualTo("medledger-card:1:doctor:0123");
    assertThat(qr.decodedPictures()).isEqualTo(1);
  }

  @Test
  void aLargePictureIsDownscaledWhileReadingAndStillDecodes() throws Exception {
    // 6000 × 6000 = 36 megapixels: under the limit, read at a quarter of that or less
    byte[] big = qr.png("a large photo of a QR code", 6000);
    assertThat(qr.decode(big)).isEqualTo("a large photo of a QR code");
    assertThat(qr.decodedPictures()).isEqualTo(1);
  }

  @Test
  void anOversizeFileIsRefusedWithTheLimit() {
    byte[] nine = new byte[9 * 1024 * 1024];
    assertThatThrownBy(() -> qr.decode(nine))
        .isInstanceOf(QrCodes.TooLargeException.class)
        .hasMessageContaining("8 MB");
  }

  @Test
  void decodesBeyondTheBoundAreToldToTryAgain() throws Exception {
    Semaphore gate = new Semaphore(1);
    QrCodes bounded = new QrCodes(gate, 0);
    byte[] png = bounded.png("hello", 200);
    gate.acquire(); // another decode is running
    assertThatThrownBy(() -> bounded.decode(png))
        .isInstanceOf(QrCodes.BusyException.class)
        .hasMessageContaining("try again");
    assertThat(bounded.decodedPictures()).isZero();
    gate.release();
    assertThat(bounded.decode(png)).isEqualTo("hello");
    assertThat(gate.availablePermits()).isEqualTo(1); // given back after the decode
  }

  @Test
  void notAPictureIsRefused() {
    assertThatThrownBy(() -> qr.decode("just text".getBytes()))
        .isInstanceOf(QrCodes.UnreadableException.class)
        .hasMessageContaining("not a picture");
  }
}
