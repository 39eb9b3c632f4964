package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.KeyBlinding;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * Issue 12, part 4: two treatments of one patient, with the same family member, share no key,
 * index or other byte string that names the patient or the family member; both still work, and
 * each member can prove both treatments are theirs when they choose.
 */
class TreatmentIdentitiesTest {
  private final SecureRandom random = new SecureRandom();
  private final UserSecret patient = UserSecret.generate(random);
  private final UserSecret family = UserSecret.generate(random);
  private final UserSecret doctor = UserSecret.generate(random);
  private final UserSecret pharmacist = UserSecret.generate(random);
  private final byte[] vkP = patient.signingKeyPair().publicKey();
  private final byte[] vkR = family.signingKeyPair().publicKey();
  private final long indD = ParticipantIndex.of(doctor.signingKeyPair().publicKey());
  private final long indM = ParticipantIndex.of(pharmacist.signingKeyPair().publicKey());

  /** One whole treatment through the canonical encoding; returns every stored record's bytes. */
  private List<byte[]> treatment(String text) {
    Consent c = TreatmentIdentities.consent(patient, List.of(vkR), List.of(), List.of(), List.of(indM), indD, random);
    Txtc txtc = TreatmentProtocol.open(doctor, RecordCodec.parseConsent(RecordCodec.encodeConsent(c)));
    byte[] txtcV = RecordCodec.encode(txtc);
    byte[] k0 = RecordCodec.kappa(txtcV);
    long indP = ParticipantIndex.of(TreatmentIdentities.memberKeys(patient, Role.PATIENT, c).publicKey());
    long indR = ParticipantIndex.of(TreatmentIdentities.memberKeys(family, Role.FAMILY, c).publicKey());
    List<Txtr> answers = List.of(
        TreatmentProtocol.respond(patient, indP, txtc, k0),
        TreatmentProtocol.respond(family, indR, txtc, k0),
        TreatmentProtocol.respond(pharmacist, indM, txtc, k0));
    Siff.Built built = TreatmentProtocol.buildKey(doctor, txtc, k0, answers, random);
    ProcessRecord txd = TreatmentProtocol.write(RecordType.TXD, txtc, k0, built.tag(), built.key(), indD, 1,
        text.getBytes(StandardCharsets.UTF_8));
    assertThat(new String(TreatmentProtocol.read(patient, txd), StandardCharsets.UTF_8)).isEqualTo(text);
    assertThat(new String(TreatmentProtocol.read(family, txd), StandardCharsets.UTF_8)).isEqualTo(text);
    List<byte[]> out = new ArrayList<>(List.of(txtcV, RecordCodec.encode(txd)));
    for (Txtr t : answers) out.add(RecordCodec.encode(t));
    return out;
  }

  private static byte[] all(List<byte[]> records) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    records.forEach(b::writeBytes);
    return b.toByteArray();
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  @Test
  void twoTreatmentsOfOnePatientAndOneFamilyMemberShareNoKeyOrIndex() {
    List<byte[]> one = treatment("first treatment");
    List<byte[]> two = treatment("second treatment");
    Txtc t1 = (Txtc) RecordCodec.parse(one.get(0));
    Txtc t2 = (Txtc) RecordCodec.parse(two.get(0));
    byte[] ledger = Bytes.concat(all(one), all(two));
    // The long-term keys and indexes are on the ledger nowhere.
    for (byte[] lt : List.of(vkP, vkR, Bytes.u64(ParticipantIndex.of(vkP)), Bytes.u64(ParticipantIndex.of(vkR)))) {
      assertThat(contains(ledger, lt)).as("long-term %s on the ledger", Bytes.hex(lt)).isFalse();
    }
    // What names the patient or the family member in the first treatment is absent from the second.
    Consent c1 = t1.consent();
    List<byte[]> firstIds = new ArrayList<>(List.of(c1.patientKey(), c1.familyKeys().get(0),
        Bytes.u64(c1.patientIndex()), Bytes.u64(ParticipantIndex.of(c1.familyKeys().get(0))), c1.consentId()));
    for (byte[] id : firstIds) {
      assertThat(contains(all(two), id)).as("%s of treatment 1 in treatment 2", Bytes.hex(id)).isFalse();
    }
    assertThat(t2.consent().patientKey()).isNotEqualTo(c1.patientKey());
    // The professionals are named in both, as before (they are not pseudonymous).
    assertThat(t2.consent().doctor()).isEqualTo(c1.doctor());
  }

