package org.medledger.core.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** SHA-256, SHA-512, HMAC-SHA256 and HKDF-SHA256 (RFC 5869), through BouncyCastle. */
public final class Hashes {
  private Hashes() {}

  public static byte[] sha256(byte[]... parts) {
    SHA256Digest d = new SHA256Digest();
    for (byte[] p : parts) d.update(p, 0, p.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  public static byte[] sha512(byte[]... parts) {
    SHA512Digest d = new SHA512Digest();
    for (byte[] p : parts) d.update(p, 0, p.length);
    byte[] out = new byte[64];
    d.doFinal(out, 0);
    return out;
  }

  public static byte[] hmacSha256(byte[] key, byte[] message) {
    HMac mac = new HMac(new SHA256Digest());
    mac.init(new KeyParameter(key));
    mac.update(message, 0, message.length);
    byte[] out = new byte[32];
    mac.doFinal(out, 0);
    return out;
  }

  /**
   * HKDF-SHA256 extract-and-expand. {@code salt} may be null or empty (RFC 5869: zeros).
   *
   * @throws IllegalArgumentException if {@code length} exceeds 255 * 32
   */
  public static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    if (length < 0 || length > 255 * 32) {
      throw new IllegalArgumentException("HKDF-SHA256 output length must be 0..8160, was " + length);
    }
    HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
    g.init(new HKDFParameters(ikm, salt == null || salt.length == 0 ? null : salt, info));
    byte[] out = new byte[length];
    g.generateBytes(out, 0, length);
    return out;
  }
}
