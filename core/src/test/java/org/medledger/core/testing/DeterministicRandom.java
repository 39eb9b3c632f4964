package org.medledger.core.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A reproducible SecureRandom for known-answer tests and the worked example of
 * docs/protocol.md: block i = SHA-256(seed || u64 i), concatenated. NOT random; test code only.
 */
public final class DeterministicRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final byte[] seed;
  private long counter;
  private byte[] block = new byte[0];
  private int used;

  public DeterministicRandom(String seed) {
    super(new byte[0]);
    this.seed = seed.getBytes(StandardCharsets.UTF_8);
  }

  private DeterministicRandom(byte[] seed) {
    super(new byte[0]);
    this.seed = seed.clone();
  }

  /** An independent generator in exactly this one's state (to replay what a callee will draw). */
  public synchronized DeterministicRandom copy() {
    DeterministicRandom c = new DeterministicRandom(seed);
    c.counter = counter;
    c.block = block.clone();
    c.used = used;
    return c;
  }

  @Override
  public synchronized void nextBytes(byte[] out) {
    for (int o = 0; o < out.length; o++) {
      if (used == block.length) refill();
      out[o] = block[used++];
    }
  }

  @Override
  public byte[] generateSeed(int n) {
    byte[] b = new byte[n];
    nextBytes(b);
    return b;
  }

  @Override
  public void setSeed(byte[] ignored) {
    // deterministic by design: the seed given to the constructor is the only seed
  }

  @Override
  public void setSeed(long ignored) {
    // called by the SecureRandom constructor; ignored for the same reason
  }

  private void refill() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(seed);
      long c = counter++;
      for (int i = 7; i >= 0; i--) d.update((byte) (c >>> (8 * i)));
      block = d.digest();
      used = 0;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
