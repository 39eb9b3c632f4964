package org.medledger.core.record;

/**
 * The patient withdraws a consent that no treatment used yet (not in the paper; docs/protocol.md
 * §Withdrawal): the consent id, vk_p' (the patient's key in that consent) and a signature by
 * sk_p' over {@code "MedLedger v1 withdrawal" ‖ consent id}. Once stored, the doctor's txtc for
 * that consent is refused (rule R4); after a txtc, the withdrawal is refused.
 */
public record Withdrawal(byte[] consentId, byte[] patientKey, byte[] signature) implements LedgerRecord {
  public Withdrawal {
    consentId = consentId.clone();
    patientKey = patientKey.clone();
    signature = signature.clone();
  }

  @Override
  public RecordType type() {
    return RecordType.WITHDRAWAL;
  }
}
