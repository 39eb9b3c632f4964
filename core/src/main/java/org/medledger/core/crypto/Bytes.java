package org.medledger.core.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/** Small byte helpers used across the core; nothing here is secret-aware beyond {@link #wipe}. */
public final class Bytes {
  private static final HexFormat HEX = HexFormat.of();

  private Bytes() {}

  public static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  public static byte[] u32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  public static byte[] u64(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  public static long readU64(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xff);
    return v;
  }

  /** Overwrites a secret; Java cannot promise no copy survives, but we drop ours. */
  public static void wipe(byte[] b) {
    if (b != null) Arrays.fill(b, (byte) 0);
  }

  public static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  public static byte[] unhex(String s) {
    return HEX.parseHex(s);
  }

  /** Constant-time comparison. */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return java.security.MessageDigest.isEqual(a, b);
  }
}
