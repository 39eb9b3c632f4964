package org.medledger.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.math.ec.ECPoint;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Cover;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;

/**
 * The cover sealed for the consent's doctor, as it travels beside the consent in the patient's
 * QR code (docs/protocol.md §Cover). Both ends of the ECDH are keys the protocol already has:
 * the patient's per-treatment key vk_p' (fresh for every consent, and the key that signs it)
 * and the doctor's registered key vk_d:
 *
 * <pre>
 * Z     = ECDH(sk_p', vk_d) = ECDH(sk_d, vk_p')
 * K_cov = HKDF-SHA256(Z, salt = consent id, info = "MedLedger v1 cover" ‖ vk_p' ‖ vk_d, 32 bytes)
 * box   = AES-256-GCM(K_cov, cover, AD = "MedLedger v1 cover" ‖ consent id)   (nonce ‖ ct ‖ tag)
 * </pre>
 *
 * So only the doctor and the patient can open it, only the holder of sk_p' (who signed the
 * consent) can have made it, and it belongs to this consent only. No ephemeral key travels:
 * vk_p' is in the consent already, which keeps the QR code small, and the patient's portal
 * opens the very same box to show her the cover before the doctor has written it.
 */
public final class CoverSeal {
  private static final byte[] LABEL = "MedLedger v1 cover".getBytes(StandardCharsets.US_ASCII);
  /** The largest box: the largest cover plus nonce and tag. */
  public static final int MAX_BOX_BYTES = RecordCodec.MAX_COVER_BYTES + AesGcm.OVERHEAD;

  private CoverSeal() {}

  /**
   * The patient's side.
   *
   * @param patient sk_p' of this consent (TreatmentIdentities.memberKeys)
   * @param doctorKey vk_d, the consent's doctor's registered key (compressed)
   */
  public static byte[] seal(EcKeyPair patient, byte[] doctorKey, Consent consent, Cover cover) {
    if (!Arrays.equals(patient.publicKey(), consent.patientKey())) {
      throw new CryptoException("the cover is sealed with the key of the consent's patient");
    }
    checkDoctor(doctorKey, consent);
    byte[] k = key(patient, P256.decodePoint(doctorKey), consent.patientKey(), doctorKey, consent.consentId());
    try {
      return AesGcm.seal(k, ad(consent), RecordCodec.encodeCover(cover));
    } finally {
      Bytes.wipe(k);
    }
  }

  /** The doctor's side, with sk_d (the signing key pair of the doctor's σ). */
  public static Cover openAsDoctor(EcKeyPair doctor, Consent consent, byte[] box) {
    checkDoctor(doctor.publicKey(), consent);
    return open(doctor, P256.decodePoint(consent.patientKey()), doctor.publicKey(), consent, box);
  }

  /** The patient's side, with sk_p' and the doctor's registered vk_d. */
  public static Cover openAsPatient(EcKeyPair patient, byte[] doctorKey, Consent consent, byte[] box) {
    if (!Arrays.equals(patient.publicKey(), consent.patientKey())) {
      throw new CryptoException("this is not the key of the consent's patient");
    }
    checkDoctor(doctorKey, consent);
    return open(patient, P256.decodePoint(doctorKey), doctorKey, consent, box);
  }

  private static Cover open(EcKeyPair mine, ECPoint theirs, byte[] doctorKey, Consent consent, byte[] box) {
    if (box == null || box.length > MAX_BOX_BYTES) throw new CryptoException("the sealed cover is too large");
    byte[] k = key(mine, theirs, consent.patientKey(), doctorKey, consent.consentId());
    byte[] plain = null;
    try {
      plain = AesGcm.open(k, ad(consent), box);
      return RecordCodec.parseCover(plain);
    } finally {
      Bytes.wipe(k);
      if (plain != null) Bytes.wipe(plain);
    }
  }

  private static void checkDoctor(byte[] doctorKey, Consent consent) {
    P256.decodePoint(doctorKey);
    if (ParticipantIndex.of(doctorKey) != consent.doctor()) {
      throw new CryptoException("this key is not the key of the consent's doctor");
    }
  }

  private static byte[] key(EcKeyPair mine, ECPoint theirs, byte[] vkP, byte[] vkD, byte[] consentId) {
    byte[] z = mine.agree(theirs);
    try {
      return Hashes.hkdfSha256(z, consentId, Bytes.concat(LABEL, vkP, vkD), 32);
    } finally {
      Bytes.wipe(z);
    }
  }

  private static byte[] ad(Consent consent) {
    return Bytes.concat(LABEL, consent.consentId());
  }
}
