package org.medledger.core.crypto;

import org.bouncycastle.math.ec.ECPoint;

/**
 * c_x of a txtr: the participant's initial string s_x sealed for the doctor (docs/protocol.md
 * §txtr). K_w = HKDF-SHA256(Z = ECDH(sk_x, pk_d), salt = κ0, info = "MedLedger v1 wrap" || pk_x
 * || pk_d); c_x = AES-256-GCM(K_w, s_x) with associated data "MedLedger v1 txtr" || κ0 ||
 * ind_x || ind_d. 60 bytes: nonce 12, ciphertext 32, tag 16.
 */
public final class TokenWrap {
  public static final int WRAPPED_BYTES = AesGcm.OVERHEAD + 32;
  private static final byte[] INFO = UserSecret.ascii("MedLedger v1 wrap");
  private static final byte[] AD = UserSecret.ascii("MedLedger v1 txtr");

  private TokenWrap() {}

  public static byte[] wrap(
      byte[] initialString, EcKeyPair participant, ECPoint doctorKey, byte[] kappa0, long indX, long indD) {
    byte[] k = key(participant, doctorKey, participant.publicKey(), P256.encodeCompressed(doctorKey), kappa0);
    try {
      return AesGcm.seal(k, ad(kappa0, indX, indD), initialString);
    } finally {
      Bytes.wipe(k);
    }
  }

  /** The doctor's side: recovers s_x or throws if c_x was altered or not made for this doctor. */
  public static byte[] unwrap(
      byte[] cx, EcKeyPair doctor, ECPoint participantKey, byte[] kappa0, long indX, long indD) {
    if (cx.length != WRAPPED_BYTES) {
      throw new CryptoException("c_x must be " + WRAPPED_BYTES + " bytes");
    }
    byte[] k = key(doctor, participantKey, P256.encodeCompressed(participantKey), doctor.publicKey(), kappa0);
    try {
      return AesGcm.open(k, ad(kappa0, indX, indD), cx);
    } finally {
      Bytes.wipe(k);
    }
  }

  /**
   * The participant's side: opens their own c_x again (the ECDH secret is symmetric), so a
   * participant can see whether the answer on the ledger is one the doctor can read.
   */
  public static byte[] unwrapOwn(
      byte[] cx, EcKeyPair participant, ECPoint doctorKey, byte[] kappa0, long indX, long indD) {
    if (cx.length != WRAPPED_BYTES) {
      throw new CryptoException("c_x must be " + WRAPPED_BYTES + " bytes");
    }
    byte[] k = key(participant, doctorKey, participant.publicKey(), P256.encodeCompressed(doctorKey), kappa0);
    try {
      return AesGcm.open(k, ad(kappa0, indX, indD), cx);
    } finally {
      Bytes.wipe(k);
    }
  }

  private static byte[] key(EcKeyPair mine, ECPoint theirs, byte[] pkX, byte[] pkD, byte[] kappa0) {
    byte[] z = mine.agree(theirs);
    try {
      return Hashes.hkdfSha256(z, kappa0, Bytes.concat(INFO, pkX, pkD), 32);
    } finally {
      Bytes.wipe(z);
    }
  }

  private static byte[] ad(byte[] kappa0, long indX, long indD) {
    return Bytes.concat(AD, kappa0, Bytes.u64(indX), Bytes.u64(indD));
  }
}
