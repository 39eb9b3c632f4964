package org.medledger.core.crypto;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.custom.sec.SecP521R1FieldElement;

/**
 * Sibling intractable function family (Zheng, Hardjono, Pieprzyk 1991) as MedLedger builds it;
 * see docs/protocol.md §SIFF. Over GF(p), p = 2^521 − 1:
 *
 * <ul>
 *   <li>β_j = hash_to_field(s_j) for each member's initial string s_j;
 *   <li>one random 256-bit u1 (the key) and an independent random 256-bit u0_j per member;
 *       y_j = u0_j · 2^256 + u1 &lt; 2^512 &lt; p;
 *   <li>one extra random point (x*, y*), so u has degree k and a lone member (k = 1) is covered;
 *   <li>u interpolates the k+1 points (O(k²)); tag = its coefficients;
 *   <li>f(s) = u(hash_to_field(s)) mod 2^256.
 * </ul>
 *
 * The paper's literal reading — every point with the same right-hand side and k coefficients —
 * yields the constant polynomial, whose tag is the key; {@link #fromPoints} refuses it.
 * Field arithmetic uses BouncyCastle's constant-time P-521 field element; only public values
 * (the tag, sizes) are converted through BigInteger.
 */
public final class Siff {
  static final byte[] DST = "MedLedger-v1-SIFF-hash-to-field".getBytes(StandardCharsets.US_ASCII);
  private static final BigInteger P = SiffTag.P;
  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

  private Siff() {}

  /** The result of building: the public tag and the shared key. */
  public record Built(SiffTag tag, SiffKey key) {}

  /**
   * Builds a function mapping every initial string to one fresh random key.
   *
   * @throws CryptoException if there are no strings, too many, or two map to the same β
   */
  public static Built build(List<byte[]> initialStrings, SecureRandom random) {
    int k = initialStrings.size();
    if (k < 1 || k > SiffTag.MAX_MEMBERS) {
      throw new CryptoException("SIFF needs 1 to " + SiffTag.MAX_MEMBERS + " members, got " + k);
    }
    byte[] u1 = new byte[32];
    random.nextBytes(u1);
    BigInteger u1Int = new BigInteger(1, u1);
    ECFieldElement[] xs = new ECFieldElement[k + 1];
    ECFieldElement[] ys = new ECFieldElement[k + 1];
    for (int j = 0; j < k; j++) {
      xs[j] = hashToField(initialStrings.get(j));
      byte[] u0 = new byte[32];
      random.nextBytes(u0);
      ys[j] = fe(new BigInteger(1, u0).multiply(TWO_256).add(u1Int));
      Bytes.wipe(u0);
    }
    xs[k] = randomElement(random);
    ys[k] = randomElement(random);
    SiffTag tag = fromPoints(xs, ys);
    SiffKey key = new SiffKey(P256.fixed(u1Int, 32));
    Bytes.wipe(u1);
    // Self-check: every member must land on the key (guards against a broken build).
    for (byte[] s : initialStrings) {
      try (SiffKey got = evaluate(tag, s)) {
        if (!got.sameAs(key)) {
          key.close();
          throw new CryptoException("SIFF self-check failed");
        }
      }
    }
    return new Built(tag, key);
  }

  /** f(s) = u(β(s)) mod 2^256 for the function described by {@code tag}. */
  public static SiffKey evaluate(SiffTag tag, byte[] initialString) {
    ECFieldElement x = hashToField(initialString);
    ECFieldElement[] a = tag.coefficients();
    ECFieldElement acc = a[a.length - 1];
    for (int i = a.length - 2; i >= 0; i--) {
      acc = acc.multiply(x).add(a[i]);
    }
    byte[] full = P256.fixed(acc.toBigInteger(), SiffTag.COEFFICIENT_BYTES);
    byte[] low = java.util.Arrays.copyOfRange(full, full.length - 32, full.length);
    Bytes.wipe(full);
    return new SiffKey(low);
  }

