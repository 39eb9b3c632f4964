package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The recovery kit byte for byte, as docs/protocol.md §Recovery kit states it: the checksum is
 * the first four bytes of SHA-256(σ) in the digest's own order, appended after σ and encoded
 * with σ in one Base32 string; nothing else.
 */
class RecoveryKitTest {
  private static final byte[] SIGMA = filled(0x11);
  /** SHA-256 of 32 bytes of 0x11, as printed by any SHA-256 tool. */
  private static final String SHA256_SIGMA = "02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc";
  /** RFC 4648 Base32 of σ ‖ 02 d4 49 a3, without the six '=' of padding. */
  private static final String BODY = "CEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIQFVCJUM";
  private static final String TEXT =
      "MLRK1-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIR-CEIQ-FVCJ-UM";

  private static byte[] filled(int b) {
    byte[] out = new byte[32];
    Arrays.fill(out, (byte) b);
    return out;
  }

  private static String kit(byte[] sigma, byte[] check) {
    String body = RecoveryKit.base32(Bytes.concat(sigma, check));
    StringBuilder sb = new StringBuilder(RecoveryKit.PREFIX);
    for (int i = 0; i < body.length(); i += 4) {
      if (i > 0) sb.append('-');
      sb.append(body, i, Math.min(body.length(), i + 4));
    }
    return sb.toString();
  }

  @Test
  void theChecksumIsTheFirstFourDigestBytesInDigestOrder() {
    assertThat(HexFormat.of().formatHex(Hashes.sha256(SIGMA))).isEqualTo(SHA256_SIGMA);
    byte[] check = HexFormat.of().parseHex("02d449a3");
    assertThat(RecoveryKit.base32(Bytes.concat(SIGMA, check))).isEqualTo(BODY).hasSize(58);
    try (UserSecret s = UserSecret.of(SIGMA.clone())) {
      assertThat(RecoveryKit.encode(s)).isEqualTo(TEXT).isEqualTo(kit(SIGMA, check));
      assertThat(RecoveryKit.qrPayload(s)).isEqualTo("medledger-recovery:" + TEXT);
    }
    try (UserSecret back = RecoveryKit.decode(TEXT)) {
      assertThat(back.raw()).isEqualTo(SIGMA);
    }
    // The same four bytes in another order, or another four bytes of the digest: a typo.
    for (String wrong : new String[] {"a349d402", "e5a4bedc", "00000000"}) {
      String k = kit(SIGMA, HexFormat.of().parseHex(wrong));
      assertThatThrownBy(() -> RecoveryKit.decode(k)).as(wrong).isInstanceOf(CryptoException.class)
          .hasMessage("recovery code has a typo (checksum mismatch)");
    }
  }

  @Test
  void whatDecodingIgnoresAndWhatItRefuses() {
    // Case, U+0020 spaces, dashes and line feeds anywhere; surrounding white space.
    for (String ok : new String[] {
        TEXT.toLowerCase(), "MLRK1" + BODY, TEXT.replace("-", " "), "\t " + TEXT + "\r\n",
        "medledger-recovery:" + TEXT, "  medledger-recovery:" + TEXT.toLowerCase(),
        TEXT.substring(0, 30) + "\n" + TEXT.substring(30), "M-L-R-K-1-" + BODY}) {
      try (UserSecret s = RecoveryKit.decode(ok)) {
        assertThat(s.raw()).as(ok).isEqualTo(SIGMA);
      }
    }
    // Any other character inside, a QR prefix not in lower case, a wrong length, a last
    // character with non-zero unused bits.
    for (String bad : new String[] {
        TEXT.substring(0, 30) + "\t" + TEXT.substring(30), TEXT.substring(0, 30) + "\r\n" + TEXT.substring(30),
        "MEDLEDGER-RECOVERY:" + TEXT, TEXT.substring(0, TEXT.length() - 1), TEXT + "A",
        TEXT.substring(0, TEXT.length() - 1) + "N", TEXT.replace('C', '0')}) {
      assertThatThrownBy(() -> RecoveryKit.decode(bad)).as(bad).isInstanceOf(CryptoException.class);
    }
  }
}
