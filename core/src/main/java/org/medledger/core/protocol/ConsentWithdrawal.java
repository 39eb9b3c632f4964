package org.medledger.core.protocol;

import java.nio.charset.StandardCharsets;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Role;
import org.medledger.core.record.Withdrawal;

/**
 * The patient takes back a consent before any doctor used it (docs/protocol.md §Withdrawal). The
 * withdrawal is signed with the key the consent names for the patient (sk_p', or the long-term
 * key for an older consent), so only the patient who made the consent can withdraw it, and the
 * chaincode can check it without the consent: the consent is not on the ledger until a txtc
 * carries it, and then the withdrawal is refused anyway (rule R4).
 */
public final class ConsentWithdrawal {
  private static final byte[] LABEL = "MedLedger v1 withdrawal".getBytes(StandardCharsets.US_ASCII);

  private ConsentWithdrawal() {}

  /** The bytes the patient signs: {@code "MedLedger v1 withdrawal" ‖ consent id}. */
  public static byte[] signedBytes(byte[] consentId) {
    if (consentId.length != Consent.CONSENT_ID_BYTES) {
      throw new CryptoException("a consent id is " + Consent.CONSENT_ID_BYTES + " bytes");
    }
    return Bytes.concat(LABEL, consentId);
  }

  /** The patient's withdrawal of {@code consent}; throws if {@code patient} is not its patient. */
  public static Withdrawal withdraw(UserSecret patient, Consent consent) {
    EcKeyPair keys = TreatmentIdentities.memberKeys(patient, Role.PATIENT, consent);
    return new Withdrawal(consent.consentId(), keys.publicKey(), keys.sign(signedBytes(consent.consentId())));
  }

  /** True when the signature verifies under the withdrawal's own vk_p'. */
  public static boolean valid(Withdrawal w) {
    try {
      return P256.verify(P256.decodePoint(w.patientKey()), signedBytes(w.consentId()), w.signature());
    } catch (CryptoException e) {
      return false;
    }
  }
}
