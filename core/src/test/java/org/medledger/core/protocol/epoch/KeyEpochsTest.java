package org.medledger.core.protocol.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordFormatException;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * Members change mid-treatment: a removed member reads nothing written after the change, an added
 * member reads everything, earlier records included (docs/protocol.md §Key epochs). Every record
 * goes through the canonical encoding, as through the ledger.
 */
class KeyEpochsTest {
  private final SecureRandom random = new SecureRandom();

  private record Person(UserSecret sigma, long index) {
    static Person of(UserSecret s) {
      return new Person(s, ParticipantIndex.of(s.signingKeyPair().publicKey()));
    }
  }

  private Person patient, family, doctor, pharmacist, insurer, lawyer, newPharmacist, outsider;
  private Consent consent;
  private Txtc txtc;
  private byte[] kappa0;
  private long patientIndex;
  private final List<Txtr> answers = new ArrayList<>();
  private final List<ProcessRecord> records = new ArrayList<>();
  private final List<KeyEpoch> epochs = new ArrayList<>();
  private final List<SiffTag> tags = new ArrayList<>();
  private MemberSet members;

  @SuppressWarnings("unchecked")
  private static <T extends LedgerRecord> T viaLedger(T r) {
    return (T) RecordCodec.parse(RecordCodec.encode(r));
  }

  @BeforeEach
  void openTreatmentAndWriteTwoRecords() {
    patient = Person.of(UserSecret.generate(random));
    family = Person.of(UserSecret.generate(random));
    doctor = Person.of(UserSecret.generate(random));
    pharmacist = Person.of(UserSecret.generate(random));
    insurer = Person.of(UserSecret.generate(random));
    lawyer = Person.of(UserSecret.generate(random));
    newPharmacist = Person.of(UserSecret.generate(random));
    outsider = Person.of(UserSecret.generate(random));
    consent = TreatmentIdentities.consent(patient.sigma(), List.of(family.sigma().signingKeyPair().publicKey()),
        List.of(insurer.index()), List.of(lawyer.index()), List.of(pharmacist.index()), doctor.index(), random);
    txtc = viaLedger(TreatmentProtocol.open(doctor.sigma(), consent));
    kappa0 = RecordCodec.kappa(RecordCodec.encode(txtc));
    patientIndex = consent.patientIndex();
    long familyIndex = ParticipantIndex.of(consent.familyKeys().get(0));
    answers.add(viaLedger(TreatmentProtocol.respond(patient.sigma(), patientIndex, txtc, kappa0)));
    answers.add(viaLedger(TreatmentProtocol.respond(family.sigma(), familyIndex, txtc, kappa0)));
    for (Person x : List.of(insurer, lawyer, pharmacist)) {
      answers.add(viaLedger(TreatmentProtocol.respond(x.sigma(), x.index(), txtc, kappa0)));
    }
    Siff.Built built = TreatmentProtocol.buildKey(doctor.sigma(), txtc, kappa0, answers, random);
    tags.add(built.tag());
    members = MemberSet.initial(consent, List.of());
    write(doctor, RecordType.TXD, 1, "before: diagnosis");
    write(pharmacist, RecordType.TXM, 1, "before: amoxicillin");
  }

  private void write(Person sender, RecordType type, int seq, String text) {
    SiffTag tag = tags.get(tags.size() - 1);
    try (KeyRing ring = KeyRing.of(sender.sigma(), kappa0, tags.get(0), epochs)) {
      records.add(viaLedger(KeyEpochs.write(type, kappa0, tag, ring.keyFor(tag).orElseThrow(), members,
          sender.index(), seq, text.getBytes(StandardCharsets.UTF_8))));
    }
  }

  /** The patient signs the change, added members answer, the doctor builds and writes the epoch. */
  private void change(MemberChanges.Request request, Person... added) {
    int e = epochs.size() + 1;
    MemberChange change = viaLedger(MemberChanges.change(patient.sigma(), consent, kappa0, e, request));
    assertThat(MemberChanges.valid(change, consent)).isTrue();
    for (Person x : added) answers.add(viaLedger(KeyEpochs.respond(x.sigma(), x.index(), txtc, kappa0, change)));
    MemberSet next = members.apply(change);
    assertThat(KeyEpochs.missingAnswers(doctor.sigma(), txtc, kappa0, next, TreatmentProtocol.latestAnswers(answers)))
        .isEmpty();
    Siff.Built built = KeyEpochs.buildKey(doctor.sigma(), txtc, kappa0, next, TreatmentProtocol.latestAnswers(answers), random);
    KeyEpoch epoch = viaLedger(KeyEpochs.epochRecord(doctor.sigma(), txtc, kappa0, change,
        RecordCodec.kappa(RecordCodec.encode(change)), built, tags, random));
    epochs.add(epoch);
    tags.add(SiffTag.parse(epoch.tag()));
    members = next;
  }

