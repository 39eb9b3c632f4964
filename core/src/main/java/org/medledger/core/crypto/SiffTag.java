package org.medledger.core.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.custom.sec.SecP521R1FieldElement;

/**
 * The public part of a SIFF function: the k+1 coefficients a_0..a_k of u(x) over GF(2^521 − 1),
 * each {@value #COEFFICIENT_BYTES} bytes big-endian (the paper's tag = α_0 || ... ). Anyone may
 * see it; it reveals neither the key nor the members' initial strings.
 */
public final class SiffTag {
  public static final int COEFFICIENT_BYTES = 66;
  /** Largest number of members (k) a tag may carry; bounds parsing and evaluation cost. */
  public static final int MAX_MEMBERS = 64;

  static final BigInteger P = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);

  private final byte[] encoded;
  private final ECFieldElement[] coefficients;

  private SiffTag(byte[] encoded, ECFieldElement[] coefficients) {
    this.encoded = encoded;
    this.coefficients = coefficients;
  }

  static SiffTag of(ECFieldElement[] coefficients) {
    byte[] enc = new byte[coefficients.length * COEFFICIENT_BYTES];
    for (int i = 0; i < coefficients.length; i++) {
      byte[] c = P256.fixed(coefficients[i].toBigInteger(), COEFFICIENT_BYTES);
      System.arraycopy(c, 0, enc, i * COEFFICIENT_BYTES, COEFFICIENT_BYTES);
    }
    return new SiffTag(enc, coefficients.clone());
  }

  /**
   * Parses a tag: a positive multiple of 66 bytes, at least 2 and at most
   * {@value #MAX_MEMBERS}+1 coefficients, each below p, and not a constant polynomial.
   */
  public static SiffTag parse(byte[] encoded) {
    if (encoded == null || encoded.length == 0 || encoded.length % COEFFICIENT_BYTES != 0) {
      throw new CryptoException("SIFF tag must be a non-empty multiple of 66 bytes");
    }
    int n = encoded.length / COEFFICIENT_BYTES;
    if (n < 2 || n > MAX_MEMBERS + 1) {
      throw new CryptoException("SIFF tag must hold 2 to " + (MAX_MEMBERS + 1) + " coefficients, has " + n);
    }
    ECFieldElement[] cs = new ECFieldElement[n];
    boolean allHighZero = true;
    for (int i = 0; i < n; i++) {
      BigInteger v =
          new BigInteger(1, Arrays.copyOfRange(encoded, i * COEFFICIENT_BYTES, (i + 1) * COEFFICIENT_BYTES));
      if (v.compareTo(P) >= 0) {
        throw new CryptoException("SIFF tag coefficient " + i + " is not below 2^521 - 1");
      }
      cs[i] = new SecP521R1FieldElement(v);
      if (i > 0 && !cs[i].isZero()) allHighZero = false;
    }
    if (allHighZero) {
      throw new CryptoException("SIFF tag is a constant polynomial: it would expose the key");
    }
    return new SiffTag(encoded.clone(), cs);
  }

  /** Number of members k (the polynomial has degree k). */
  public int members() {
    return coefficients.length - 1;
  }

  public byte[] encoded() {
    return encoded.clone();
  }

  /** SHA-256 of the encoding; bound into every record's associated data. */
  public byte[] hash() {
    return Hashes.sha256(encoded);
  }

  ECFieldElement[] coefficients() {
    return coefficients;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SiffTag t && Arrays.equals(encoded, t.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "SiffTag[k=" + members() + ", sha256=" + Bytes.hex(hash()).substring(0, 16) + "]";
  }
}
