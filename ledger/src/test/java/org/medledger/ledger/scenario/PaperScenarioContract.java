package org.medledger.ledger.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.protocol.ConsentWithdrawal;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.CertificateAttributes;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Withdrawal;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.InMemoryCheckpoint;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.scenario.PaperScenario.Participant;

/**
 * The paper's whole scenario against a ledger running the MedLedger chaincode. One scenario,
 * two ledgers: the embedded ledger runs it here; a Fabric network runs the same class.
 */
public abstract class PaperScenarioContract {
  protected final SecureRandom random = new SecureRandom();

  /** The ledger under test, empty, running the MedLedger chaincode. */
  protected abstract LedgerGateway ledger();

  protected abstract PaperScenario.Enrollment enrollment();

  @Test
  public void thePapersScenarioRunsOnTheLedgerAndEventsReachExactlyTheRightParticipants() throws Exception {
    LedgerGateway ledger = ledger();
    MedLedgerClient client = new MedLedgerClient(ledger);
    PaperScenario scenario = new PaperScenario(client, enrollment(), random);

    Participant patient = scenario.participant("Pat Patient", Role.PATIENT, "HospitalMSP");
    Participant family = scenario.participant("Fay Family", Role.FAMILY, "HospitalMSP");
    Participant doctor = scenario.participant("Dr Dora", Role.DOCTOR, "HospitalMSP");
    Participant pharmacist = scenario.participant("Phil Pharma", Role.PHARMACIST, "PharmacyMSP");
    Participant insurer = scenario.participant("Ian Insurer", Role.INSURER, "InsurerMSP");
    Participant lawyer = scenario.participant("Lou Lawyer", Role.LAWYER, "LawFirmMSP");
    Participant outsider = scenario.participant("Otto Outsider", Role.LAWYER, "LawFirmMSP");

    List<ChaincodeEvent> events = new CopyOnWriteArrayList<>();
    EventSubscription sub = ledger.subscribe(lawyer.identity(), 0, new InMemoryCheckpoint(), events::add);

    byte[] message = "diagnosis and treatment, under 32 B".getBytes(StandardCharsets.UTF_8);
    PaperScenario.Treatment t = scenario.run(new PaperScenario.Selection(patient, doctor, List.of(family),
        List.of(pharmacist), List.of(insurer), List.of(lawyer)), message);
    // registrations (5) + txtc + 5 txtr + txd + txm + txa
    assertThat(t.proposals()).isEqualTo(1 + 5 + 3);

    // The patient dies: σ_p is destroyed. Family and lawyer still read every record.
    patient.secret().close();
    for (Participant reader : List.of(family, lawyer)) {
      List<byte[]> read = scenario.readAll(reader, t.kappa0());
      assertThat(read).hasSize(3);
      assertThat(read).allSatisfy(m -> assertThat(m).isEqualTo(message));
    }
    // Someone who was not selected cannot decrypt.
    MedLedgerClient.TreatmentEntry txd = client.treatment(outsider.identity(), t.kappa0()).stream()
        .filter(e -> e.type() == RecordType.TXD).findFirst().orElseThrow();
    ProcessRecord rec = (ProcessRecord) client.getRecord(outsider.identity(), Bytes.unhex(txd.kappaHex())).orElseThrow();
    assertThatThrownBy(() -> TreatmentProtocol.read(outsider.secret(), rec))
        .isInstanceOf(AuthenticationFailedException.class);

    // A txd from someone who is not the doctor travels back as a clear refusal; nothing changes.
    long height = ledger.height();
    ProcessRecord forged = new ProcessRecord(RecordType.TXD, t.kappa0(), pharmacist.index(), rec.others(), 9,
        rec.tag(), rec.ciphertext());
    assertThatThrownBy(() -> client.store(pharmacist.identity(), forged))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("R6");
    assertThat(ledger.height()).isEqualTo(height);

    // Events: each participant's inbox holds exactly the records the paper's Table 3 sends them.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int expectedEvents = 5 + 1 + 5 + 3; // 4 registrations + outsider's + txtc + txtrs + process
    while (events.size() < expectedEvents && System.nanoTime() < deadline) Thread.sleep(20);
    sub.close();
    assertThat(events).hasSize(expectedEvents);
    Map<Long, List<RecordType>> inbox = new HashMap<>();
    for (ChaincodeEvent e : events) {
      assertThat(e.eventName()).isEqualTo(EventPayload.EVENT_NAME);
      EventPayload p = RecordCodec.parseEvent(e.payload());
      for (long r : p.recipients()) inbox.computeIfAbsent(r, k -> new ArrayList<>()).add(p.recordType());
    }
    assertThat(inbox.get(patient.index())).containsExactlyInAnyOrder(RecordType.TXTC, RecordType.TXD, RecordType.TXM, RecordType.TXA);
    assertThat(inbox.get(doctor.index())).containsExactlyInAnyOrder(RecordType.TXTC,
        RecordType.TXTR, RecordType.TXTR, RecordType.TXTR, RecordType.TXTR, RecordType.TXTR);
    assertThat(inbox.get(pharmacist.index())).containsExactlyInAnyOrder(RecordType.TXTC, RecordType.TXD);
    assertThat(inbox.get(insurer.index())).containsExactlyInAnyOrder(RecordType.TXTC, RecordType.TXM);
    assertThat(inbox.get(family.index())).containsExactly(RecordType.TXTC);
    assertThat(inbox.get(lawyer.index())).containsExactly(RecordType.TXTC);
    assertThat(inbox).doesNotContainKey(outsider.index());
    // Events come in ledger order.
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).blockNumber()).isGreaterThanOrEqualTo(events.get(i - 1).blockNumber());
    }
  }

  /**
   * Issue 16, members change mid-treatment: the patient replaces the pharmacist; the new one
   * answers, the doctor sets up the next key epoch; the old pharmacist reads only up to the change,
   * the new one reads everything (docs/protocol.md §Key epochs).
   */
  @Test
  public void aPharmacistReplacedMidTreatmentReadsOnlyUpToTheChangeAndTheNewOneReadsEverything() {
    LedgerGateway ledger = ledger();
    MedLedgerClient client = new MedLedgerClient(ledger);
    PaperScenario scenario = new PaperScenario(client, enrollment(), random);
    Participant patient = scenario.participant("Pia Patient", Role.PATIENT, "HospitalMSP");
    Participant doctor = scenario.participant("Dr Dan", Role.DOCTOR, "HospitalMSP");
    Participant oldPharmacist = scenario.participant("Olga Old-Pharma", Role.PHARMACIST, "PharmacyMSP");
    Participant newPharmacist = scenario.participant("Nina New-Pharma", Role.PHARMACIST, "PharmacyMSP");
    Participant lawyer = scenario.participant("Lea Lawyer", Role.LAWYER, "LawFirmMSP");
    byte[] before = "before the change".getBytes(StandardCharsets.UTF_8);
    PaperScenario.Treatment t = scenario.run(new PaperScenario.Selection(patient, doctor, List.of(),
        List.of(oldPharmacist), List.of(), List.of(lawyer)), before);
    byte[] k0 = t.kappa0();
    Txtc txtc = (Txtc) client.getRecord(doctor.identity(), k0).orElseThrow();

    // The patient signs the change with her key of the treatment (R10).
    org.medledger.core.record.MemberChange change = org.medledger.core.protocol.epoch.MemberChanges.change(
        patient.secret(), txtc.consent(), k0, 1, new org.medledger.core.protocol.epoch.MemberChanges.Request(List.of(),
            List.of(), List.of(), List.of(newPharmacist.index()), List.of(oldPharmacist.index())));
    byte[] changeKappa = client.store(patient.identity(), change).kappa();
    // The newcomer answers as at the start (R5); the doctor builds and pins the next key (R11).
    client.store(newPharmacist.identity(), org.medledger.core.protocol.epoch.KeyEpochs.respond(
        newPharmacist.secret(), newPharmacist.index(), txtc, k0, change));
    List<org.medledger.core.record.Txtr> answers = new ArrayList<>();
    for (MedLedgerClient.TreatmentEntry e : client.treatment(doctor.identity(), k0)) {
      if (e.type() == RecordType.TXTR) {
        answers.add((org.medledger.core.record.Txtr) client.getRecord(doctor.identity(), Bytes.unhex(e.kappaHex())).orElseThrow());
      }
    }
    org.medledger.core.protocol.epoch.MemberSet next =
        org.medledger.core.protocol.epoch.MemberSet.initial(txtc.consent(), List.of()).apply(change);
    org.medledger.core.crypto.Siff.Built built = org.medledger.core.protocol.epoch.KeyEpochs.buildKey(doctor.secret(),
        txtc, k0, next, TreatmentProtocol.latestAnswers(answers), random);
    client.store(doctor.identity(), org.medledger.core.protocol.epoch.KeyEpochs.epochRecord(doctor.secret(), txtc, k0,
        change, changeKappa, built, List.of(t.tag()), random));
    byte[] after = "after the change".getBytes(StandardCharsets.UTF_8);
    client.store(doctor.identity(), org.medledger.core.protocol.epoch.KeyEpochs.write(RecordType.TXD, k0, built.tag(),
        built.key(), next, doctor.index(), 2, after));
    client.store(newPharmacist.identity(), org.medledger.core.protocol.epoch.KeyEpochs.write(RecordType.TXM, k0,
        built.tag(), built.key(), next, newPharmacist.index(), 1, after));
    // Nothing more from the old pharmacist.
    long height = ledger.height();
    assertThatThrownBy(() -> client.store(oldPharmacist.identity(), org.medledger.core.protocol.epoch.KeyEpochs.write(
        RecordType.TXM, k0, t.tag(), TreatmentProtocol.recoverKey(oldPharmacist.secret(), k0, t.tag()),
        org.medledger.core.protocol.epoch.MemberSet.initial(txtc.consent(), List.of()), oldPharmacist.index(), 2, after)))
        .isInstanceOf(LedgerException.class).hasMessageContaining("R6");
    assertThat(ledger.height()).isEqualTo(height);

    assertThat(readWithEpochs(client, oldPharmacist, k0)).containsExactly("before the change", "before the change", "-", "-");
    for (Participant reader : List.of(newPharmacist, lawyer, patient)) {
      assertThat(readWithEpochs(client, reader, k0)).as(reader.name())
          .containsExactly("before the change", "before the change", "after the change", "after the change");
    }
  }

  /** Every process record of a treatment as {@code reader} opens it with σ alone ("-" if not). */
  private static List<String> readWithEpochs(MedLedgerClient client, Participant reader, byte[] k0) {
    List<ProcessRecord> records = new ArrayList<>();
    List<org.medledger.core.record.KeyEpoch> epochs = new ArrayList<>();
    for (MedLedgerClient.TreatmentEntry e : client.treatment(reader.identity(), k0)) {
      var r = client.getRecord(reader.identity(), Bytes.unhex(e.kappaHex())).orElseThrow();
      if (r instanceof ProcessRecord p) records.add(p);
      if (r instanceof org.medledger.core.record.KeyEpoch ep) epochs.add(ep);
    }
    epochs.sort(java.util.Comparator.comparingInt(org.medledger.core.record.KeyEpoch::epoch));
    org.medledger.core.crypto.SiffTag tag0 = org.medledger.core.crypto.SiffTag.parse(records.get(0).tag());
    List<String> out = new ArrayList<>();
    try (var ring = org.medledger.core.protocol.epoch.KeyRing.of(reader.secret(), k0, tag0, epochs)) {
      for (ProcessRecord p : records) {
        try {
          out.add(new String(ring.read(p), StandardCharsets.UTF_8));
        } catch (AuthenticationFailedException e) {
          out.add("-");
        }
      }
    }
    return out;
  }

  @Test
  public void anOrganisationVouchesOnlyForTheProfessionThePolicyGivesItWithTheNameAndInstitutionItsCaSigned()
      throws Exception {
    MedLedgerClient client = new MedLedgerClient(ledger());
    PaperScenario.Enrollment enrollment = enrollment();
    PaperScenario scenario = new PaperScenario(client, enrollment, random);
    // The finding: a doctor certificate from LawFirmMSP was accepted.
    assertThatThrownBy(() -> scenario.participant("Dr Fake", Role.DOCTOR, "LawFirmMSP"))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("R3")
        .hasMessageContaining("LawFirmMSP may not vouch for doctors");
    // A doctor certificate of the hospital without the name and institution its CA vouches for.
    UserSecret sigma = UserSecret.generate(random);
    LedgerIdentity plain = enrollment.enroll("Dr Plain", Role.DOCTOR, "HospitalMSP", sigma.signingKeyPair().toJca(),
        null, null);
    assertThatThrownBy(() -> client.store(plain, new Registration(Role.DOCTOR,
        ParticipantIndex.of(sigma.signingKeyPair().publicKey()), plain.certificate().getEncoded())))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("no medledger.name attribute");

    Participant doctor = scenario.participant("Dr Dóra Weiß", Role.DOCTOR, "HospitalMSP");
    Registration registered = client.participant(doctor.identity(), doctor.index()).orElseThrow();
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(registered.certificateDer()));
    assertThat(CertificateAttributes.of(cert))
        .containsEntry(CertificateAttributes.NAME, "Dr Dóra Weiß")
        .containsEntry(CertificateAttributes.INSTITUTION, "Hospital")
        .containsEntry(CertificateAttributes.ROLE, "doctor");
  }
  /**
   * The directory search (docs/protocol.md §Directory search) on this ledger: pages of a bounded
   * size that together hold every match once, each filter, and refusals of a bad page size and of
   * a changed bookmark. The names carry a random tag: a Fabric network keeps earlier runs'
   * registrations.
   */
  @Test
  public void theDirectoryIsSearchedInBoundedPagesByRoleNameInstitutionAndIndex() {
    MedLedgerClient client = new MedLedgerClient(ledger());
    PaperScenario scenario = new PaperScenario(client, enrollment(), random);
    String tag = "Dirsearch" + Bytes.hex(random.generateSeed(4));
    List<Participant> doctors = new ArrayList<>();
    for (int k = 0; k < 4; k++) doctors.add(scenario.participant(tag + " Doctor " + k, Role.DOCTOR, "HospitalMSP"));
    List<Participant> pharmacists = List.of(scenario.participant(tag + " Pharmacist 0", Role.PHARMACIST, "PharmacyMSP"),
        scenario.participant(tag + " Pharmacist 1", Role.PHARMACIST, "PharmacyMSP"));
    Participant lawyer = scenario.participant(tag + " Lawyer", Role.LAWYER, "LawFirmMSP");
    List<Participant> everyone = new ArrayList<>(doctors);
    everyone.addAll(pharmacists);
    everyone.add(lawyer);
    LedgerIdentity reader = lawyer.identity();

    // By name prefix (case ignored), every role, three at a time: 3 + 3 + 1, each once.
    List<MedLedgerClient.DirectoryPage> pages =
        pages(client, reader, new MedLedgerClient.DirectorySearch(null, tag.toUpperCase(), "", "", 3));
    assertThat(pages).extracting(p -> p.registrations().size()).containsExactly(3, 3, 1);
    assertThat(indexes(pages)).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(everyone.stream().map(Participant::index).toList());
    // By role and name.
    assertThat(indexes(pages(client, reader, MedLedgerClient.DirectorySearch.byName(Role.DOCTOR, tag, 0))))
        .containsExactlyInAnyOrderElementsOf(doctors.stream().map(Participant::index).toList());
    // By institution (the organisation's CA signed "Pharmacy") and name.
    assertThat(indexes(pages(client, reader, new MedLedgerClient.DirectorySearch(null, tag, "pharm", "", 0))))
        .containsExactlyInAnyOrderElementsOf(pharmacists.stream().map(Participant::index).toList());
    // By index, whole or its first digits.
    String hex = ParticipantIndex.hex(lawyer.index());
    assertThat(indexes(pages(client, reader, new MedLedgerClient.DirectorySearch(null, "", "", hex, 0))))
        .containsExactly(lawyer.index());
    assertThat(indexes(pages(client, reader, new MedLedgerClient.DirectorySearch(Role.LAWYER, "", "", hex.substring(0, 6), 50))))
        .contains(lawyer.index());

    assertThatThrownBy(() -> client.searchParticipants(reader, MedLedgerClient.DirectorySearch.byName(null, tag, 51), ""))
        .isInstanceOfSatisfying(LedgerException.class, e -> {
          assertThat(e.kind()).isEqualTo(LedgerException.Kind.REJECTED);
          assertThat(e.getMessage()).contains("Q0: the page size must be a number from 1 to 50");
        });
    String bookmark = pages.get(0).bookmark();
    String changed = (bookmark.startsWith("M") ? "N" : "M") + bookmark.substring(1);
    assertThatThrownBy(() -> client.searchParticipants(reader,
        new MedLedgerClient.DirectorySearch(null, tag, "", "", 3), changed))
        .isInstanceOfSatisfying(LedgerException.class, e -> {
          assertThat(e.kind()).isEqualTo(LedgerException.Kind.REJECTED);
          assertThat(e.getMessage()).contains("Q5: ");
        });
  }

  private static List<MedLedgerClient.DirectoryPage> pages(MedLedgerClient client, LedgerIdentity reader,
      MedLedgerClient.DirectorySearch search) {
    List<MedLedgerClient.DirectoryPage> out = new ArrayList<>();
    String bookmark = "";
    do {
      MedLedgerClient.DirectoryPage p = client.searchParticipants(reader, search, bookmark);
      out.add(p);
      bookmark = p.bookmark();
      assertThat(out).as("pages").hasSizeLessThan(100);
    } while (!bookmark.isEmpty());
    return out;
  }

  private static List<Long> indexes(List<MedLedgerClient.DirectoryPage> pages) {
    return pages.stream().flatMap(p -> p.registrations().stream()).map(Registration::index).toList();
  }

  /**
   * The consent's life (issue 13): the patient withdraws a consent no doctor used, and the
   * doctor's txtc for it is refused with R4's reason; a used consent is found by its id (a second
   * scan opens the same treatment) and can no longer be withdrawn; a txtc and a withdrawal sent
   * at the same moment leave exactly one of them on the ledger (Fabric: MVCC on ML-C / ML-W).
   */
  @Test
  public void aWithdrawnConsentOpensNothingAndAUsedOneIsFoundByItsId() throws Exception {
    LedgerGateway ledger = ledger();
    MedLedgerClient client = new MedLedgerClient(ledger);
    PaperScenario scenario = new PaperScenario(client, enrollment(), random);
    Participant patient = scenario.participant("Wanda Withdraws", Role.PATIENT, "HospitalMSP");
    Participant doctor = scenario.participant("Dr Walter", Role.DOCTOR, "HospitalMSP");

    Consent first = consent(patient, doctor);
    Withdrawal w = ConsentWithdrawal.withdraw(patient.secret(), first);
    MedLedgerClient.Stored withdrawn = client.store(patient.identity(), w);
    assertThat(client.store(patient.identity(), w).kappaHex()).as("withdrawing twice").isEqualTo(withdrawn.kappaHex());
    MedLedgerClient.ConsentUse use = client.byConsent(doctor.identity(), first.consentId());
    assertThat(use.treatment()).isEmpty();
    assertThat(use.withdrawnBy(first.patientKey())).hasValueSatisfying(x -> {
      assertThat(x.kappaHex()).isEqualTo(withdrawn.kappaHex());
      assertThat(x.timeMillis()).isPositive();
    });
    long height = ledger.height();
    assertThatThrownBy(() -> client.store(doctor.identity(), TreatmentProtocol.open(doctor.secret(), first)))
        .isInstanceOfSatisfying(LedgerException.class, e -> {
          assertThat(e.kind()).isEqualTo(LedgerException.Kind.REJECTED);
          assertThat(e.getMessage()).contains("R4: the patient withdrew this consent");
        });
    assertThat(ledger.height()).isEqualTo(height);

    Consent second = consent(patient, doctor);
    Txtc txtc = TreatmentProtocol.open(doctor.secret(), second);
    MedLedgerClient.Stored opened = client.store(doctor.identity(), txtc);
    assertThat(client.byConsent(patient.identity(), second.consentId()).treatment()).contains(opened.kappaHex());
    assertThat(client.store(doctor.identity(), txtc).kappaHex()).as("the same scan again").isEqualTo(opened.kappaHex());
    assertThatThrownBy(() -> client.store(patient.identity(), ConsentWithdrawal.withdraw(patient.secret(), second)))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.getMessage()).contains("R4: this consent already opened"));
    assertThat(client.byConsent(doctor.identity(), new byte[16]).treatment()).isEmpty();

    // A scan and a withdrawal at the same moment: exactly one of them is on the ledger.
    Consent raced = consent(patient, doctor);
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      var scan = two.submit(() -> { go.await(); return client.store(doctor.identity(), TreatmentProtocol.open(doctor.secret(), raced)); });
      var take = two.submit(() -> { go.await(); return client.store(patient.identity(), ConsentWithdrawal.withdraw(patient.secret(), raced)); });
      go.countDown();
      int won = 0;
      for (var f : List.of(scan, take)) {
        try {
          f.get(60, TimeUnit.SECONDS);
          won++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(LedgerException.class);
        }
      }
      assertThat(won).isEqualTo(1);
    } finally {
      two.shutdownNow();
    }
    MedLedgerClient.ConsentUse after = client.byConsent(doctor.identity(), raced.consentId());
    assertThat(after.treatment().isPresent()).isNotEqualTo(after.withdrawnBy(raced.patientKey()).isPresent());
  }

  /**
   * Issue 16: the lawyer's case-file opening and a non-member doctor's emergency justification
   * are ledger records; the patient is told of both by events, reads what and why, and nobody
   * else may write either.
   */
  @Test
  public void theAccessLogAndBreakingTheGlassAreRecordsThePatientIsToldOf() throws Exception {
    LedgerGateway ledger = ledger();
    MedLedgerClient client = new MedLedgerClient(ledger);
    PaperScenario scenario = new PaperScenario(client, enrollment(), random);
    Participant patient = scenario.participant("Ada Access", Role.PATIENT, "HospitalMSP");
    Participant doctor = scenario.participant("Dr Ali", Role.DOCTOR, "HospitalMSP");
    Participant lawyer = scenario.participant("Lena Law", Role.LAWYER, "LawFirmMSP");
    Participant er = scenario.participant("Dr Emma Emergency", Role.DOCTOR, "HospitalMSP");
    Participant stranger = scenario.participant("Sam Stranger", Role.LAWYER, "LawFirmMSP");
    PaperScenario.Treatment t = scenario.run(new PaperScenario.Selection(patient, doctor, List.of(), List.of(),
        List.of(), List.of(lawyer)), "note".getBytes(StandardCharsets.UTF_8));
    List<ChaincodeEvent> events = new CopyOnWriteArrayList<>();
    EventSubscription sub = ledger.subscribe(patient.identity(), ledger.height(), new InMemoryCheckpoint(), events::add);

    var opened = org.medledger.core.protocol.AccessLog.seal(lawyer.secret(), t.kappa0(), t.tag(), lawyer.index(),
        org.medledger.core.protocol.AccessLog.What.CASE_FILE_PDF, "");
    client.store(lawyer.identity(), opened);
    long height = ledger.height();
    var forged = org.medledger.core.protocol.AccessLog.seal(lawyer.secret(), t.kappa0(), t.tag(), stranger.index(),
        org.medledger.core.protocol.AccessLog.What.CASE_FILE_PAGE, "");
    assertThatThrownBy(() -> client.store(stranger.identity(), forged))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.getMessage()).contains("R12"));
    assertThat(ledger.height()).isEqualTo(height);

    byte[] request = new byte[16];
    random.nextBytes(request);
    var justification = new org.medledger.core.record.EmergencyRecord(t.kappa0(), er.index(), 1, request);
    assertThatThrownBy(() -> client.store(er.identity(), justification))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.getMessage()).contains("R13: the patient has not allowed"));
    // The patient allows emergency access: her key for two custodians together (R14).
    java.math.BigInteger a = new java.math.BigInteger(250, random).add(java.math.BigInteger.ONE);
    java.math.BigInteger b = new java.math.BigInteger(250, random).add(java.math.BigInteger.TWO);
    byte[] pa = org.medledger.core.crypto.P256.encodeCompressed(org.medledger.core.crypto.P256.publicPoint(a));
    byte[] pb = org.medledger.core.crypto.P256.encodeCompressed(org.medledger.core.crypto.P256.publicPoint(b));
    var escrow = org.medledger.core.protocol.EmergencyEscrow.seal(
        org.medledger.core.protocol.TreatmentProtocol.recoverKey(patient.secret(), t.kappa0(), t.tag()), t.kappa0(), t.tag(),
        patient.index(), pa, pb, random);
    client.store(patient.identity(), escrow);
    client.store(er.identity(), justification);
    assertThatThrownBy(() -> client.store(stranger.identity(),
        new org.medledger.core.record.EmergencyRecord(t.kappa0(), stranger.index(), 1, request)))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.getMessage()).contains("R13"));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (events.size() < 3 && System.nanoTime() < deadline) Thread.sleep(20);
    sub.close();
    assertThat(events).extracting(e -> RecordCodec.parseEvent(e.payload()).recordType())
        .containsExactly(RecordType.ACCESS, RecordType.ESCROW, RecordType.EMERGENCY);
    // The justification committed: both custodians' shares open the key, and the doctor logs his reading.
    try (var key = org.medledger.core.protocol.EmergencyEscrow.open(org.medledger.core.protocol.EmergencyEscrow.share(a, escrow),
        org.medledger.core.protocol.EmergencyEscrow.share(b, escrow), escrow)) {
      client.store(er.identity(), org.medledger.core.protocol.AccessLog.seal(key, t.kappa0(), t.tag(), er.index(),
          org.medledger.core.protocol.AccessLog.What.EMERGENCY_READ, "unconscious on arrival"));
    }
    assertThat(events).allSatisfy(e -> assertThat(RecordCodec.parseEvent(e.payload()).recipients()).contains(patient.index()));

    List<MedLedgerClient.TreatmentEntry> log = client.treatment(patient.identity(), t.kappa0()).stream()
        .filter(e -> e.type() == RecordType.ACCESS || e.type() == RecordType.EMERGENCY).toList();
    assertThat(log).extracting(MedLedgerClient.TreatmentEntry::type)
        .containsExactly(RecordType.ACCESS, RecordType.EMERGENCY, RecordType.ACCESS);
    var stored = (org.medledger.core.record.AccessRecord) client.getRecord(patient.identity(),
        Bytes.unhex(log.get(0).kappaHex())).orElseThrow();
    assertThat(stored.reader()).isEqualTo(lawyer.index());
    assertThat(org.medledger.core.protocol.AccessLog.open(patient.secret(), t.tag(), stored).what())
        .isEqualTo(org.medledger.core.protocol.AccessLog.What.CASE_FILE_PDF);
  }

  private Consent consent(Participant patient, Participant doctor) {
    Consent c = TreatmentProtocol.consent(patient.secret(), List.of(), List.of(), List.of(), List.of(), doctor.index(), random);
    return RecordCodec.parseConsent(RecordCodec.encodeConsent(c)); // as the QR code carries it
  }

  /**
   * Issue 15: a member's evidence bundle of a treatment verifies with the standalone verifier
   * (without a secret, with a recovery code, with a password), and each altered byte of a
   * record, a block, a header, a certificate or a signature is named ({@link EvidenceBundleChecks}).
   */
  @Test
  public void anExportedEvidenceBundleVerifiesAndEveryAlteredByteIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    new EvidenceBundleChecks(ledger(), enrollment(), random, tmp).run();
  }

  /**
   * The answers are one round, sent at once; one the ledger refuses still fails the treatment
   * with the ledger's own reason (not an executor's wrapper), and nothing after it is written.
   */
  @Test
  public void anAnswerTheLedgerRefusesFailsTheRoundWithTheLedgersReason() {
    LedgerGateway ledger = ledger();
    MedLedgerClient client = new MedLedgerClient(ledger);
    PaperScenario scenario = new PaperScenario(client, enrollment(), random);
    String tag = Long.toHexString(random.nextLong()); // names unique on a shared Fabric channel
    Participant patient = scenario.participant("Ana " + tag, Role.PATIENT, "HospitalMSP");
    Participant doctor = scenario.participant("Dr Ben " + tag, Role.DOCTOR, "HospitalMSP");
    Participant pharmacist = scenario.participant("Cy " + tag, Role.PHARMACIST, "PharmacyMSP");
    // the consent names the registered pharmacist, but her answer arrives under someone else's
    // certificate: the txtc is accepted, then the ledger refuses that answer (R5)
    UserSecret other = UserSecret.generate(random);
    Participant impostor = new Participant("Di " + tag, Role.PHARMACIST, pharmacist.secret(),
        enrollment().enroll("Di " + tag, Role.PHARMACIST, "PharmacyMSP", other.signingKeyPair().toJca()));
    List<ChaincodeEvent> events = new CopyOnWriteArrayList<>();
    EventSubscription sub = ledger.subscribe(doctor.identity(), 0, new InMemoryCheckpoint(), events::add);

    assertThatThrownBy(() -> scenario.run(new PaperScenario.Selection(patient, doctor, List.of(),
        List.of(impostor), List.of(), List.of()), "never written".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(LedgerException.Kind.REJECTED))
        .hasMessageContaining("R5");
    // the patient's answer, sent beside the refused one, is on the ledger: its event reaches the
    // doctor (each txtr's event names the doctor); the refused one wrote nothing
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (answersTo(events, doctor) < 1 && System.nanoTime() < deadline) Thread.onSpinWait();
    sub.close();
    assertThat(answersTo(events, doctor)).as("answers the doctor was told of").isEqualTo(1);
  }

  private static long answersTo(List<ChaincodeEvent> events, Participant doctor) {
    return events.stream().map(e -> RecordCodec.parseEvent(e.payload()))
        .filter(p -> p.recordType() == RecordType.TXTR && p.recipients().contains(doctor.index())).count();
  }
}
