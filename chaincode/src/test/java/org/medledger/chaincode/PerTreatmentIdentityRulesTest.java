package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * R4 and R5 with per-treatment identities (docs/protocol.md §Per-treatment identities): the
 * patient's and family member's blinded keys are accepted exactly as long-term keys were —
 * the submitter's key must be the one the consent names, with the matching role — and the
 * long-term key, another member's blinded key or the wrong role is refused as before.
 */
class PerTreatmentIdentityRulesTest {
  private final SecureRandom random = new SecureRandom();
  private final InMemoryWorldState state = new InMemoryWorldState();

  /** Every GetState is a round trip to the peer: no rule reads the same key twice in one Store. */
  @AfterEach
  void noStoreReadsAKeyTwice() {
    org.assertj.core.api.Assertions.assertThat(state.readTwice).as("keys read twice in one transaction").isEmpty();
  }
  private final UserSecret patient = UserSecret.generate(random);
  private final UserSecret family = UserSecret.generate(random);
  private final UserSecret doctor = UserSecret.generate(random);
  private final Submitter doctorSubmitter = submitter("dr", doctor.signingKeyPair(), "doctor");

  private static Submitter submitter(String name, EcKeyPair keys, String role) {
    return Submitter.of("TestMSP", TestCertificates.issue(name, keys.toJca()), role);
  }

  private String store(Submitter who, LedgerRecord r) {
    state.begin();
    try {
      return new StoreRules(state).store(who, RecordCodec.encode(r));
    } finally {
      state.commit();
    }
  }

  private void refused(Submitter who, LedgerRecord r, String messagePart) {
    state.begin();
    assertThatThrownBy(() -> new StoreRules(state).store(who, RecordCodec.encode(r)))
        .isInstanceOf(RuleViolation.class).hasMessageStartingWith("R5:").hasMessageContaining(messagePart);
    state.commit();
  }

  @Test
  void blindedKeysAnswerAndNothingElseAnswersForThem() {
    // A professional registers only under a consortium policy (R3); TestMSP vouches for every role.
    state.begin();
    new PolicyRules(state).set(Submitter.of("TestMSP",
        TestCertificates.admin("Admin@TestMSP", UserSecret.generate(random).signingKeyPair().toJca()), null),
        StoreRulesTest.testPolicy().encode());
    state.commit();
    store(doctorSubmitter, new Registration(Role.DOCTOR, doctorSubmitter.index(), doctorSubmitter.certificateDer()));
    byte[] vkR = family.signingKeyPair().publicKey();
    Consent c = TreatmentIdentities.consent(patient, List.of(vkR), List.of(), List.of(), List.of(),
        doctorSubmitter.index(), random);
    Txtc txtc = TreatmentProtocol.open(doctor, c);
    byte[] k0 = Bytes.unhex(store(doctorSubmitter, txtc)); // R4: the consent verifies under vk_p'
    EcKeyPair p1 = TreatmentIdentities.memberKeys(patient, Role.PATIENT, c);
    EcKeyPair r1 = TreatmentIdentities.memberKeys(family, Role.FAMILY, c);
    long indP = ParticipantIndex.of(p1.publicKey()), indR = ParticipantIndex.of(r1.publicKey());
    Txtr patientAnswer = TreatmentProtocol.respond(patient, indP, txtc, k0);
    Txtr familyAnswer = TreatmentProtocol.respond(family, indR, txtc, k0);

    // The long-term key answering as itself is not a member; answering for ind_p' is someone else.
    Submitter longTerm = submitter("patient-lt", patient.signingKeyPair(), "patient");
    refused(longTerm, new Txtr(k0, longTerm.index(), patientAnswer.responderKey(), patientAnswer.wrappedToken()), "not selected");
    refused(longTerm, patientAnswer, "only for themselves");
    // The family member's blinded key under the patient's role, and the patient's under the family's.
    refused(submitter("family-x", r1, "patient"), familyAnswer, "does not belong");
    refused(submitter("patient-x", p1, "family"), patientAnswer, "does not belong");
    // The right key with the right role is accepted.
    Submitter pT = submitter("patient-" + ParticipantIndex.hex(indP), p1, "patient");
    Submitter rT = submitter("family-" + ParticipantIndex.hex(indR), r1, "family");
    store(pT, patientAnswer);
    store(rT, familyAnswer);
    // Under its per-treatment key the patient may also replace the answer until the key is pinned (R5).
    store(pT, TreatmentProtocol.respond(patient, indP, txtc, k0));
    assertThat(pT.index()).isNotEqualTo(longTerm.index());
  }
}
