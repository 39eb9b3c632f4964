package org.medledger.core.crypto;

import java.math.BigInteger;
import java.security.KeyPair;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A P-256 key pair derived from a user secret. The private scalar stays inside; callers get
 * ECDH, signatures and the JCA form (for certificates and Fabric identities).
 */
public final class EcKeyPair {
  private final BigInteger d;
  private final ECPoint q;

  EcKeyPair(BigInteger d) {
    this.d = d;
    this.q = P256.publicPoint(d);
  }

  /** The private scalar, for key blinding in this package only. */
  BigInteger scalar() {
    return d;
  }

  public ECPoint publicPoint() {
    return q;
  }

  /** SEC1 compressed public key, 33 bytes (the vk_x / pk_x of the paper on the wire). */
  public byte[] publicKey() {
    return P256.encodeCompressed(q);
  }

  public byte[] agree(ECPoint peer) {
    return P256.sharedSecret(d, peer);
  }

  public byte[] sign(byte[] message) {
    return P256.sign(d, message);
  }

  public KeyPair toJca() {
    return new KeyPair(P256.toJcaPublicKey(q), P256.toJcaPrivateKey(d));
  }

  @Override
  public String toString() {
    return "EcKeyPair[public=" + Bytes.hex(publicKey()) + "]";
  }
}