  private List<String> readable(Person reader) {
    List<String> out = new ArrayList<>();
    try (KeyRing ring = KeyRing.of(reader.sigma(), kappa0, tags.get(0), epochs)) {
      for (ProcessRecord r : records) {
        try {
          out.add(new String(ring.read(r), StandardCharsets.UTF_8));
        } catch (AuthenticationFailedException e) {
          out.add("-");
        }
      }
    }
    return out;
  }

  @Test
  void aReplacedPharmacistReadsOnlyUpToTheChangeAndTheNewOneReadsEverything() {
    change(new MemberChanges.Request(List.of(), List.of(), List.of(), List.of(newPharmacist.index()),
        List.of(pharmacist.index())), newPharmacist);
    write(doctor, RecordType.TXD, 2, "after: surgery");
    write(newPharmacist, RecordType.TXM, 1, "after: painkillers");

    assertThat(readable(pharmacist)).containsExactly("before: diagnosis", "before: amoxicillin", "-", "-");
    assertThat(readable(newPharmacist))
        .containsExactly("before: diagnosis", "before: amoxicillin", "after: surgery", "after: painkillers");
    for (Person stays : List.of(patient, family, doctor, insurer, lawyer)) {
      assertThat(readable(stays)).doesNotContain("-");
    }
    assertThat(readable(outsider)).containsOnly("-");
    // The later records no longer list the old pharmacist, and list the new one.
    assertThat(records.get(2).others()).doesNotContain(pharmacist.index()).contains(newPharmacist.index());
  }

  @Test
  void removalThenAdditionInTwoEpochs() {
    change(MemberChanges.Request.remove(pharmacist.index()));
    write(doctor, RecordType.TXD, 2, "epoch 1: surgery");
    change(MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()), newPharmacist);
    write(doctor, RecordType.TXD, 3, "epoch 2: discharge");
    write(newPharmacist, RecordType.TXM, 1, "epoch 2: painkillers");

