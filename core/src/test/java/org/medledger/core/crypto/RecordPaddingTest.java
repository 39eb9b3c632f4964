package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.RecordCodec;

/**
 * Record plaintexts are padded to size classes before encryption (docs/protocol.md §Record
 * encryption): a record's length reveals its class, not the length of its text.
 */
class RecordPaddingTest {
  private static final SiffKey KEY = SiffKey.of(filled(32, 0x5a));
  private static final RecordCipher.Context CTX =
      new RecordCipher.Context(filled(32, 0x01), filled(32, 0x02), 0x04, 0x0123456789abcdefL, 1);

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  void sizeClassesArePowersOfTwoFrom256BytesAndALastClassForTheLimit() {
    assertThat(RecordCipher.paddedLength(0)).isEqualTo(256);
    assertThat(RecordCipher.paddedLength(1)).isEqualTo(256);
    assertThat(RecordCipher.paddedLength(255)).isEqualTo(256);
    assertThat(RecordCipher.paddedLength(256)).isEqualTo(512); // the 0x80 marker needs a byte
    assertThat(RecordCipher.paddedLength(511)).isEqualTo(512);
    assertThat(RecordCipher.paddedLength(512)).isEqualTo(1024);
    assertThat(RecordCipher.paddedLength(131_071)).isEqualTo(131_072);
    assertThat(RecordCipher.paddedLength(131_072)).isEqualTo(RecordCodec.MAX_MESSAGE_BYTES + 1);
    assertThat(RecordCipher.paddedLength(RecordCodec.MAX_MESSAGE_BYTES)).isEqualTo(RecordCodec.MAX_MESSAGE_BYTES + 1);
    assertThatThrownBy(() -> RecordCipher.paddedLength(RecordCodec.MAX_MESSAGE_BYTES + 1))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void paddingIsIso7816MarkerThenZeros() {
    byte[] padded = RecordCipher.pad("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(padded).hasSize(256);
    assertThat(Bytes.hex(Arrays.copyOf(padded, 5))).isEqualTo("6162638000");
    for (int i = 4; i < 256; i++) assertThat(padded[i]).isZero();
    assertThat(RecordCipher.unpad(padded)).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    // A message that itself ends in 0x80 and zeros comes back intact: the last 0x80 is the marker.
    byte[] tricky = {0x41, (byte) 0x80, 0x00, 0x00};
    assertThat(RecordCipher.unpad(RecordCipher.pad(tricky))).isEqualTo(tricky);
    assertThat(RecordCipher.unpad(RecordCipher.pad(new byte[0]))).isEmpty();
  }

  @Test
  void malformedPaddingIsRefused() {
    assertThatThrownBy(() -> RecordCipher.unpad(new byte[256])).isInstanceOf(CryptoException.class)
        .hasMessageContaining("padding");
    byte[] notAClass = new byte[300];
    notAClass[0] = (byte) 0x80;
    assertThatThrownBy(() -> RecordCipher.unpad(notAClass)).isInstanceOf(CryptoException.class)
        .hasMessageContaining("padding");
    byte[] junkAfterMarker = RecordCipher.pad(new byte[] {1});
    junkAfterMarker[200] = 7;
    assertThatThrownBy(() -> RecordCipher.unpad(junkAfterMarker)).isInstanceOf(CryptoException.class);
  }

  @Test
  void recordsOfDifferentTextLengthsInOneClassHaveTheSameLength() {
    byte[] shortBox = RecordCipher.seal(KEY, CTX, "ok".getBytes(StandardCharsets.UTF_8));
    byte[] longBox = RecordCipher.seal(KEY, CTX, "x".repeat(200).getBytes(StandardCharsets.UTF_8));
    assertThat(shortBox).hasSize(256 + AesGcm.OVERHEAD);
    assertThat(longBox).hasSize(shortBox.length);
    assertThat(RecordCipher.open(KEY, CTX, shortBox)).isEqualTo("ok".getBytes(StandardCharsets.UTF_8));
    byte[] max = new byte[RecordCodec.MAX_MESSAGE_BYTES];
    assertThat(RecordCipher.seal(KEY, CTX, max)).hasSize(RecordCodec.MAX_BOX_BYTES);
  }

  /** Known answer: the box of "abc" under fixed inputs, as docs/protocol.md describes it. */
  @Test
  void knownAnswer() {
    byte[] nonce = filled(12, 0x0c);
    byte[] box = RecordCipher.seal(KEY, CTX, "abc".getBytes(StandardCharsets.US_ASCII), nonce);
    byte[] kRec = Hashes.hkdfSha256(filled(32, 0x5a), CTX.kappa0(),
        Bytes.concat(UserSecret.ascii("MedLedger v1 record"), new byte[] {4}, Bytes.u64(0x0123456789abcdefL), Bytes.u32(1)), 32);
    byte[] ad = Bytes.concat(UserSecret.ascii("MedLedger v1 record"), new byte[] {2}, filled(32, 1), filled(32, 2),
        new byte[] {4}, Bytes.u64(0x0123456789abcdefL), Bytes.u32(1));
    assertThat(CTX.associatedData()).isEqualTo(ad);
    byte[] plain = new byte[256];
    plain[0] = 0x61;
    plain[1] = 0x62;
    plain[2] = 0x63;
    plain[3] = (byte) 0x80;
    assertThat(box).isEqualTo(Bytes.concat(nonce, AesGcm.encrypt(kRec, nonce, ad, plain, 128)));
    assertThat(Bytes.hex(Hashes.sha256(box)))
        .isEqualTo("205a53b2da5c2fac5f637585e5ea7e8e98bc67a0b422248e3e97a4a2ed5ff9f3");
  }

  /** Records written before padding (format 1: bare message, 0x01 in the AD) stay readable. */
  @Test
  void unpaddedFormatOneRecordsStayReadable() {
    byte[] nonce = filled(12, 0x0c);
    byte[] kRec = Hashes.hkdfSha256(filled(32, 0x5a), CTX.kappa0(),
        Bytes.concat(UserSecret.ascii("MedLedger v1 record"), new byte[] {4}, Bytes.u64(0x0123456789abcdefL), Bytes.u32(1)), 32);
    byte[] adV1 = Bytes.concat(UserSecret.ascii("MedLedger v1 record"), new byte[] {1}, filled(32, 1), filled(32, 2),
        new byte[] {4}, Bytes.u64(0x0123456789abcdefL), Bytes.u32(1));
    byte[] legacy = Bytes.concat(nonce, AesGcm.encrypt(kRec, nonce, adV1, "old text".getBytes(StandardCharsets.UTF_8), 128));
    assertThat(RecordCipher.open(KEY, CTX, legacy)).isEqualTo("old text".getBytes(StandardCharsets.UTF_8));
    // A format-1 box whose text happens to look padded is still returned as written.
    byte[] looksPadded = RecordCipher.pad(new byte[] {1, 2});
    byte[] legacy2 = Bytes.concat(nonce, AesGcm.encrypt(kRec, nonce, adV1, looksPadded, 128));
    assertThat(RecordCipher.open(KEY, CTX, legacy2)).isEqualTo(looksPadded);
  }
}
