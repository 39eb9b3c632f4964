package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Withdrawal;
import org.medledger.core.testing.DeterministicRandom;

/** Only the patient a consent names can withdraw it, and the signature covers that consent id only. */
class ConsentWithdrawalTest {
  private final DeterministicRandom random = new DeterministicRandom("withdrawal");
  private final UserSecret patient = UserSecret.generate(random);
  private final UserSecret someoneElse = UserSecret.generate(random);
  private final Consent consent =
      TreatmentIdentities.consent(patient, List.of(), List.of(), List.of(), List.of(), 42L, random);

  @Test
  void thePatientSignsWithHerKeyOfThatConsent() {
    Withdrawal w = ConsentWithdrawal.withdraw(patient, consent);
    assertThat(w.patientKey()).isEqualTo(consent.patientKey()); // vk_p', not the long-term vk_p
    assertThat(w.patientKey()).isNotEqualTo(patient.signingKeyPair().publicKey());
    assertThat(w.consentId()).isEqualTo(consent.consentId());
    assertThat(ConsentWithdrawal.valid(w)).isTrue();
    // The documented signed bytes: "MedLedger v1 withdrawal" ‖ consent id, deterministic ECDSA.
    byte[] signed = Bytes.concat("MedLedger v1 withdrawal".getBytes(StandardCharsets.US_ASCII), consent.consentId());
    assertThat(P256.verify(P256.decodePoint(w.patientKey()), signed, w.signature())).isTrue();
    assertThat(ConsentWithdrawal.withdraw(patient, consent).signature()).isEqualTo(w.signature());
  }

  @Test
  void anotherConsentIdOrAnotherKeyDoesNotVerify() {
    Withdrawal w = ConsentWithdrawal.withdraw(patient, consent);
    byte[] otherId = consent.consentId().clone();
    otherId[0] ^= 1;
    assertThat(ConsentWithdrawal.valid(new Withdrawal(otherId, w.patientKey(), w.signature()))).isFalse();
    assertThat(ConsentWithdrawal.valid(new Withdrawal(w.consentId(), someoneElse.signingKeyPair().publicKey(),
        w.signature()))).isFalse();
    assertThat(ConsentWithdrawal.valid(new Withdrawal(w.consentId(), w.patientKey(), new byte[8]))).isFalse();
    // Someone who is not the consent's patient cannot even make one.
    assertThatThrownBy(() -> ConsentWithdrawal.withdraw(someoneElse, consent)).isInstanceOf(CryptoException.class);
  }
}
