package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Cover;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;
import org.medledger.core.testing.DeterministicRandom;

/** The cover sealed beside the consent: the doctor and the patient open it, nobody else, and nothing altered opens. */
class CoverSealTest {
  private final DeterministicRandom random = new DeterministicRandom("cover-seal");
  private final UserSecret patient = UserSecret.generate(random);
  private final UserSecret family = UserSecret.generate(random);
  private final UserSecret doctor = UserSecret.generate(random);
  private final UserSecret otherDoctor = UserSecret.generate(random);
  private final byte[] vkD = doctor.signingKeyPair().publicKey();
  private final Consent consent = TreatmentIdentities.consent(patient, List.of(family.signingKeyPair().publicKey()),
      List.of(), List.of(), List.of(), ParticipantIndex.of(vkD), random);
  private final EcKeyPair skP = TreatmentIdentities.memberKeys(patient, Role.PATIENT, consent);
  private final Cover cover = new Cover("Chest pain", "Anna Example", LocalDate.of(1980, 3, 3),
      Map.of(ParticipantIndex.of(consent.familyKeys().get(0)), "Ben Example"));

  @Test
  void theDoctorAndThePatientOpenIt() {
    byte[] box = CoverSeal.seal(skP, vkD, consent, cover);
    assertThat(CoverSeal.openAsDoctor(doctor.signingKeyPair(), consent, box)).isEqualTo(cover);
    assertThat(CoverSeal.openAsPatient(skP, vkD, consent, box)).isEqualTo(cover);
    assertThat(box.length).isEqualTo(org.medledger.core.record.RecordCodec.encodeCover(cover).length + AesGcm.OVERHEAD);
  }

  @Test
  void aWrongKeyDoesNotOpenIt() {
    byte[] box = CoverSeal.seal(skP, vkD, consent, cover);
    // Another doctor: refused before any decryption, and even forced, the key differs.
    assertThatThrownBy(() -> CoverSeal.openAsDoctor(otherDoctor.signingKeyPair(), consent, box))
        .isInstanceOf(CryptoException.class).hasMessageContaining("doctor");
    // The family member is in the consent but is not an end of the ECDH.
    EcKeyPair skR = TreatmentIdentities.memberKeys(family, Role.FAMILY, consent);
    assertThatThrownBy(() -> CoverSeal.openAsPatient(skR, vkD, consent, box)).isInstanceOf(CryptoException.class);
    // The patient's long-term key is not her key in this treatment.
    assertThatThrownBy(() -> CoverSeal.openAsPatient(patient.signingKeyPair(), vkD, consent, box))
        .isInstanceOf(CryptoException.class);
    // The patient cannot seal for a doctor the consent does not name.
    assertThatThrownBy(() -> CoverSeal.seal(skP, otherDoctor.signingKeyPair().publicKey(), consent, cover))
        .isInstanceOf(CryptoException.class).hasMessageContaining("doctor");
  }

  @Test
  void tamperingIsDetected() {
    byte[] box = CoverSeal.seal(skP, vkD, consent, cover);
    for (int i = 0; i < box.length; i++) {
      byte[] t = box.clone();
      t[i] ^= 0x01;
      assertThatThrownBy(() -> CoverSeal.openAsDoctor(doctor.signingKeyPair(), consent, t))
          .as("byte %d flipped", i).isInstanceOf(AuthenticationFailedException.class);
    }
    assertThatThrownBy(() -> CoverSeal.openAsDoctor(doctor.signingKeyPair(), consent, java.util.Arrays.copyOf(box, 20)))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void itBelongsToItsConsentOnly() {
    byte[] box = CoverSeal.seal(skP, vkD, consent, cover);
    // The same patient and doctor, another consent: another consent id, another vk_p'.
    Consent other = TreatmentIdentities.consent(patient, List.of(), List.of(), List.of(), List.of(), ParticipantIndex.of(vkD), random);
    assertThatThrownBy(() -> CoverSeal.openAsDoctor(doctor.signingKeyPair(), other, box))
        .isInstanceOf(AuthenticationFailedException.class);
  }
}
