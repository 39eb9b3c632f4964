package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/** Each verification rule of Store, its accepted case and one refused case each. */
class StoreRulesTest {
  private final SecureRandom random = new SecureRandom();
  private final InMemoryWorldState state = new InMemoryWorldState();

  /** Every GetState is a round trip to the peer: no rule reads the same key twice in one Store. */
  @AfterEach
  void noStoreReadsAKeyTwice() {
    org.assertj.core.api.Assertions.assertThat(state.readTwice).as("keys read twice in one transaction").isEmpty();
  }

  /** A participant with σ, a certificate carrying their role, and ind_x. */
  private final class Actor {
    final UserSecret sigma = UserSecret.generate(random);
    final Role role;
    final Submitter submitter;

    Actor(String name, Role role) {
      this(name, role, "TestMSP");
    }

    Actor(String name, Role role, String mspId) {
      this.role = role;
      var keys = sigma.signingKeyPair();
      this.submitter = Submitter.of(mspId, TestCertificates.issue(name, keys.toJca()), role.name().toLowerCase());
    }

    long index() {
      return submitter.index();
    }

    byte[] vk() {
      return submitter.publicKey();
    }
  }

  private Actor patient, family, doctor, pharmacist, insurer, lawyer, outsiderDoctor;

  @BeforeEach
  void setUp() {
    patient = new Actor("patient", Role.PATIENT);
    family = new Actor("family", Role.FAMILY);
    doctor = new Actor("doctor", Role.DOCTOR);
    pharmacist = new Actor("pharmacist", Role.PHARMACIST);
    insurer = new Actor("insurer", Role.INSURER);
    lawyer = new Actor("lawyer", Role.LAWYER);
    outsiderDoctor = new Actor("other doctor", Role.DOCTOR);
    state.begin();
    new PolicyRules(state).set(admin("TestMSP"), testPolicy().encode());
    state.commit();
    for (Actor a : List.of(doctor, pharmacist, insurer, lawyer, outsiderDoctor)) store(a, registration(a));
  }

  /** The four organisations of MedLedger, and TestMSP, which vouches for every professional. */
  static ConsortiumPolicy testPolicy() {
    TreeMap<String, Set<Role>> m = new TreeMap<>(ConsortiumPolicy.standard(1).vouching());
    m.put("TestMSP", EnumSet.of(Role.DOCTOR, Role.PHARMACIST, Role.INSURER, Role.LAWYER));
    return new ConsortiumPolicy(1, m);
  }

  private Submitter admin(String mspId) {
    return Submitter.of(mspId, TestCertificates.admin("Admin@" + mspId, UserSecret.generate(random).signingKeyPair().toJca()), null);
  }

  private Registration registration(Actor a) {
    return new Registration(a.role, a.index(), a.submitter.certificateDer());
  }

  private String store(Actor who, LedgerRecord r) {
    return storeRaw(who, RecordCodec.encode(r));
  }

  private String storeRaw(Actor who, byte[] v) {
    state.begin();
    String k = new StoreRules(state).store(who.submitter, v);
    state.commit();
    return k;
  }

  private void refused(Actor who, LedgerRecord r, String rule, String messagePart) {
    refusedRaw(who, RecordCodec.encode(r), rule, messagePart);
  }

  private void refusedRaw(Actor who, byte[] v, String rule, String messagePart) {
    TreeMap<String, byte[]> before = new TreeMap<>(state.committed);
    state.begin();
    assertThatThrownBy(() -> new StoreRules(state).store(who.submitter, v))
        .isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith(rule + ":")
        .hasMessageContaining(messagePart);
    assertThat(state.eventName).as("no event on refusal").isNull();
    state.commit();
    assertThat(state.committed.keySet()).isEqualTo(before.keySet());
  }

  private Consent consent() {
    return TreatmentProtocol.consent(patient.sigma, List.of(family.vk()), List.of(insurer.index()),
        List.of(lawyer.index()), List.of(pharmacist.index()), doctor.index(), random);
  }

  private record Opened(Txtc txtc, byte[] kappa0) {}

  private Opened open() {
    Txtc txtc = TreatmentProtocol.open(doctor.sigma, consent());
    return new Opened(txtc, Bytes.unhex(store(doctor, txtc)));
  }

  private EventPayload lastEvent() {
    assertThat(state.eventName).isEqualTo(EventPayload.EVENT_NAME);
    return RecordCodec.parseEvent(state.eventPayload);
  }

