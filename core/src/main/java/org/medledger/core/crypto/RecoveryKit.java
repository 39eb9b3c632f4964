package org.medledger.core.crypto;

import java.util.Arrays;
import java.util.Locale;

/**
 * The printable recovery kit: σ_x as text a person can type back, and the same text as a QR
 * payload. Text: {@code MLRK1-} then Base32 (RFC 4648, no padding) of σ || SHA-256(σ)[0..4],
 * in groups of four; the checksum catches a typo before it is mistaken for a wrong kit.
 */
public final class RecoveryKit {
  public static final String PREFIX = "MLRK1-";
  public static final String QR_PREFIX = "medledger-recovery:";
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private RecoveryKit() {}

  public static String encode(UserSecret secret) {
    byte[] raw = secret.raw();
    byte[] check = Arrays.copyOf(Hashes.sha256(raw), 4);
    byte[] all = Bytes.concat(raw, check);
    String b32 = base32(all);
    Bytes.wipe(raw);
    Bytes.wipe(all);
    StringBuilder sb = new StringBuilder(PREFIX);
    for (int i = 0; i < b32.length(); i += 4) {
      if (i > 0) sb.append('-');
      sb.append(b32, i, Math.min(b32.length(), i + 4));
    }
    return sb.toString();
  }

  public static String qrPayload(UserSecret secret) {
    return QR_PREFIX + encode(secret);
  }

  /** Accepts the text or the QR payload, ignoring case, spaces and dashes. */
  public static UserSecret decode(String text) {
    if (text == null) throw new CryptoException("recovery code is empty");
    String t = text.trim();
    if (t.startsWith(QR_PREFIX)) t = t.substring(QR_PREFIX.length());
    t = t.toUpperCase(Locale.ROOT).replace(" ", "").replace("-", "").replace("\n", "");
    String prefix = PREFIX.replace("-", "");
    if (!t.startsWith(prefix)) {
      throw new CryptoException("not a MedLedger recovery code (it starts with " + PREFIX + ")");
    }
    byte[] all = unbase32(t.substring(prefix.length()));
    if (all.length != UserSecret.BYTES + 4) {
      throw new CryptoException("recovery code has the wrong length");
    }
    byte[] raw = Arrays.copyOf(all, UserSecret.BYTES);
    byte[] check = Arrays.copyOfRange(all, UserSecret.BYTES, all.length);
    try {
      if (!Bytes.constantTimeEquals(check, Arrays.copyOf(Hashes.sha256(raw), 4))) {
        throw new CryptoException("recovery code has a typo (checksum mismatch)");
      }
      return UserSecret.of(raw);
    } finally {
      Bytes.wipe(raw);
      Bytes.wipe(all);
    }
  }

  static String base32(byte[] data) {
    StringBuilder sb = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    return sb.toString();
  }

  static byte[] unbase32(String s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : s.toCharArray()) {
      int v;
      if (c >= 'A' && c <= 'Z') v = c - 'A';
      else if (c >= '2' && c <= '7') v = c - '2' + 26;
      else throw new CryptoException("recovery code contains an invalid character");
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    // Canonical RFC 4648: fewer than 5 leftover bits, all zero. Otherwise a mistyped last
    // character or an extra one would decode to the same σ unnoticed.
    if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
      throw new CryptoException("recovery code has a typo (its last characters do not match)");
    }
    return out.toByteArray();
  }
}
