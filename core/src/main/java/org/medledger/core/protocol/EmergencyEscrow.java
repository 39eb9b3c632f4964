package org.medledger.core.protocol;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.ECPoint;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.record.EscrowRecord;

/**
 * Emergency access ("break the glass", docs/protocol.md §Emergency access): the patient seals her
 * treatment's key for two custodians together; each custodian computes its share only for a
 * doctor whose justification (0x11) the ledger has committed, so neither custodian alone, nor the
 * doctor alone, nor the patient's portal afterwards, can open it.
 *
 * <pre>
 * e random, E = e·G
 * Z_A = X(e·A) = X(a·E)      Z_B = X(e·B) = X(b·E)          (32 bytes each)
 * K_esc = HKDF(Z_A ‖ Z_B, salt = κ0, info = "MedLedger v1 emergency escrow" ‖ A ‖ B ‖ E, 32)
 * AD    = "MedLedger v1 emergency escrow" ‖ κ0 ‖ H(tag) ‖ u64 ind_p'
 * box   = N ‖ GCM(K_esc, N, AD, f(s))                                      60 bytes
 * </pre>
 */
public final class EmergencyEscrow {
  private static final byte[] LABEL = "MedLedger v1 emergency escrow".getBytes(StandardCharsets.US_ASCII);

  private EmergencyEscrow() {}

  /** The patient seals the treatment key {@code key} (of {@code tag}) for custodians A and B together. */
  public static EscrowRecord seal(SiffKey key, byte[] kappa0, SiffTag tag, long patient, byte[] custodianA,
      byte[] custodianB, SecureRandom random) {
    ECPoint a = P256.decodePoint(custodianA);
    ECPoint b = P256.decodePoint(custodianB);
    if (a.equals(b)) throw new CryptoException("the two emergency custodians must be different");
    byte[] draw = new byte[48];
    random.nextBytes(draw);
    BigInteger e = P256.scalarFrom(draw);
    byte[] ephemeral = P256.encodeCompressed(P256.publicPoint(e));
    byte[] za = P256.sharedSecret(e, a);
    byte[] zb = P256.sharedSecret(e, b);
    byte[] k = escrowKey(za, zb, kappa0, custodianA, custodianB, ephemeral);
    byte[] raw = key.bytes();
    byte[] nonce = new byte[AesGcm.NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      byte[] box = Bytes.concat(nonce, AesGcm.encrypt(k, nonce, ad(kappa0, tag.hash(), patient), raw, AesGcm.TAG_BYTES * 8));
      return new EscrowRecord(kappa0, patient, tag.hash(), custodianA, custodianB, ephemeral, box);
    } finally {
      for (byte[] x : new byte[][] {k, za, zb, raw, draw}) Bytes.wipe(x);
    }
  }

  /** A custodian's share: X(d·E) with its private scalar d. Given only for a committed justification. */
  public static byte[] share(BigInteger custodian, EscrowRecord escrow) {
    return P256.sharedSecret(custodian, P256.decodePoint(escrow.ephemeral()));
  }

  /** Opens the escrow with both shares; throws if either share is wrong or the record was altered. */
  public static SiffKey open(byte[] shareA, byte[] shareB, EscrowRecord escrow) {
    byte[] k = escrowKey(shareA, shareB, escrow.kappa0(), escrow.custodianA(), escrow.custodianB(), escrow.ephemeral());
    try {
      byte[] raw = AesGcm.open(k, ad(escrow.kappa0(), escrow.tagHash(), escrow.patient()), escrow.box());
      try {
        return SiffKey.of(raw);
      } finally {
        Bytes.wipe(raw);
      }
    } finally {
      Bytes.wipe(k);
    }
  }

  private static byte[] escrowKey(byte[] za, byte[] zb, byte[] kappa0, byte[] a, byte[] b, byte[] e) {
    byte[] ikm = Bytes.concat(za, zb);
    try {
      return Hashes.hkdfSha256(ikm, kappa0, Bytes.concat(LABEL, a, b, e), 32);
    } finally {
      Bytes.wipe(ikm);
    }
  }

  private static byte[] ad(byte[] kappa0, byte[] tagHash, long patient) {
    return Bytes.concat(LABEL, kappa0, tagHash, Bytes.u64(patient));
  }
}