  private Siff.Built answerAllAndBuild(Opened o) {
    List<Txtr> rs = new ArrayList<>();
    for (Actor a : List.of(patient, family, insurer, lawyer, pharmacist)) {
      Txtr t = TreatmentProtocol.respond(a.sigma, a.index(), o.txtc(), o.kappa0());
      store(a, t);
      assertThat(lastEvent().recipients()).containsExactly(doctor.index());
      rs.add(t);
    }
    return TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), rs, random);
  }

  private ProcessRecord txd(Opened o, Siff.Built b, int seq) {
    return TreatmentProtocol.write(RecordType.TXD, o.txtc(), o.kappa0(), b.tag(), b.key(), doctor.index(), seq,
        "diagnosis".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void wholeTreatmentIsAcceptedWithTheEventsOfTable3() {
    Opened o = open();
    assertThat(lastEvent().recipients()).containsExactlyInAnyOrderElementsOf(
        List.of(patient.index(), family.index(), doctor.index(), pharmacist.index(), insurer.index(), lawyer.index()));
    Siff.Built b = answerAllAndBuild(o);
    store(doctor, txd(o, b, 1));
    assertThat(lastEvent().recipients()).containsExactlyInAnyOrder(patient.index(), pharmacist.index());
    store(pharmacist, TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), b.tag(), b.key(),
        pharmacist.index(), 1, "medicines".getBytes(StandardCharsets.UTF_8)));
    assertThat(lastEvent().recipients()).containsExactlyInAnyOrder(patient.index(), insurer.index());
    store(insurer, TreatmentProtocol.write(RecordType.TXA, o.txtc(), o.kappa0(), b.tag(), b.key(),
        insurer.index(), 1, "compensation".getBytes(StandardCharsets.UTF_8)));
    assertThat(lastEvent().recipients()).containsExactly(patient.index());

    List<Queries.Entry> entries = new Queries(state).treatment(Bytes.hex(o.kappa0()));
    assertThat(entries).extracting(Queries.Entry::type).containsExactly(RecordType.TXTC,
        RecordType.TXTR, RecordType.TXTR, RecordType.TXTR, RecordType.TXTR, RecordType.TXTR,
        RecordType.TXD, RecordType.TXM, RecordType.TXA);
  }

  @Test
  void r1MalformedUnknownAndOversizedInputIsRefused() {
    byte[] good = RecordCodec.encode(registration(doctor));
    refusedRaw(doctor, Arrays.copyOf(good, good.length - 3), "R1", "truncated");
    byte[] unknown = good.clone();
    unknown[3] = 0x7f;
    refusedRaw(doctor, unknown, "R1", "unknown record type");
    refusedRaw(doctor, new byte[RecordCodec.MAX_RECORD_BYTES + 1], "R1", "limit");
    refusedRaw(doctor, "hello".getBytes(StandardCharsets.UTF_8), "R1", "malformed");
  }

  @Test
  void r2StoringTheSameValueTwiceReturnsTheSameKappaAndChangesNothing() {
    Opened o = open();
    TreeMap<String, byte[]> before = new TreeMap<>(state.committed);
    assertThat(store(doctor, o.txtc())).isEqualTo(Bytes.hex(o.kappa0()));
    assertThat(state.eventName).isNull();
    assertThat(state.committed.keySet()).isEqualTo(before.keySet());
  }

  @Test
  void r3RegistrationOnlyOfOnesOwnCertificateAndNeverAnIndexTwice() {
    Actor newcomer = new Actor("newcomer", Role.PHARMACIST);
    refused(doctor, registration(newcomer), "R3", "only their own certificate");
    refused(newcomer, new Registration(Role.DOCTOR, newcomer.index(), newcomer.submitter.certificateDer()), "R3",
        "role");
    refused(patient, new Registration(Role.PATIENT, patient.index(), patient.submitter.certificateDer()), "R3",
        "pseudonymously");
    // A second certificate for the same key (same ind_x) is an index collision.
    Submitter reissued = Submitter.of("TestMSP", TestCertificates.issue("doctor again", doctor.sigma.signingKeyPair().toJca()), "doctor");
    state.begin();
    assertThatThrownBy(() -> new StoreRules(state).store(reissued,
        RecordCodec.encode(new Registration(Role.DOCTOR, reissued.index(), reissued.certificateDer()))))
        .isInstanceOf(RuleViolation.class).hasMessageContaining("already registered");
  }

  @Test
  void r3AnOrganisationVouchesOnlyForTheRolesThePolicyGivesIt() {
    // The finding: a doctor certificate from LawFirmMSP was accepted.
    Actor lawFirmDoctor = new Actor("Dr Fake", Role.DOCTOR, "LawFirmMSP");
    refused(lawFirmDoctor, registration(lawFirmDoctor), "R3", "LawFirmMSP may not vouch for doctors");
    Actor hospitalDoctor = new Actor("Dr Real", Role.DOCTOR, "HospitalMSP");
    store(hospitalDoctor, registration(hospitalDoctor));
    Actor unknownOrg = new Actor("Dr Nowhere", Role.DOCTOR, "NowhereMSP");
    refused(unknownOrg, registration(unknownOrg), "R3", "NowhereMSP may not vouch for doctors");
    Actor lawyer = new Actor("Lou", Role.LAWYER, "LawFirmMSP");
    store(lawyer, registration(lawyer));
  }

  @Test
  void r3TheCertificateMustCarryTheNameAndInstitutionItsCaSigned() {
    Actor a = new Actor("Dr Plain", Role.DOCTOR, "HospitalMSP");
    var keys = a.sigma.signingKeyPair().toJca();
    Submitter noAttributes = Submitter.of("HospitalMSP", TestCertificates.issue("Dr Plain", keys, "client", null), "doctor");
    refusedAs(noAttributes, "R3", "no medledger.name attribute");
    Submitter noInstitution = Submitter.of("HospitalMSP", TestCertificates.issue("Dr Plain", keys, "client",
        "{\"attrs\":{\"medledger.name\":\"Dr Plain\",\"medledger.institution\":\" \"}}"), "doctor");
    refusedAs(noInstitution, "R3", "no medledger.institution attribute");
    Submitter malformed = Submitter.of("HospitalMSP", TestCertificates.issue("Dr Plain", keys, "client",
        "{\"attrs\":{\"medledger.name\":\"a\",\"medledger.name\":\"b\"}}"), "doctor");
    refusedAs(malformed, "R3", "appears twice");
  }

  @Test
  void r3WithoutAPolicyOnTheLedgerNoProfessionalIsAdmitted() {
    state.committed.clear(); // a ledger on which nobody wrote a policy yet
    Actor d = new Actor("Dr Early", Role.DOCTOR, "HospitalMSP");
    refused(d, registration(d), "R3", "no consortium policy on the ledger");
  }

  private void refusedAs(Submitter s, String rule, String messagePart) {
    TreeMap<String, byte[]> before = new TreeMap<>(state.committed);
    state.begin();
    assertThatThrownBy(() -> new StoreRules(state).store(s,
        RecordCodec.encode(new Registration(s.role(), s.index(), s.certificateDer()))))
        .isInstanceOf(RuleViolation.class).hasMessageStartingWith(rule + ":").hasMessageContaining(messagePart);
    state.commit();
    assertThat(state.committed.keySet()).isEqualTo(before.keySet());
  }

  @Test
  void r4OnlyTheNamedDoctorOpensAndOnlyOncePerConsent() {
    Consent c = consent();
    refused(outsiderDoctor, TreatmentProtocol.open(outsiderDoctor.sigma, c), "R4", "only the doctor named");
    Consent forged = c.withSignature(outsiderDoctor.sigma.signingKeyPair().sign(c.signedBytes()));
    refused(doctor, new Txtc(forged, TreatmentProtocol.open(doctor.sigma, c).doctorKey()), "R4", "signature");
    store(doctor, TreatmentProtocol.open(doctor.sigma, c));
    // the same consent again with another doctor key is a second treatment: refused
    refused(doctor, new Txtc(c, outsiderDoctor.sigma.ephemeralKeyPair(c.consentId()).publicKey()), "R4", "already used");
    Actor unregistered = new Actor("unregistered", Role.PHARMACIST);
    Consent c2 = TreatmentProtocol.consent(patient.sigma, List.of(), List.of(), List.of(),
        List.of(unregistered.index()), doctor.index(), random);
    refused(doctor, TreatmentProtocol.open(doctor.sigma, c2), "R4", "not a registered pharmacist");
  }

  @Test
  void r5OnlySelectedParticipantsAnswerForThemselves() {
    Opened o = open();
    Txtr mine = TreatmentProtocol.respond(lawyer.sigma, lawyer.index(), o.txtc(), o.kappa0());
    refused(insurer, mine, "R5", "only for themselves");
    store(lawyer, mine);
    Txtr again = TreatmentProtocol.respond(lawyer.sigma, lawyer.index(), o.txtc(), o.kappa0());
    // deterministic pk_x but a fresh nonce: a different value, accepted as a replacement
    // (answers may be replaced until the key is pinned; see the R5 replacement test)
    store(lawyer, again);
    Actor stranger = new Actor("stranger", Role.FAMILY);
    Txtr strangers = new Txtr(o.kappa0(), stranger.index(), mine.responderKey(), mine.wrappedToken());
    refused(stranger, strangers, "R5", "not selected");
    Actor impostor = new Actor("impostor", Role.FAMILY);
    Txtr asFamily = new Txtr(o.kappa0(), family.index(), mine.responderKey(), mine.wrappedToken());
    refused(impostor, asFamily, "R5", "only for themselves");
    refused(lawyer, new Txtr(new byte[32], lawyer.index(), mine.responderKey(), mine.wrappedToken()), "R5",
        "no treatment");
  }

  @Test
  void r6OnlyTheSelectedWriterWritesItsRecordOnceTheKeyExists() {
    Opened o = open();
    // before everyone answered: the key cannot exist yet
    Siff.Built early = Siff.build(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}, new byte[] {4},
        new byte[] {5}, new byte[] {6}), random);
    refused(doctor, txd(o, early, 1), "R6", "not established yet");
    Siff.Built b = answerAllAndBuild(o);
    ProcessRecord d1 = txd(o, b, 1);
    refused(pharmacist, d1, "R6", "sender index");
    ProcessRecord asPharmacist = TreatmentProtocol.write(RecordType.TXD, o.txtc(), o.kappa0(), b.tag(), b.key(),
        pharmacist.index(), 1, new byte[1]);
    refused(pharmacist, asPharmacist, "R6", "only the selected doctor");
    ProcessRecord wrongOthers = new ProcessRecord(RecordType.TXD, o.kappa0(), doctor.index(),
        List.of(patient.index()), 1, d1.tag(), d1.ciphertext());
    refused(doctor, wrongOthers, "R6", "indexes do not match");
    store(doctor, d1);
    refused(doctor, txd(o, b, 1), "R6", "sequence number 1");
    Siff.Built other = Siff.build(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}, new byte[] {4},
        new byte[] {5}, new byte[] {6}), random);
    refused(doctor, txd(o, other, 2), "R6", "tag differs");
    Actor otherPharmacist = new Actor("other pharmacist", Role.PHARMACIST);
    store(otherPharmacist, registration(otherPharmacist));
    ProcessRecord m = TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), b.tag(), b.key(),
        otherPharmacist.index(), 1, new byte[1]);
    refused(otherPharmacist, m, "R6", "only the selected pharmacist");
  }

  // ---------------------------------------------------------------- issue 12 part 2: who pins the key

  private Siff.Built madeUpKey() {
    return Siff.build(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}, new byte[] {4}, new byte[] {5},
        new byte[] {6}), random);
  }

  @Test
  void r6OnlyTheDoctorPinsTheTagOtherWritersWaitForIt() {
    Opened o = open();
    Siff.Built b = answerAllAndBuild(o);
    Siff.Built fake = madeUpKey();
    // The attack: a pharmacist's txm with a made-up tag before the doctor's first txd.
    ProcessRecord early = TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), fake.tag(), fake.key(),
        pharmacist.index(), 1, new byte[1]);
    refused(pharmacist, early, "R6", "the doctor has not established the treatment key yet");
    ProcessRecord earlyA = TreatmentProtocol.write(RecordType.TXA, o.txtc(), o.kappa0(), b.tag(), b.key(),
        insurer.index(), 1, new byte[1]);
    refused(insurer, earlyA, "R6", "the doctor has not established the treatment key yet");
    store(doctor, txd(o, b, 1)); // the doctor's real tag is accepted and pins the key
    store(pharmacist, TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), b.tag(), b.key(),
        pharmacist.index(), 1, new byte[1]));
    refused(pharmacist, TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), fake.tag(), fake.key(),
        pharmacist.index(), 2, new byte[1]), "R6", "tag differs");
  }

  private Txtr garbled(Actor a, Opened o) {
    Txtr good = TreatmentProtocol.respond(a.sigma, a.index(), o.txtc(), o.kappa0());
    byte[] junk = new byte[good.wrappedToken().length];
    random.nextBytes(junk);
    return new Txtr(o.kappa0(), a.index(), good.responderKey(), junk);
  }

  @Test
  void r5AnAnswerMayBeReplacedUntilTheKeyIsPinnedAndTheLatestCounts() {
    Opened o = open();
    store(pharmacist, garbled(pharmacist, o)); // accepted: the chaincode cannot open c_x
    List<Txtr> latest = new ArrayList<>();
    for (Actor a : List.of(patient, family, insurer, lawyer)) {
      Txtr t = TreatmentProtocol.respond(a.sigma, a.index(), o.txtc(), o.kappa0());
      store(a, t);
      latest.add(t);
    }
    Txtr fixed = TreatmentProtocol.respond(pharmacist.sigma, pharmacist.index(), o.txtc(), o.kappa0());
    String k = store(pharmacist, fixed); // the replacement is accepted
    assertThat(lastEvent().recipients()).containsExactly(doctor.index());
    assertThat(new String(state.get(state.compositeKey(StoreRules.RESPONDED, Bytes.hex(o.kappa0()),
        org.medledger.core.record.ParticipantIndex.hex(pharmacist.index()))), StandardCharsets.US_ASCII))
        .as("ML-R points at the latest answer").isEqualTo(k);
    latest.add(fixed);
    Siff.Built b = TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), latest, random);
    assertThat(TreatmentProtocol.tagFits(doctor.sigma, o.txtc(), o.kappa0(), latest, b.tag())).isTrue();
    // A tag built before a replacement that changed the share no longer fits the latest answers.
    List<Txtr> replacedAgain = new ArrayList<>(latest.subList(0, latest.size() - 1));
    replacedAgain.add(garbled(pharmacist, o));
    assertThat(TreatmentProtocol.tagFits(doctor.sigma, o.txtc(), o.kappa0(), replacedAgain, b.tag())).isFalse();
    store(doctor, txd(o, b, 1));
    refused(pharmacist, TreatmentProtocol.respond(pharmacist.sigma, pharmacist.index(), o.txtc(), o.kappa0()),
        "R5", "the treatment key is already established");
  }

  private List<Txtr> answerAllBut(Opened o, Actor left) {
    List<Txtr> rs = new ArrayList<>();
    for (Actor a : List.of(patient, family, insurer, lawyer, pharmacist)) {
      if (a == left) continue;
      Txtr t = TreatmentProtocol.respond(a.sigma, a.index(), o.txtc(), o.kappa0());
      store(a, t);
      rs.add(t);
    }
    return rs;
  }

  @Test
  void r8TheDoctorBuildsTheKeyWithoutAMemberWhoseAnswerDoesNotOpen() {
    Opened o = open();
    Txtr bad = garbled(pharmacist, o);
    store(pharmacist, bad);
    List<Txtr> rs = answerAllBut(o, pharmacist);
    rs.add(bad);
    // The doctor's key building names the member whose share does not open.
    assertThatThrownBy(() -> TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), rs, random))
        .isInstanceOf(TreatmentProtocol.UnreadableAnswersException.class)
        .satisfies(e -> assertThat(((TreatmentProtocol.UnreadableAnswersException) e).members())
            .containsExactly(pharmacist.index()));
    assertThat(TreatmentProtocol.checkAnswers(doctor.sigma, o.txtc(), o.kappa0(), rs).unreadable())
        .containsExactly(pharmacist.index());
    Siff.Built b = TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), rs, List.of(pharmacist.index()), random);
    assertThat(b.tag().members()).isEqualTo(5);
    Txk txk = TreatmentProtocol.keyRecord(o.txtc(), o.kappa0(), List.of(pharmacist.index()), b.tag());
    store(doctor, txk);
    assertThat(lastEvent().recordType()).isEqualTo(RecordType.TXK);
    assertThat(lastEvent().recipients()).as("every member is told, the left-out included").containsExactlyInAnyOrder(
        patient.index(), family.index(), doctor.index(), pharmacist.index(), insurer.index(), lawyer.index());
    // The left-out member can neither replace their answer nor write.
    refused(pharmacist, TreatmentProtocol.respond(pharmacist.sigma, pharmacist.index(), o.txtc(), o.kappa0()),
        "R5", "already established");
    refused(doctor, TreatmentProtocol.keyRecord(o.txtc(), o.kappa0(), List.of(), madeUpKey().tag()), "R8",
        "already established");
    // A txd naming the left-out member is refused; one without them is accepted and not sent to them.
    refused(doctor, txd(o, b, 1), "R6", "indexes do not match");
    store(doctor, TreatmentProtocol.write(RecordType.TXD, o.txtc(), o.kappa0(), b.tag(), b.key(), doctor.index(), 1,
        "diagnosis".getBytes(StandardCharsets.UTF_8), List.of(pharmacist.index())));
    assertThat(lastEvent().recipients()).containsExactly(patient.index());
    ProcessRecord m = TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), b.tag(), b.key(),
        pharmacist.index(), 1, new byte[1], List.of(pharmacist.index()));
    refused(pharmacist, m, "R6", "not part of this treatment's key");
    store(insurer, TreatmentProtocol.write(RecordType.TXA, o.txtc(), o.kappa0(), b.tag(), b.key(), insurer.index(), 1,
        new byte[1], List.of(pharmacist.index())));
    // The left-out member's σ does not open the records.
    ProcessRecord d = (ProcessRecord) RecordCodec.parse(state.get(new Queries(state).treatment(Bytes.hex(o.kappa0()))
        .stream().filter(e -> e.type() == RecordType.TXD).findFirst().orElseThrow().kappa()));
    assertThatThrownBy(() -> TreatmentProtocol.read(pharmacist.sigma, d))
        .isInstanceOf(org.medledger.core.crypto.CryptoException.class);
    assertThat(new String(TreatmentProtocol.read(patient.sigma, d), StandardCharsets.UTF_8)).isEqualTo("diagnosis");
  }

  @Test
  void r8OnlyTheDoctorOnlyBeforeThePinOnlyResponderSubsetsAndTheRightTagSize() {
    Opened o = open();
    List<Txtr> rs = answerAllBut(o, lawyer);
    Siff.Built without = TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), rs, List.of(lawyer.index()), random);
    Txk good = TreatmentProtocol.keyRecord(o.txtc(), o.kappa0(), List.of(lawyer.index()), without.tag());
    refused(pharmacist, new Txk(o.kappa0(), pharmacist.index(), good.excluded(), good.tag()), "R8", "only the treatment's doctor");
    refused(outsiderDoctor, new Txk(o.kappa0(), outsiderDoctor.index(), good.excluded(), good.tag()), "R8",
        "only the treatment's doctor");
    refused(pharmacist, good, "R8", "not the submitter's");
    refused(doctor, new Txk(o.kappa0(), doctor.index(), List.of(), good.tag()), "R8", "has not answered");
    refused(doctor, new Txk(o.kappa0(), doctor.index(), List.of(lawyer.index(), patient.index()), good.tag()), "R8",
        "the patient cannot be left out");
    refused(doctor, new Txk(o.kappa0(), doctor.index(), List.of(lawyer.index(), doctor.index()), good.tag()), "R8",
        "not an invited participant");
    refused(doctor, new Txk(o.kappa0(), doctor.index(), List.of(lawyer.index(), outsiderDoctor.index()), good.tag()),
        "R8", "not an invited participant");
    refused(doctor, new Txk(o.kappa0(), doctor.index(), List.of(lawyer.index(), insurer.index()), good.tag()), "R8",
        "the tag is built for 5 members");
    refused(doctor, new Txk(o.kappa0(), doctor.index(), List.of(lawyer.index()), madeUpKey().tag().encoded()), "R8",
        "the tag is built for 6 members");
    refused(doctor, new Txk(new byte[32], doctor.index(), List.of(lawyer.index()), good.tag()), "R8", "no treatment");
    // A txd cannot pin while a member has not answered; the txk can, without them.
    store(doctor, good);
    refused(lawyer, TreatmentProtocol.respond(lawyer.sigma, lawyer.index(), o.txtc(), o.kappa0()), "R5",
        "already established");
    // The pharmacist may write now that the doctor fixed the key (no txd needed first).
    store(pharmacist, TreatmentProtocol.write(RecordType.TXM, o.txtc(), o.kappa0(), without.tag(), without.key(),
        pharmacist.index(), 1, new byte[1], List.of(lawyer.index())));
    assertThat(lastEvent().recipients()).containsExactlyInAnyOrder(patient.index(), insurer.index());
  }

  @Test
  void r8AfterTheFirstTxdNoKeyRecordIsAccepted() {
    Opened o = open();
    Siff.Built b = answerAllAndBuild(o);
    store(doctor, txd(o, b, 1));
    refused(doctor, TreatmentProtocol.keyRecord(o.txtc(), o.kappa0(), List.of(), b.tag()), "R8", "already established");
  }

  @Test
  void r5AReplacementMustBeLaterThanTheAnswerItReplaces() {
    Opened o = open();
    store(lawyer, TreatmentProtocol.respond(lawyer.sigma, lawyer.index(), o.txtc(), o.kappa0()));
    state.clockStep = 0; // the next transaction carries the same millisecond
    refused(lawyer, TreatmentProtocol.respond(lawyer.sigma, lawyer.index(), o.txtc(), o.kappa0()), "R5",
        "must be later");
  }

  // ------------------------------------------------------------------ R12 access records, R13 break the glass

  private org.medledger.core.record.AccessRecord access(Actor who, Opened o, Siff.Built b) {
    return org.medledger.core.protocol.AccessLog.seal(b.key(), o.kappa0(), b.tag(), who.index(),
        org.medledger.core.protocol.AccessLog.What.CASE_FILE_PDF, "");
  }

  private final java.math.BigInteger custodianA = scalar(), custodianB = scalar();

  private java.math.BigInteger scalar() {
    byte[] d = new byte[48];
    random.nextBytes(d);
    return org.medledger.core.crypto.P256.scalarFrom(d);
  }

  private org.medledger.core.record.EscrowRecord escrow(Actor who, Opened o, Siff.Built b) {
    return org.medledger.core.protocol.EmergencyEscrow.seal(b.key(), o.kappa0(), b.tag(), who.index(),
        org.medledger.core.crypto.P256.encodeCompressed(org.medledger.core.crypto.P256.publicPoint(custodianA)),
        org.medledger.core.crypto.P256.encodeCompressed(org.medledger.core.crypto.P256.publicPoint(custodianB)), random);
  }

  @Test
  void r14OnlyThePatientAllowsEmergencyAccessAndOnlyForThePinnedKey() {
    Opened o = open();
    Siff.Built b = answerAllAndBuild(o);
    refused(patient, escrow(patient, o, b), "R14", "not established");
    store(doctor, txd(o, b, 1));
    refused(family, escrow(family, o, b), "R14", "only the treatment's patient");
    refused(doctor, escrow(doctor, o, b), "R14", "only the treatment's patient");
    refused(doctor, escrow(patient, o, b), "R14", "only the treatment's patient");
    Siff.Built other = TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), latest(o), random);
    refused(patient, escrow(patient, o, other), "R14", "another key");
    String k = store(patient, escrow(patient, o, b));
    assertThat(lastEvent().recipients()).containsExactlyInAnyOrder(patient.index(), family.index());
    assertThat(state.committed).containsKey(state.compositeKey("ML-X", Bytes.hex(o.kappa0())));
    assertThat(state.committed).containsKey(state.compositeKey("ML-T", Bytes.hex(o.kappa0()), "escrow", k));
  }

  private org.medledger.core.record.EmergencyRecord emergency(Actor who, Opened o) {
    byte[] request = new byte[16];
    random.nextBytes(request);
    return new org.medledger.core.record.EmergencyRecord(o.kappa0(), who.index(), 1, request);
  }

  @Test
  void r12EveryMemberOfTheKeyLogsTheirOwnAccessAndThePatientAndFamilyAreTold() {
    Opened o = open();
    Siff.Built b = answerAllAndBuild(o);
    refused(lawyer, access(lawyer, o, b), "R12", "not established");
    store(doctor, txd(o, b, 1));
    for (Actor a : List.of(lawyer, patient, family, doctor, insurer, pharmacist)) {
      String k = store(a, access(a, o, b));
      EventPayload e = lastEvent();
      assertThat(e.recordType()).isEqualTo(RecordType.ACCESS);
      assertThat(e.recipients()).containsExactlyInAnyOrder(patient.index(), family.index());
      assertThat(state.committed).containsKey(state.compositeKey("ML-T", Bytes.hex(o.kappa0()), "access", k));
    }
    assertThat(new Queries(state).treatment(Bytes.hex(o.kappa0()))).extracting(Queries.Entry::type)
        .filteredOn(t -> t == RecordType.ACCESS).hasSize(6);
  }

  @Test
  void r12NobodyElseAndNoOneForAnotherAndOnlyUnderThePinnedKey() {
    Opened o = open();
    Siff.Built b = answerAllAndBuild(o);
    store(doctor, txd(o, b, 1));
    // A registered doctor who is no member and has no justification.
    refused(outsiderDoctor, access(outsiderDoctor, o, b), "R12", "no emergency justification");
    // The lawyer's record submitted by the insurer.
    refused(insurer, access(lawyer, o, b), "R12", "only their own access");
    // A family member's key under another certificate role.
    Actor impostor = new Actor("impostor", Role.FAMILY);
    refused(impostor, access(impostor, o, b), "R12", "no emergency justification");
    // Sealed under another tag than the pinned one.
    Siff.Built other = TreatmentProtocol.buildKey(doctor.sigma, o.txtc(), o.kappa0(), latest(o), random);
    refused(lawyer, access(lawyer, o, other), "R12", "another key");
  }

  private List<Txtr> latest(Opened o) {
    List<Txtr> out = new ArrayList<>();
    for (var e : new Queries(state).treatment(Bytes.hex(o.kappa0()))) {
      if (e.type() == RecordType.TXTR) out.add((Txtr) RecordCodec.parse(state.committed.get(e.kappa())));
    }
    return out;
  }

  @Test
  void r13AJustifiedOutsiderDoctorIsAnnouncedToEveryMemberThenMayLogReading() {
    Opened o = open();
    Siff.Built b = answerAllAndBuild(o);
    refused(outsiderDoctor, emergency(outsiderDoctor, o), "R13", "not established");
    store(doctor, txd(o, b, 1));
    refused(outsiderDoctor, emergency(outsiderDoctor, o), "R13", "has not allowed emergency access");
    store(patient, escrow(patient, o, b));
    refused(doctor, emergency(doctor, o), "R13", "is a member");
    refused(lawyer, emergency(lawyer, o), "R13", "only a doctor");
    Actor unregistered = new Actor("unregistered doctor", Role.DOCTOR);
    refused(unregistered, emergency(unregistered, o), "R13", "not registered");
    refused(insurer, emergency(outsiderDoctor, o), "R13", "not the submitter's");
    String k = store(outsiderDoctor, emergency(outsiderDoctor, o));
    EventPayload e = lastEvent();
    assertThat(e.recordType()).isEqualTo(RecordType.EMERGENCY);
    assertThat(e.recipients()).containsExactlyInAnyOrder(patient.index(), family.index(), doctor.index(),
        pharmacist.index(), insurer.index(), lawyer.index());
    String k0 = Bytes.hex(o.kappa0());
    assertThat(new String(state.committed.get(state.compositeKey("ML-J", k0, Bytes.hex(Bytes.u64(outsiderDoctor.index())))),
        StandardCharsets.US_ASCII)).startsWith(k + "|");
    assertThat(state.committed).containsKey(state.compositeKey("ML-T", k0, "glass", k));
    // Once justified, the doctor may log his emergency reading (with the key released to him).
    store(outsiderDoctor, access(outsiderDoctor, o, b));
    // A second justification while the first is current is refused: nothing to gain, only noise.
    refused(outsiderDoctor, emergency(outsiderDoctor, o), "R13", "already has emergency access");
    // After 24 hours the justification no longer covers reading.
    state.clockStep = 24L * 3600 * 1000 + 1;
    state.begin();
    state.commit();
    state.clockStep = 1;
    refused(outsiderDoctor, access(outsiderDoctor, o, b), "R12", "expired");
  }

  @Test
  void r13IsRateLimitedPerDoctorAndPerTreatmentInAnyTwentyFourHours() {
    List<Opened> treatments = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Opened o = open();
      Siff.Built b = answerAllAndBuild(o);
      store(doctor, txd(o, b, 1));
      store(patient, escrow(patient, o, b));
      treatments.add(o);
    }
    for (int i = 0; i < 3; i++) store(outsiderDoctor, emergency(outsiderDoctor, treatments.get(i)));
    refused(outsiderDoctor, emergency(outsiderDoctor, treatments.get(3)), "R13", "3 times in the last 24 hours");
    // Per treatment: three other doctors, then a fourth is refused.
    Opened busy = treatments.get(3);
    for (int i = 0; i < 3; i++) {
      Actor d = new Actor("er doctor " + i, Role.DOCTOR);
      store(d, registration(d));
      store(d, emergency(d, busy));
    }
    Actor late = new Actor("late doctor", Role.DOCTOR);
    store(late, registration(late));
    refused(late, emergency(late, busy), "R13", "opened in an emergency 3 times");
    // A day later the windows are empty again.
    state.clockStep = 24L * 3600 * 1000;
    state.begin();
    state.commit();
    state.clockStep = 1;
    store(late, emergency(late, busy));
    store(outsiderDoctor, emergency(outsiderDoctor, treatments.get(3)));
  }
}