  /**
   * Interpolates the polynomial through the points (x_j, y_j) and returns it as a tag. Refuses
   * equal x's and a degenerate (constant) result.
   */
  static SiffTag fromPoints(ECFieldElement[] xs, ECFieldElement[] ys) {
    int n = xs.length;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        if (xs[i].equals(xs[j])) {
          throw new CryptoException("two SIFF members map to the same point; refusing to build");
        }
      }
    }
    ECFieldElement zero = fe(BigInteger.ZERO);
    ECFieldElement one = fe(BigInteger.ONE);
    // M(x) = Π (x − x_i), degree n, coefficients m[0..n].
    ECFieldElement[] m = new ECFieldElement[n + 1];
    java.util.Arrays.fill(m, zero);
    m[0] = one;
    for (int i = 0; i < n; i++) {
      // multiply by (x − x_i): new[t] = old[t-1] − x_i·old[t]
      for (int t = i + 1; t >= 0; t--) {
        ECFieldElement prev = t > 0 ? m[t - 1] : zero;
        m[t] = prev.subtract(xs[i].multiply(m[t]));
      }
    }
    // q_j = M / (x − x_j) by synthetic division; d_j = q_j(x_j) = Π_{i≠j}(x_j − x_i).
    ECFieldElement[][] q = new ECFieldElement[n][];
    ECFieldElement[] d = new ECFieldElement[n];
    for (int j = 0; j < n; j++) {
      ECFieldElement[] qj = new ECFieldElement[n];
      ECFieldElement carry = m[n];
      for (int t = n - 1; t >= 0; t--) {
        qj[t] = carry;
        carry = m[t].add(carry.multiply(xs[j]));
      }
      q[j] = qj;
      ECFieldElement acc = qj[n - 1];
      for (int t = n - 2; t >= 0; t--) acc = acc.multiply(xs[j]).add(qj[t]);
      d[j] = acc;
    }
    // Batch inversion of d (one field inversion for all).
    ECFieldElement[] prefix = new ECFieldElement[n];
    ECFieldElement run = one;
    for (int j = 0; j < n; j++) {
      prefix[j] = run;
      run = run.multiply(d[j]);
    }
    ECFieldElement inv = run.invert();
    ECFieldElement[] w = new ECFieldElement[n];
    for (int j = n - 1; j >= 0; j--) {
      w[j] = ys[j].multiply(inv.multiply(prefix[j]));
      inv = inv.multiply(d[j]);
    }
    ECFieldElement[] a = new ECFieldElement[n];
    java.util.Arrays.fill(a, zero);
    for (int j = 0; j < n; j++) {
      for (int t = 0; t < n; t++) a[t] = a[t].add(w[j].multiply(q[j][t]));
    }
    boolean constant = true;
    for (int t = 1; t < n; t++) {
      if (!a[t].isZero()) constant = false;
    }
    if (constant) {
      throw new CryptoException(
          "SIFF interpolation gave a constant polynomial: its tag would be the key; refusing");
    }
    return SiffTag.of(a);
  }

  /**
   * hash_to_field: OS2IP(SHA-512(DST || 0x00 || s) || SHA-512(DST || 0x01 || s)) mod p — 1024
   * bits reduced mod a 521-bit prime, bias below 2^-500.
   */
  static ECFieldElement hashToField(byte[] s) {
    byte[] h0 = Hashes.sha512(DST, new byte[] {0}, s);
    byte[] h1 = Hashes.sha512(DST, new byte[] {1}, s);
    byte[] both = Bytes.concat(h0, h1);
    BigInteger v = new BigInteger(1, both);
    Bytes.wipe(h0);
    Bytes.wipe(h1);
    Bytes.wipe(both);
    // v = hi·2^521 + lo ≡ hi + lo (mod 2^521 − 1): masks and shifts instead of a division.
    BigInteger lo = v.and(P);
    BigInteger hi = v.shiftRight(521);
    if (lo.equals(P)) lo = BigInteger.ZERO;
    return fe(lo).add(fe(hi));
  }

  private static ECFieldElement randomElement(SecureRandom random) {
    byte[] b = new byte[66];
    while (true) {
      random.nextBytes(b);
      b[0] &= 0x01; // 521 bits
      BigInteger v = new BigInteger(1, b);
      if (v.compareTo(P) < 0) {
        Bytes.wipe(b);
        return fe(v);
      }
    }
  }

  static ECFieldElement fe(BigInteger v) {
    return new SecP521R1FieldElement(v);
  }
}
