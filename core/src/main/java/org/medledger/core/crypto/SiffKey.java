package org.medledger.core.crypto;

import java.util.Arrays;

/**
 * The shared key of a treatment, f(s_x) = u(β(s_x)) mod 2^256 (the paper's sk_a = u_1). It is
 * input keying material for HKDF, never used as an AES key directly. Wipe with {@link #close()}.
 */
public final class SiffKey implements AutoCloseable {
  public static final int BYTES = 32;
  private final byte[] key;

  SiffKey(byte[] key) {
    if (key.length != BYTES) throw new IllegalArgumentException("SIFF key must be 32 bytes");
    this.key = key;
  }

  /** Wraps raw key bytes (copied); for the record cipher's tests and for re-loading a key. */
  public static SiffKey of(byte[] raw) {
    return new SiffKey(raw.clone());
  }

  /** A copy of the key bytes; the caller wipes it. */
  public byte[] bytes() {
    return key.clone();
  }

  public boolean sameAs(SiffKey other) {
    return Bytes.constantTimeEquals(key, other.key);
  }

  @Override
  public void close() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "SiffKey[redacted]";
  }
}
