package org.medledger.core.crypto;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A family member's per-treatment key (docs/protocol.md §Per-treatment identities): the family
 * hands the patient one public key vk_r, once; each consent names the blinded key
 *
 * <pre>
 * t     = OS2IP(SHA-512("MedLedger v1 key blinding" ‖ vk_r ‖ consent id)) mod n
 * vk_r' = vk_r + t·G          sk_r' = sk_r + t mod n
 * </pre>
 *
 * so the patient's portal computes vk_r' from public data, the family member's portal derives
 * sk_r' from σ_r, and an observer who does not know vk_r cannot tell that two blinded keys
 * belong to one person (vk_r' is a uniformly distributed point to anyone without vk_r).
 */
public final class KeyBlinding {
  private static final byte[] LABEL = UserSecret.ascii("MedLedger v1 key blinding");

  private KeyBlinding() {}

  /** t, the tweak: 512 hash bits reduced mod n (bias below 2^-256). */
  static BigInteger tweak(byte[] publicKey, byte[] consentId) {
    BigInteger t = new BigInteger(1, Hashes.sha512(LABEL, publicKey, consentId)).mod(P256.DOMAIN.getN());
    if (t.signum() == 0) throw new CryptoException("the blinding tweak is zero"); // probability 2^-256
    return t;
  }

  /** vk' = vk + t·G, compressed (33 bytes); {@code publicKey} is validated. */
  public static byte[] blindPublicKey(byte[] publicKey, byte[] consentId) {
    ECPoint q = P256.decodePoint(publicKey);
    ECPoint blinded = q.add(P256.DOMAIN.getG().multiply(tweak(P256.encodeCompressed(q), consentId))).normalize();
    if (blinded.isInfinity()) throw new CryptoException("the blinded key is the point at infinity");
    return P256.encodeCompressed(blinded);
  }

  /** The key pair (sk + t mod n, vk + t·G) of {@link #blindPublicKey}. */
  public static EcKeyPair blind(EcKeyPair keys, byte[] consentId) {
    BigInteger d = keys.scalar().add(tweak(keys.publicKey(), consentId)).mod(P256.DOMAIN.getN());
    if (d.signum() == 0) throw new CryptoException("the blinded key is zero");
    return new EcKeyPair(d);
  }
}
