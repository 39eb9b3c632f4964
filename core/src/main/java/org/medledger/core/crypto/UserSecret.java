package org.medledger.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * σ_x: a participant's random 256-bit root secret. Everything personal is derived from it, so
 * nothing per treatment needs storing (docs/protocol.md §Keys):
 *
 * <ul>
 *   <li>s_x = HMAC-SHA256(σ_x, κ0), the SIFF initial string for treatment κ0;
 *   <li>the ECDH key pair of a treatment, from σ_x and a public context (κ0 or the consent id);
 *   <li>the signing key pair whose public key is vk_x (its certificate is issued by the CA);
 *   <li>for patients and family members, that pair blinded per treatment (vk_x' = vk_x + t·G).
 * </ul>
 *
 * It is stored only wrapped under the password ({@link PasswordWrap}) or printed in a
 * {@link RecoveryKit}. Wipe with {@link #close()}.
 */
public final class UserSecret implements AutoCloseable {
  public static final int BYTES = 32;
  private static final byte[] INFO_ECDH = ascii("MedLedger v1 ECDH ephemeral key");
  private static final byte[] INFO_SIGN = ascii("MedLedger v1 signing key");
  /** Bytes of a consent id (Consent.CONSENT_ID_BYTES). */
  static final int CONSENT_ID_BYTES = 16;

  private final byte[] sigma;

  private UserSecret(byte[] sigma) {
    this.sigma = sigma;
  }

  public static UserSecret generate(SecureRandom random) {
    byte[] b = new byte[BYTES];
    random.nextBytes(b);
    return new UserSecret(b);
  }

  /** Takes a copy of 32 raw bytes (recovery, unwrapping). */
  public static UserSecret of(byte[] raw) {
    if (raw == null || raw.length != BYTES) {
      throw new CryptoException("a user secret is 32 bytes");
    }
    return new UserSecret(raw.clone());
  }

  /** s_x = HMAC-SHA256(σ_x, κ0). */
  public byte[] initialString(byte[] kappa0) {
    return Hashes.hmacSha256(sigma, kappa0);
  }

  /** The ECDH key pair for a public context; the same context always gives the same pair. */
  public EcKeyPair ephemeralKeyPair(byte[] context) {
    byte[] okm = Hashes.hkdfSha256(sigma, context, INFO_ECDH, 48);
    try {
      return new EcKeyPair(P256.scalarFrom(okm));
    } finally {
      Bytes.wipe(okm);
    }
  }

  /** The long-term signing key pair: vk_x is its public key, ind_x its low 64 bits. */
  public EcKeyPair signingKeyPair() {
    byte[] okm = Hashes.hkdfSha256(sigma, null, INFO_SIGN, 48);
    try {
      return new EcKeyPair(P256.scalarFrom(okm));
    } finally {
      Bytes.wipe(okm);
    }
  }

  /**
   * A patient's or family member's signing key pair in one treatment: the long-term pair blinded
   * with the consent id ({@link KeyBlinding}), so no two treatments share a key or an index.
   */
  public EcKeyPair blindedSigningKeyPair(byte[] consentId) {
    if (consentId == null || consentId.length != CONSENT_ID_BYTES) throw new CryptoException("a consent id is 16 bytes");
    return KeyBlinding.blind(signingKeyPair(), consentId);
  }

  /** Raw bytes for wrapping and the recovery kit only; the caller wipes the copy. */
  byte[] raw() {
    return sigma.clone();
  }

  @Override
  public void close() {
    Arrays.fill(sigma, (byte) 0);
  }

  @Override
  public String toString() {
    return "UserSecret[redacted]";
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
