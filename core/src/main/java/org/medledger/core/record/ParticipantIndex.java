package org.medledger.core.record;

import java.util.HexFormat;
import org.bouncycastle.math.ec.ECPoint;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.P256;

/**
 * ind_x, the paper's vk_x mod 2^64, defined precisely: read the SEC1 compressed encoding of
 * the public key vk_x (0x02/0x03 || X, 33 bytes) as a big-endian integer and keep its low 64
 * bits — i.e. the last 8 bytes of the x-coordinate. Shown as 16 lower-case hex digits.
 */
public final class ParticipantIndex {
  private ParticipantIndex() {}

  public static long of(ECPoint publicKey) {
    return of(P256.encodeCompressed(P256.validate(publicKey)));
  }

  /** From a 33-byte compressed key (validated by the caller or the parser). */
  public static long of(byte[] compressedKey) {
    if (compressedKey.length != P256.COMPRESSED_POINT_BYTES) {
      throw new IllegalArgumentException("ind_x is defined on a 33-byte compressed key");
    }
    return Bytes.readU64(compressedKey, compressedKey.length - 8);
  }

  public static String hex(long index) {
    return HexFormat.of().toHexDigits(index);
  }

  public static long parse(String hex) {
    String h = hex == null ? "" : hex.trim();
    if (h.length() != 16) {
      throw new IllegalArgumentException("a participant index is 16 hex digits");
    }
    try {
      return HexFormat.fromHexDigitsToLong(h.toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a participant index is 16 hex digits");
    }
  }
}
