package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.AccessLog;
import org.medledger.core.protocol.EmergencyEscrow;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.protocol.epoch.KeyEpochs;
import org.medledger.core.protocol.epoch.MemberChanges;
import org.medledger.core.protocol.epoch.MemberSet;
import org.medledger.core.record.Consent;
import org.medledger.core.record.EmergencyRecord;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * Rules R10 (the patient's member change) and R11 (the doctor's key epoch), and what they change in
 * R5 (answers of added members), R6 and R7 (records and events follow the newest epoch's members):
 * docs/protocol.md §Chaincode verification rules. And R12-R14 (access log, emergency access) after an epoch.
 */
class EpochRulesTest {
  private final SecureRandom random = new SecureRandom();
  private final InMemoryWorldState state = new InMemoryWorldState();

  /** Every GetState is a round trip to the peer: no rule reads the same key twice in one Store. */
  @AfterEach
  void noStoreReadsAKeyTwice() {
    org.assertj.core.api.Assertions.assertThat(state.readTwice).as("keys read twice in one transaction").isEmpty();
  }

  private final class Actor {
    final UserSecret sigma = UserSecret.generate(random);
    final Submitter submitter;

    Actor(String name, Role role) {
      this.submitter = Submitter.of("TestMSP", TestCertificates.issue(name, sigma.signingKeyPair().toJca()),
          role.name().toLowerCase());
    }

    long index() {
      return submitter.index();
    }
  }

  private Actor doctor, pharmacist, insurer, lawyer, newPharmacist, unregistered;
  private final UserSecret patient = UserSecret.generate(random);
  private final UserSecret family = UserSecret.generate(random);
  private Submitter patientT, familyT;
  private Consent consent;
  private Txtc txtc;
  private byte[] k0;
  private final List<Txtr> answers = new ArrayList<>();
  private final List<SiffTag> tags = new ArrayList<>();
  private Siff.Built current;
  private MemberSet members;

  @BeforeEach
  void openAndEstablishTheKey() {
    doctor = new Actor("doctor", Role.DOCTOR);
    pharmacist = new Actor("pharmacist", Role.PHARMACIST);
    insurer = new Actor("insurer", Role.INSURER);
    lawyer = new Actor("lawyer", Role.LAWYER);
    newPharmacist = new Actor("new pharmacist", Role.PHARMACIST);
    unregistered = new Actor("unregistered", Role.PHARMACIST);
    state.begin();
    new PolicyRules(state).set(Submitter.of("TestMSP",
        TestCertificates.admin("Admin@TestMSP", UserSecret.generate(random).signingKeyPair().toJca()), null),
        StoreRulesTest.testPolicy().encode());
    state.commit();
    for (Actor a : List.of(doctor, pharmacist, insurer, lawyer, newPharmacist)) {
      store(a.submitter, new Registration(a.submitter.role(), a.index(), a.submitter.certificateDer()));
    }
    consent = TreatmentIdentities.consent(patient, List.of(family.signingKeyPair().publicKey()), List.of(insurer.index()),
        List.of(lawyer.index()), List.of(pharmacist.index()), doctor.index(), random);
    txtc = TreatmentProtocol.open(doctor.sigma, consent);
    k0 = Bytes.unhex(store(doctor.submitter, txtc));
    EcKeyPair p1 = TreatmentIdentities.memberKeys(patient, Role.PATIENT, consent);
    EcKeyPair r1 = TreatmentIdentities.memberKeys(family, Role.FAMILY, consent);
    patientT = Submitter.of("TestMSP", TestCertificates.issue("patient-t", p1.toJca()), "patient");
    familyT = Submitter.of("TestMSP", TestCertificates.issue("family-t", r1.toJca()), "family");
    answer(patientT, patient);
    answer(familyT, family);
    for (Actor a : List.of(insurer, lawyer, pharmacist)) answer(a.submitter, a.sigma);
    current = TreatmentProtocol.buildKey(doctor.sigma, txtc, k0, answers, random);
    tags.add(current.tag());
    members = MemberSet.initial(consent, List.of());
    store(doctor.submitter, write(doctor, RecordType.TXD, 1));
  }

  private void answer(Submitter who, UserSecret sigma) {
    Txtr t = TreatmentProtocol.respond(sigma, who.index(), txtc, k0);
    store(who, t);
    answers.add(t);
  }

  private ProcessRecord write(Actor sender, RecordType type, int seq) {
    return KeyEpochs.write(type, k0, current.tag(), current.key(), members, sender.index(), seq,
        "text".getBytes(StandardCharsets.UTF_8));
  }

  private String store(Submitter who, LedgerRecord r) {
    state.begin();
    try {
      return new StoreRules(state).store(who, RecordCodec.encode(r));
    } finally {
      state.commit();
    }
  }

  private void refused(Submitter who, LedgerRecord r, String rule, String messagePart) {
    TreeMap<String, byte[]> before = new TreeMap<>(state.committed);
    state.begin();
    assertThatThrownBy(() -> new StoreRules(state).store(who, RecordCodec.encode(r)))
        .isInstanceOf(RuleViolation.class).hasMessageStartingWith(rule + ":").hasMessageContaining(messagePart);
    assertThat(state.eventName).as("no event on refusal").isNull();
    state.commit();
    assertThat(state.committed.keySet()).isEqualTo(before.keySet());
  }

  private List<Long> lastRecipients() {
    assertThat(state.eventName).isEqualTo(EventPayload.EVENT_NAME);
    return RecordCodec.parseEvent(state.eventPayload).recipients();
  }

  private MemberChange change(int epoch, MemberChanges.Request r) {
    return MemberChanges.change(patient, consent, k0, epoch, r);
  }

  private static MemberChanges.Request replace(long out, long in) {
    return new MemberChanges.Request(List.of(), List.of(), List.of(), List.of(in), List.of(out));
  }

  /** The doctor builds the next epoch for {@code change} from the latest answers. */
  private KeyEpoch epoch(MemberChange change) {
    MemberSet next = members.apply(change);
    Siff.Built built = KeyEpochs.buildKey(doctor.sigma, txtc, k0, next, TreatmentProtocol.latestAnswers(answers), random);
    return KeyEpochs.epochRecord(doctor.sigma, txtc, k0, change, RecordCodec.kappa(RecordCodec.encode(change)), built,
        tags, random);
  }

  private void completed(MemberChange change, KeyEpoch e) {
    members = members.apply(change);
    tags.add(SiffTag.parse(e.tag()));
    try (var ring = org.medledger.core.protocol.epoch.KeyRing.of(doctor.sigma, k0, tags.get(0), List.of(e))) {
      current = new Siff.Built(SiffTag.parse(e.tag()), org.medledger.core.crypto.SiffKey.of(
          ring.keyFor(SiffTag.parse(e.tag())).orElseThrow().bytes()));
    }
  }

  private long patientIndex() {
    return consent.patientIndex();
  }

  @Test
  void aPharmacistReplacedMidTreatment() {
    store(pharmacist.submitter, write(pharmacist, RecordType.TXM, 1));
    MemberChange c = change(1, replace(pharmacist.index(), newPharmacist.index()));
    store(patientT, c);
    // Every member is told, the leaving pharmacist and the newcomer (the invitation) included.
    assertThat(lastRecipients()).containsExactlyInAnyOrderElementsOf(List.of(patientIndex(), familyT.index(),
        doctor.index(), insurer.index(), lawyer.index(), pharmacist.index(), newPharmacist.index()));

    // While a change that removes someone waits for its key, nobody writes under the old key.
    refused(doctor.submitter, write(doctor, RecordType.TXD, 2), "R6", "changing who takes part");
    refused(pharmacist.submitter, write(pharmacist, RecordType.TXM, 2), "R6", "changing who takes part");
    // The newcomer answers as at the start; nobody else may answer now.
    refused(unregistered.submitter, KeyEpochs.respond(unregistered.sigma, unregistered.index(), txtc, k0,
        change(1, MemberChanges.Request.add(Role.PHARMACIST, unregistered.index()))), "R5", "not selected");
    refused(pharmacist.submitter, TreatmentProtocol.respond(pharmacist.sigma, pharmacist.index(), txtc, k0), "R5",
        "already established");
    Txtr answer = KeyEpochs.respond(newPharmacist.sigma, newPharmacist.index(), txtc, k0, c);
    store(newPharmacist.submitter, answer);
    answers.add(answer);
    assertThat(lastRecipients()).containsExactly(doctor.index());

    KeyEpoch e = epoch(c);
    store(doctor.submitter, e);
    assertThat(lastRecipients()).contains(pharmacist.index(), newPharmacist.index(), patientIndex());
    Siff.Built old = current;
    MemberSet oldMembers = members;
    completed(c, e);

    // Later records use the new epoch: to the patient and the new pharmacist, not the old one.
    store(doctor.submitter, write(doctor, RecordType.TXD, 2));
    assertThat(lastRecipients()).containsExactlyInAnyOrder(patientIndex(), newPharmacist.index());
    store(newPharmacist.submitter, write(newPharmacist, RecordType.TXM, 1));
    // Nothing more from the removed pharmacist, and nothing under the old key.
    refused(pharmacist.submitter, KeyEpochs.write(RecordType.TXM, k0, old.tag(), old.key(), oldMembers,
        pharmacist.index(), 2, new byte[1]), "R6", "not part of this treatment's key");
    refused(doctor.submitter, KeyEpochs.write(RecordType.TXD, k0, old.tag(), old.key(), oldMembers, doctor.index(), 3,
        new byte[1]), "R6", "participant indexes");
    refused(doctor.submitter, KeyEpochs.write(RecordType.TXD, k0, old.tag(), old.key(), members, doctor.index(), 3,
        new byte[1]), "R6", "tag differs");

    assertThat(new Queries(state).treatment(Bytes.hex(k0))).extracting(Queries.Entry::type)
        .contains(RecordType.MEMBER_CHANGE, RecordType.KEY_EPOCH);
    // The state, byte for byte (docs/protocol.md §State layout): ML-M names the change, ML-E the
    // epoch record and the tag hash it replaced, ML-G the newest tag hash.
    String z = "\u0000", kHex = Bytes.hex(k0);
    assertThat(new String(state.committed.get(z + "ML-M" + z + kHex + z + "1" + z), StandardCharsets.US_ASCII))
        .isEqualTo(Bytes.hex(RecordCodec.kappa(RecordCodec.encode(c))));
    assertThat(new String(state.committed.get(z + "ML-E" + z + kHex + z + "1" + z), StandardCharsets.US_ASCII))
        .isEqualTo(Bytes.hex(RecordCodec.kappa(RecordCodec.encode(e))) + "|" + Bytes.hex(tags.get(0).hash()));
    assertThat(new String(state.committed.get(z + "ML-G" + z + kHex + z), StandardCharsets.US_ASCII))
        .isEqualTo(Bytes.hex(tags.get(1).hash()));
  }

  @Test
  void anAdditionAloneLetsTheTreatmentGoOnUnderTheCurrentKeyUntilTheNewOneIsSet() {
    MemberChange c = change(1, MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()));
    store(patientT, c);
    store(doctor.submitter, write(doctor, RecordType.TXD, 2));
    assertThat(lastRecipients()).containsExactlyInAnyOrder(patientIndex(), pharmacist.index());
    // The doctor's portal would wait; a key built from an answer that is not on the ledger is refused.
    Txtr answer = KeyEpochs.respond(newPharmacist.sigma, newPharmacist.index(), txtc, k0, c);
    answers.add(answer);
    KeyEpoch e = epoch(c);
    refused(doctor.submitter, e, "R11", "has not answered");
    store(newPharmacist.submitter, answer);
    // Before the epoch the newcomer is not a member of the key: no record from them yet.
    refused(newPharmacist.submitter, KeyEpochs.write(RecordType.TXM, k0, current.tag(), current.key(), members.apply(c),
        newPharmacist.index(), 1, new byte[1]), "R6", "not part of this treatment's key");
    store(doctor.submitter, e);
    completed(c, e);
    store(doctor.submitter, write(doctor, RecordType.TXD, 3));
    assertThat(lastRecipients()).containsExactlyInAnyOrder(patientIndex(), pharmacist.index(), newPharmacist.index());
  }

  @Test
  void r10OnlyThePatientUnderHerKeyOfThisTreatmentChangesWhoTakesPart() {
    MemberChange c = change(1, MemberChanges.Request.remove(lawyer.index()));
    refused(doctor.submitter, c, "R10", "only the patient");
    refused(familyT, c, "R10", "only the patient");
    Submitter longTerm = Submitter.of("TestMSP", TestCertificates.issue("patient-lt", patient.signingKeyPair().toJca()), "patient");
    refused(longTerm, c, "R10", "only the patient");
    MemberChange forged = MemberChanges.sign(doctor.sigma.signingKeyPair(), k0, 1, List.of(), List.of(), List.of(),
        List.of(), List.of(lawyer.index()));
    refused(patientT, forged, "R10", "signature");
    refused(patientT, change(2, MemberChanges.Request.remove(lawyer.index())), "R10", "epoch 1");
    refused(patientT, change(1, MemberChanges.Request.remove(doctor.index())), "R10", "doctor cannot be removed");
    refused(patientT, change(1, MemberChanges.Request.remove(patientIndex())), "R10", "patient cannot be removed");
    refused(patientT, change(1, MemberChanges.Request.add(Role.PHARMACIST, unregistered.index())), "R10",
        "not a registered pharmacist");
    refused(patientT, change(1, MemberChanges.Request.add(Role.PHARMACIST, insurer.index())), "R10", "already a member");
    refused(patientT, change(1, MemberChanges.Request.add(Role.LAWYER, newPharmacist.index())), "R10",
        "not a registered lawyer");
    MemberChange elsewhere = MemberChanges.change(patient, consent, new byte[32], 1, MemberChanges.Request.remove(lawyer.index()));
    refused(patientT, elsewhere, "R10", "no treatment");
    store(patientT, c);
  }

  @Test
  void r10NoChangeBeforeTheKeyIsSetUp() {
    Consent c2 = TreatmentIdentities.consent(patient, List.of(), List.of(), List.of(lawyer.index()), List.of(),
        doctor.index(), random);
    Txtc t2 = TreatmentProtocol.open(doctor.sigma, c2);
    byte[] k2 = Bytes.unhex(store(doctor.submitter, t2));
    Submitter p2 = Submitter.of("TestMSP", TestCertificates.issue("patient-2",
        TreatmentIdentities.memberKeys(patient, Role.PATIENT, c2).toJca()), "patient");
    refused(p2, MemberChanges.change(patient, c2, k2, 1, MemberChanges.Request.remove(lawyer.index())), "R10",
        "not set up yet");
  }

  @Test
  void r11OnlyTheDoctorCompletesThePatientsLatestChange() {
    MemberChange first = change(1, MemberChanges.Request.add(Role.PHARMACIST, newPharmacist.index()));
    KeyEpoch tooEarly = epoch(MemberChanges.change(patient, consent, k0, 1, MemberChanges.Request.remove(lawyer.index())));
    refused(doctor.submitter, tooEarly, "R11", "no member change");
    store(patientT, first);
    // The patient changes her mind before the key is set: the latest change counts.
    MemberChange second = change(1, MemberChanges.Request.remove(lawyer.index()));
    store(patientT, second);
    refused(newPharmacist.submitter, KeyEpochs.respond(newPharmacist.sigma, newPharmacist.index(), txtc, k0, first),
        "R5", "not selected");
    answers.add(KeyEpochs.respond(newPharmacist.sigma, newPharmacist.index(), txtc, k0, first)); // never stored
    refused(doctor.submitter, epoch(first), "R11", "latest change");
    KeyEpoch e = epoch(second);
    refused(pharmacist.submitter, e, "R11", "only the treatment's doctor");
    KeyEpoch wrongDoctorField = new KeyEpoch(e.kappa0(), 1, e.change(), pharmacist.index(), e.tag(), e.wrappedKeys());
    refused(doctor.submitter, wrongDoctorField, "R11", "doctor index");
    KeyEpoch sameTag = new KeyEpoch(e.kappa0(), 1, e.change(), e.doctor(), tags.get(0).encoded(), e.wrappedKeys());
    refused(doctor.submitter, sameTag, "R11", "built for");
    KeyEpoch oldKeyOldCount = new KeyEpoch(e.kappa0(), 1, e.change(), e.doctor(),
        KeyEpochs.buildKey(doctor.sigma, txtc, k0, members, answers, random).tag().encoded(), e.wrappedKeys());
    refused(doctor.submitter, oldKeyOldCount, "R11", "built for");
    store(doctor.submitter, e);
    refused(doctor.submitter, epoch(second), "R11", "epoch 2");
    completed(second, e);
    // The removed lawyer may neither write nor answer; the next change opens epoch 2.
    refused(patientT, change(1, MemberChanges.Request.remove(insurer.index())), "R10", "epoch 2");
    store(patientT, change(2, MemberChanges.Request.remove(insurer.index())));
  }

  @Test
  void r11ATagAlreadyUsedByAnEarlierEpochIsRefused() {
    MemberChange c = change(1, MemberChanges.Request.remove(lawyer.index()));
    store(patientT, c);
    KeyEpoch e = epoch(c);
    store(doctor.submitter, e);
    completed(c, e);
    MemberChange back = change(2, MemberChanges.Request.add(Role.LAWYER, lawyer.index()));
    store(patientT, back);
    // The lawyer's answer from the start still counts (s_x depends on σ and κ0 only); the doctor
    // may not simply bring back epoch 0's tag, which the removed lawyer's secret opens.
    KeyEpoch reused = new KeyEpoch(k0, 2, RecordCodec.kappa(RecordCodec.encode(back)), doctor.index(),
        tags.get(0).encoded(), List.of(e.wrappedKeys().get(0), e.wrappedKeys().get(0)));
    refused(doctor.submitter, reused, "R11", "earlier epoch");
    store(doctor.submitter, epoch(back));
  }

  /**
   * Issue 16's access log and emergency access (R12-R14) in a treatment that has had a key epoch:
   * the members are the newest epoch's (the added pharmacist logs her reading, the removed one no
   * longer can), the key may be any epoch's of this treatment, and a justification is announced
   * to the newest epoch's members.
   */
  @Test
  void r12ToR14AfterAKeyEpochFollowTheNewestMembersAndAcceptAnyEpochsKey() {
    Actor er = new Actor("emergency doctor", Role.DOCTOR);
    store(er.submitter, new Registration(Role.DOCTOR, er.index(), er.submitter.certificateDer()));
    MemberChange c = change(1, replace(pharmacist.index(), newPharmacist.index()));
    store(patientT, c);
    Txtr answer = KeyEpochs.respond(newPharmacist.sigma, newPharmacist.index(), txtc, k0, c);
    store(newPharmacist.submitter, answer);
    answers.add(answer);
    KeyEpoch e = epoch(c);
    store(doctor.submitter, e);
    Siff.Built old = current;
    completed(c, e);

    // The added pharmacist reads under the newest key; the patient and the family are told.
    store(newPharmacist.submitter, AccessLog.seal(current.key(), k0, current.tag(), newPharmacist.index(),
        AccessLog.What.CASE_FILE_PDF, ""));
    assertThat(lastRecipients()).containsExactlyInAnyOrder(patientIndex(), familyT.index());
    // A reader whose page was opened before the epoch seals under epoch 0's key: still this treatment's.
    store(lawyer.submitter, AccessLog.seal(old.key(), k0, old.tag(), lawyer.index(), AccessLog.What.CASE_FILE_PAGE, ""));
    // The removed pharmacist is no reader any more, under either key.
    refused(pharmacist.submitter, AccessLog.seal(old.key(), k0, old.tag(), pharmacist.index(),
        AccessLog.What.CASE_FILE_PAGE, ""), "R12", "the patient removed them");
    refused(pharmacist.submitter, AccessLog.seal(current.key(), k0, current.tag(), pharmacist.index(),
        AccessLog.What.CASE_FILE_PAGE, ""), "R12", "the patient removed them");
    // A key that no epoch of this treatment pinned is refused.
    Siff.Built stray = KeyEpochs.buildKey(doctor.sigma, txtc, k0, members, TreatmentProtocol.latestAnswers(answers), random);
    refused(lawyer.submitter, AccessLog.seal(stray.key(), k0, stray.tag(), lawyer.index(), AccessLog.What.CASE_FILE_PAGE, ""),
        "R12", "another key");

    // The patient allows emergency access with the newest key (R14); not with a stray one.
    byte[] a = P256.encodeCompressed(P256.publicPoint(java.math.BigInteger.valueOf(7)));
    byte[] b = P256.encodeCompressed(P256.publicPoint(java.math.BigInteger.valueOf(11)));
    refused(patientT, EmergencyEscrow.seal(stray.key(), k0, stray.tag(), patientIndex(), a, b, random), "R14", "another key");
    store(patientT, EmergencyEscrow.seal(current.key(), k0, current.tag(), patientIndex(), a, b, random));
    assertThat(lastRecipients()).containsExactlyInAnyOrder(patientIndex(), familyT.index());
    // An escrow of epoch 0's key is still one of this treatment's keys (it opens less).
    store(patientT, EmergencyEscrow.seal(old.key(), k0, old.tag(), patientIndex(), a, b, random));

    // Break the glass (R13): every member of the newest epoch is told, the removed pharmacist not.
    byte[] request = new byte[16];
    random.nextBytes(request);
    store(er.submitter, new EmergencyRecord(k0, er.index(), 1, request));
    assertThat(lastRecipients()).containsExactlyInAnyOrder(patientIndex(), familyT.index(), doctor.index(),
        insurer.index(), lawyer.index(), newPharmacist.index());
    // The justified doctor logs her reading under the newest key (the escrow's).
    store(er.submitter, AccessLog.seal(current.key(), k0, current.tag(), er.index(), AccessLog.What.EMERGENCY_READ, "x"));
    // The added pharmacist is a member now: she never breaks the glass (she is no doctor), and a
    // member doctor neither.
    refused(doctor.submitter, new EmergencyRecord(k0, doctor.index(), 1, request), "R13", "is a member");
  }
}