  @Test
  void theBlindedPrivateKeyMatchesTheBlindedPublicKey() {
    byte[] id = new byte[16];
    random.nextBytes(id);
    EcKeyPair blinded = family.blindedSigningKeyPair(id);
    assertThat(blinded.publicKey()).isEqualTo(KeyBlinding.blindPublicKey(vkR, id));
    assertThat(blinded.publicKey()).isNotEqualTo(vkR);
    id[0] ^= 1;
    assertThat(KeyBlinding.blindPublicKey(vkR, id)).isNotEqualTo(blinded.publicKey());
  }

  @Test
  void aPortalRecognisesItsMembersFromTheirPublicKeysAndNobodyElse() {
    Consent c = TreatmentIdentities.consent(patient, List.of(vkR), List.of(), List.of(), List.of(), indD, random);
    assertThat(TreatmentIdentities.memberKey(vkP, Role.PATIENT, c)).contains(c.patientKey());
    assertThat(TreatmentIdentities.memberKey(vkR, Role.FAMILY, c)).contains(c.familyKeys().get(0));
    assertThat(TreatmentIdentities.memberKey(vkR, Role.PATIENT, c)).isEmpty();
    assertThat(TreatmentIdentities.memberKey(pharmacist.signingKeyPair().publicKey(), Role.FAMILY, c)).isEmpty();
    assertThatThrownBy(() -> TreatmentIdentities.memberKeys(pharmacist, Role.FAMILY, c))
        .isInstanceOf(CryptoException.class);
    // A consent made before per-treatment identities (long-term keys) is still recognised.
    Consent old = TreatmentProtocol.consent(patient, List.of(vkR), List.of(), List.of(), List.of(), indD, random);
    assertThat(TreatmentIdentities.memberKeys(patient, Role.PATIENT, old).publicKey()).isEqualTo(vkP);
    assertThat(TreatmentIdentities.memberKeys(family, Role.FAMILY, old).publicKey()).isEqualTo(vkR);
  }

  @Test
  void aMemberProvesTwoTreatmentsAreTheirsWithSignedLinks() {
    byte[] id1 = new byte[16], id2 = new byte[16];
    random.nextBytes(id1);
    random.nextBytes(id2);
    TreatmentIdentities.Link l1 = TreatmentIdentities.link(patient, id1);
    TreatmentIdentities.Link l2 = TreatmentIdentities.link(patient, id2);
    assertThat(TreatmentIdentities.verify(l1)).isTrue();
    assertThat(TreatmentIdentities.verify(l2)).isTrue();
    assertThat(l1.longTermKey()).isEqualTo(l2.longTermKey()).isEqualTo(vkP);
    assertThat(l1.treatmentKey()).isEqualTo(patient.blindedSigningKeyPair(id1).publicKey());
    // A link claimed for another consent id, or signed by someone else, fails.
    var moved = new TreatmentIdentities.Link(l1.longTermKey(), l1.treatmentKey(), id2, l1.longTermSignature(),
        l1.treatmentSignature());
    assertThat(TreatmentIdentities.verify(moved)).isFalse();
    TreatmentIdentities.Link other = TreatmentIdentities.link(family, id1);
    var forged = new TreatmentIdentities.Link(vkP, l1.treatmentKey(), id1, other.longTermSignature(), l1.treatmentSignature());
    assertThat(TreatmentIdentities.verify(forged)).isFalse();
  }
}