    assertThat(readable(pharmacist)).containsExactly("before: diagnosis", "before: amoxicillin", "-", "-", "-");
    assertThat(readable(newPharmacist)).doesNotContain("-");
    assertThat(readable(lawyer)).doesNotContain("-");
    try (KeyRing ring = KeyRing.of(pharmacist.sigma(), kappa0, tags.get(0), epochs)) {
      assertThat(ring.keyFor(tags.get(1))).isEmpty();
      assertThat(ring.keyFor(tags.get(2))).isEmpty();
    }
    try (KeyRing ring = KeyRing.of(newPharmacist.sigma(), kappa0, tags.get(0), epochs)) {
      assertThat(ring.newestEpoch()).isEqualTo(2);
    }
  }

  @Test
  void theRingReadFromTheRecordsAloneOpensWhatTheMemberMayRead() {
    assertThat(KeyRing.ofTreatment(pharmacist.sigma(), kappa0, List.of(txtc))).as("no key yet").isEmpty();
    change(MemberChanges.Request.remove(pharmacist.index()));
    write(doctor, RecordType.TXD, 2, "epoch 1: surgery");
    change(MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()), newPharmacist);
    write(doctor, RecordType.TXD, 3, "epoch 2: discharge");
    // As a bundle holds them: the opening, the process records and the epoch records, in ledger order.
    List<LedgerRecord> ledger = new ArrayList<>();
    ledger.add(txtc);
    ledger.addAll(records.subList(0, 2));
    ledger.add(epochs.get(0));
    ledger.add(records.get(2));
    ledger.add(epochs.get(1));
    ledger.add(records.get(3));
    for (Person p : List.of(pharmacist, newPharmacist, lawyer, outsider)) {
      List<String> read = new ArrayList<>();
      try (KeyRing ring = KeyRing.ofTreatment(p.sigma(), kappa0, ledger).orElseThrow()) {
        for (ProcessRecord r : records) {
          try {
            read.add(new String(ring.read(r), StandardCharsets.UTF_8));
          } catch (CryptoException e) {
            read.add("-");
          }
        }
      }
      assertThat(read).as("read from the records").isEqualTo(readable(p));
      if (p == pharmacist) assertThat(read).containsExactly("before: diagnosis", "before: amoxicillin", "-", "-");
      if (p == newPharmacist || p == lawyer) assertThat(read).doesNotContain("-").hasSize(4);
      if (p == outsider) assertThat(read).containsOnly("-");
    }
    assertThatThrownBy(() -> KeyRing.ofTreatment(lawyer.sigma(), kappa0, List.of(records.get(0), epochs.get(1))))
        .isInstanceOf(CryptoException.class).hasMessageContaining("epochs 1 to 1");
  }

  @Test
  void theChainReadFromTheLedgerGivesEachEpochsMembersAndThePendingChange() {
    List<java.util.Map.Entry<byte[], LedgerRecord>> ledger = new ArrayList<>();
    MemberChange remove = MemberChanges.change(patient.sigma(), consent, kappa0, 1, MemberChanges.Request.remove(pharmacist.index()));
    ledger.add(java.util.Map.entry(RecordCodec.kappa(RecordCodec.encode(remove)), remove));
    EpochChain pending = EpochChain.of(consent, List.of(), ledger);
    assertThat(pending.epoch()).isZero();
    assertThat(pending.pending()).containsSame(remove);
    assertThat(pending.members().contains(pharmacist.index())).isTrue();

    change(MemberChanges.Request.remove(pharmacist.index()));
    ledger.clear();
    // What change() stored: its change is the one the epoch names.
    MemberChange done = MemberChanges.change(patient.sigma(), consent, kappa0, 1, MemberChanges.Request.remove(pharmacist.index()));
    assertThat(RecordCodec.kappa(RecordCodec.encode(done))).isEqualTo(epochs.get(0).change()); // deterministic signature
    ledger.add(java.util.Map.entry(epochs.get(0).change(), done));
    ledger.add(java.util.Map.entry(RecordCodec.kappa(RecordCodec.encode(epochs.get(0))), epochs.get(0)));
    MemberChange add = MemberChanges.change(patient.sigma(), consent, kappa0, 2,
        MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()));
    ledger.add(java.util.Map.entry(RecordCodec.kappa(RecordCodec.encode(add)), add));
    EpochChain chain = EpochChain.of(consent, List.of(), ledger);
    assertThat(chain.epoch()).isEqualTo(1);
    assertThat(chain.members().contains(pharmacist.index())).isFalse();
    assertThat(chain.everRole(pharmacist.index())).isEqualTo(Role.PHARMACIST);
    assertThat(chain.joining(newPharmacist.index())).isTrue();
    assertThat(chain.everRole(newPharmacist.index())).isEqualTo(Role.PHARMACIST);
    assertThat(chain.newestTag()).contains(tags.get(1));
  }

  @Test
  void anAddedFamilyMemberJoinsUnderTheirKeyOfThisTreatment() {
    Person cousin = Person.of(UserSecret.generate(random));
    MemberChange c = MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        MemberChanges.Request.addFamily(cousin.sigma().signingKeyPair().publicKey()));
    byte[] blinded = TreatmentIdentities.treatmentKey(cousin.sigma().signingKeyPair().publicKey(), consent);
    assertThat(c.addedFamilyKeys()).containsExactly(blinded);
    assertThat(members.apply(c).roleOf(ParticipantIndex.of(blinded))).isEqualTo(Role.FAMILY);
  }

  @Test
  void aWrappedKeyAlteredOnTheLedgerOpensNothingForTheAddedMember() {
    change(MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()), newPharmacist);
    KeyEpoch e = epochs.get(0);
    byte[] w = e.wrappedKeys().get(0).clone();
    w[20] ^= 1;
    epochs.set(0, new KeyEpoch(e.kappa0(), e.epoch(), e.change(), e.doctor(), e.tag(), List.of(w)));
    assertThat(readable(newPharmacist)).containsOnly("-");
  }

  @Test
  void onlyThePatientsKeyOfTheTreatmentSignsAChange() {
    MemberChange c = MemberChanges.change(patient.sigma(), consent, kappa0, 1, MemberChanges.Request.remove(lawyer.index()));
    MemberChange forged = MemberChanges.sign(doctor.sigma().signingKeyPair(), kappa0, 1, List.of(), List.of(),
        List.of(), List.of(), List.of(lawyer.index()));
    assertThat(MemberChanges.valid(forged, consent)).isFalse();
    MemberChange otherEpoch = new MemberChange(kappa0, 2, List.of(), List.of(), List.of(), List.of(),
        List.of(lawyer.index()), c.signature());
    assertThat(MemberChanges.valid(otherEpoch, consent)).as("the epoch is signed").isFalse();
    assertThatThrownBy(() -> MemberChanges.change(outsider.sigma(), consent, kappa0, 1, MemberChanges.Request.remove(lawyer.index())))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void aChangeMayNotRemoveThePatientOrTheDoctorNorAddAMember() {
    assertThatThrownBy(() -> members.apply(MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        MemberChanges.Request.remove(patientIndex)))).hasMessageContaining("patient cannot be removed");
    assertThatThrownBy(() -> members.apply(MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        MemberChanges.Request.remove(doctor.index())))).hasMessageContaining("doctor cannot be removed");
    assertThatThrownBy(() -> members.apply(MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        MemberChanges.Request.remove(outsider.index())))).hasMessageContaining("not a member");
    assertThatThrownBy(() -> members.apply(MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        MemberChanges.Request.add(Role.LAWYER, lawyer.index())))).hasMessageContaining("already a member");
    assertThatThrownBy(() -> MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        new MemberChanges.Request(List.of(), List.of(), List.of(), List.of(), List.of())))
        .hasMessageContaining("adds and removes nobody");
  }

  @Test
  void theDoctorNeedsTheAddedMembersAnswer() {
    MemberChange c = MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()));
    MemberSet next = members.apply(c);
    List<Txtr> latest = TreatmentProtocol.latestAnswers(answers);
    assertThat(KeyEpochs.missingAnswers(doctor.sigma(), txtc, kappa0, next, latest)).containsExactly(newPharmacist.index());
    assertThatThrownBy(() -> KeyEpochs.buildKey(doctor.sigma(), txtc, kappa0, next, latest, random))
        .hasMessageContaining("has not answered yet");
    assertThatThrownBy(() -> KeyEpochs.respond(outsider.sigma(), outsider.index(), txtc, kappa0, c))
        .hasMessageContaining("not added by this change");
  }

  @Test
  void bothRecordsHaveOneStrictEncoding() {
    MemberChange c = MemberChanges.change(patient.sigma(), consent, kappa0, 1,
        new MemberChanges.Request(List.of(), List.of(), List.of(), List.of(newPharmacist.index()), List.of(pharmacist.index())));
    byte[] v = RecordCodec.encode(c);
    assertThat(RecordCodec.encode(RecordCodec.parse(v))).isEqualTo(v);
    assertThat(v[3]).isEqualTo((byte) 0x0d);
    byte[] epochZero = v.clone();
    epochZero[4 + 5 + 32 + 5 + 3] = 0; // field 2, last byte of u32 epoch
    assertThatThrownBy(() -> RecordCodec.parse(epochZero)).isInstanceOfSatisfying(RecordFormatException.class,
        e -> assertThat(e.reason()).isEqualTo(RecordFormatException.Reason.INVALID_FIELD));

    answers.add(KeyEpochs.respond(newPharmacist.sigma(), newPharmacist.index(), txtc, kappa0, c));
    MemberSet next = members.apply(c);
    Siff.Built built = KeyEpochs.buildKey(doctor.sigma(), txtc, kappa0, next, TreatmentProtocol.latestAnswers(answers), random);
    KeyEpoch e = KeyEpochs.epochRecord(doctor.sigma(), txtc, kappa0, c, RecordCodec.kappa(v), built, tags, random);
    byte[] ev = RecordCodec.encode(e);
    assertThat(ev[3]).isEqualTo((byte) 0x0e);
    assertThat(RecordCodec.encode(RecordCodec.parse(ev))).isEqualTo(ev);
    assertThat(ev.length).isEqualTo(4 + 5 + 32 + 5 + 4 + 5 + 32 + 5 + 8 + 5 + 66 * 7 + 5 + 1 + 60);
    byte[] epochTwo = ev.clone();
    epochTwo[4 + 5 + 32 + 5 + 3] = 2; // claims epoch 2 but carries one wrapped key
    assertThatThrownBy(() -> RecordCodec.parse(epochTwo)).isInstanceOfSatisfying(RecordFormatException.class,
        x -> assertThat(x.reason()).isEqualTo(RecordFormatException.Reason.INVALID_FIELD));
  }
}
