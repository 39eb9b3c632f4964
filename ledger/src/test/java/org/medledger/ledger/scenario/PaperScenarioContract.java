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
}
