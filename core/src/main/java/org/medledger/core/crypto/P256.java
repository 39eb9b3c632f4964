package org.medledger.core.crypto;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * NIST P-256 (secp256r1): point validation, ECDH, deterministic ECDSA (RFC 6979) and the bridge
 * to JCA keys used by certificates. Every public point that enters the system goes through
 * {@link #decodePoint}, which refuses off-curve points and the point at infinity.
 */
public final class P256 {
  public static final int COMPRESSED_POINT_BYTES = 33;
  public static final int SCALAR_BYTES = 32;

  private static final X9ECParameters X9 = CustomNamedCurves.getByName("secp256r1");
  public static final ECDomainParameters DOMAIN =
      new ECDomainParameters(X9.getCurve(), X9.getG(), X9.getN(), X9.getH());
  private static final BigInteger N = X9.getN();
  private static final ECParameterSpec JCA_SPEC = jcaSpec();

  /**
   * Points decoded lately, by their exact encoding. Decompressing a point costs a field square
   * root, and the chaincode decoded the patient's key of every consent twice (when the record
   * is parsed, and again for the signature check); a decoded point is a function of its bytes
   * and BouncyCastle's points are immutable. Only valid points are kept; least recently used out.
   */
  private static final int DECODED_BOUND = 1024;
  private static final java.util.Map<java.nio.ByteBuffer, ECPoint> DECODED =
      new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<java.nio.ByteBuffer, ECPoint> eldest) {
          return size() > DECODED_BOUND;
        }
      };
  private static long decodedHits;

  private P256() {}

  /** Decodes a SEC1 point (compressed or uncompressed) and validates it. */
  public static ECPoint decodePoint(byte[] encoded) {
    if (encoded != null) {
      synchronized (DECODED) {
        ECPoint known = DECODED.get(java.nio.ByteBuffer.wrap(encoded));
        if (known != null) {
          decodedHits++;
          return known;
        }
      }
    }
    ECPoint p = decodeNew(encoded);
    synchronized (DECODED) {
      DECODED.put(java.nio.ByteBuffer.wrap(encoded.clone()), p);
    }
    return p;
  }

  /** How many decodes were answered from the points decoded lately (for tests). */
  static long decodedHits() {
    synchronized (DECODED) {
      return decodedHits;
    }
  }

  private static ECPoint decodeNew(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      throw new CryptoException("public key is empty");
    }
    if (encoded[0] == 0x00) {
      throw new CryptoException("public key is the point at infinity");
    }
    ECPoint p;
    try {
      p = DOMAIN.getCurve().decodePoint(encoded);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new CryptoException("public key is not a valid P-256 point");
    }
    return validate(p);
  }

  /** Validates a point: on the curve, not infinity, in the prime-order group (cofactor 1). */
  public static ECPoint validate(ECPoint p) {
    if (p == null || p.isInfinity()) {
      throw new CryptoException("public key is the point at infinity");
    }
    ECPoint n = p.normalize();
    if (!n.isValid()) {
      throw new CryptoException("public key is not on the P-256 curve");
    }
    return n;
  }

  /** Parses an X.509 SubjectPublicKeyInfo, accepting only named-curve P-256 keys. */
  public static ECPoint decodeSubjectPublicKeyInfo(byte[] der) {
    SubjectPublicKeyInfo spki;
    try {
      spki = SubjectPublicKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw new CryptoException("public key is not a valid SubjectPublicKeyInfo");
    }
    if (spki == null || !X9ObjectIdentifiers.id_ecPublicKey.equals(spki.getAlgorithm().getAlgorithm())) {
      throw new CryptoException("public key is not an EC key");
    }
    var params = spki.getAlgorithm().getParameters();
    if (!(params instanceof ASN1ObjectIdentifier oid) || !SECObjectIdentifiers.secp256r1.equals(oid)) {
      throw new CryptoException("public key is not on the named curve P-256");
    }
    byte[] point;
    try {
      point = spki.getPublicKeyData().getOctets();
    } catch (IllegalStateException e) { // BIT STRING with unused bits (Wycheproof ecdh tcId 604ff.)
      throw new CryptoException("public key is not a valid SubjectPublicKeyInfo");
    }
    return decodePoint(point);
  }

  public static byte[] encodeCompressed(ECPoint p) {
    return p.getEncoded(true);
  }

  public static ECPoint publicPoint(BigInteger d) {
    return new FixedPointCombMultiplier().multiply(DOMAIN.getG(), d).normalize();
  }

  /**
   * Maps 48 uniformly random bytes to a scalar in [1, n-1] (bias below 2^-128), as FIPS 186-5
   * A.2.1 does for key generation.
   */
  public static BigInteger scalarFrom(byte[] fortyEightBytes) {
    if (fortyEightBytes.length < 40) {
      throw new IllegalArgumentException("need at least 40 bytes to derive a P-256 scalar");
    }
    return new BigInteger(1, fortyEightBytes).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
  }

  /** ECDH: the x-coordinate of d·Q, 32 bytes; refuses invalid Q and an infinite result. */
  public static byte[] sharedSecret(BigInteger d, ECPoint q) {
    ECPoint peer = validate(q);
    if (d.signum() <= 0 || d.compareTo(N) >= 0) {
      throw new CryptoException("private key out of range");
    }
    ECPoint s = peer.multiply(d).normalize();
    if (s.isInfinity()) {
      throw new CryptoException("ECDH produced the point at infinity");
    }
    return fixed(s.getAffineXCoord().toBigInteger(), SCALAR_BYTES);
  }

  /** Deterministic ECDSA-SHA256 (RFC 6979), DER-encoded. */
  public static byte[] sign(BigInteger d, byte[] message) {
    ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    s.init(true, new ECPrivateKeyParameters(d, DOMAIN));
    BigInteger[] rs = s.generateSignature(Hashes.sha256(message));
    try {
      return StandardDSAEncoding.INSTANCE.encode(N, rs[0], rs[1]);
    } catch (java.io.IOException e) {
      throw new CryptoException("cannot encode signature", e);
    }
  }

  /** Verifies a DER ECDSA-SHA256 signature; false for any malformed input. */
  public static boolean verify(ECPoint q, byte[] message, byte[] derSignature) {
    try {
      BigInteger[] rs = StandardDSAEncoding.INSTANCE.decode(N, derSignature);
      ECDSASigner s = new ECDSASigner();
      s.init(false, new ECPublicKeyParameters(validate(q), DOMAIN));
      return s.verifySignature(Hashes.sha256(message), rs[0], rs[1]);
    } catch (RuntimeException | java.io.IOException e) {
      return false;
    }
  }

  public static PrivateKey toJcaPrivateKey(BigInteger d) {
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, JCA_SPEC));
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot build a P-256 private key", e);
    }
  }

  public static PublicKey toJcaPublicKey(ECPoint q) {
    ECPoint n = validate(q);
    try {
      return KeyFactory.getInstance("EC")
          .generatePublic(
              new ECPublicKeySpec(
                  new java.security.spec.ECPoint(
                      n.getAffineXCoord().toBigInteger(), n.getAffineYCoord().toBigInteger()),
                  JCA_SPEC));
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot build a P-256 public key", e);
    }
  }

  /** The point of a JCA EC public key (e.g. from a certificate); refuses other curves. */
  public static ECPoint fromJcaPublicKey(PublicKey key) {
    if (!(key instanceof ECPublicKey ec)) {
      throw new CryptoException("public key is not an EC key");
    }
    return decodeSubjectPublicKeyInfo(ec.getEncoded());
  }

  static byte[] fixed(BigInteger v, int len) {
    byte[] raw = v.toByteArray();
    if (raw.length == len) return raw;
    byte[] out = new byte[len];
    if (raw.length > len) {
      System.arraycopy(raw, raw.length - len, out, 0, len);
    } else {
      System.arraycopy(raw, 0, out, len - raw.length, raw.length);
    }
    return out;
  }

  private static ECParameterSpec jcaSpec() {
    try {
      AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
      ap.init(new ECGenParameterSpec("secp256r1"));
      return ap.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
