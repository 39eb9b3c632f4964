package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.ConsentWithdrawal;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Withdrawal;

/**
 * R4 and the withdrawal (docs/protocol.md §Rules of Store): the patient may withdraw a consent no
 * txtc used yet, only with sk_p'; a withdrawn consent opens nothing; a used one cannot be
 * withdrawn; withdrawing twice changes nothing; and a txtc and a withdrawal of one consent
 * conflict under Fabric's MVCC, so at most one of two concurrent ones commits.
 */
class WithdrawalRulesTest {
  private final SecureRandom random = new SecureRandom();
  private final InMemoryWorldState state = new InMemoryWorldState();

  /** Every GetState is a round trip to the peer: no rule reads the same key twice in one Store. */
  @AfterEach
  void noStoreReadsAKeyTwice() {
    org.assertj.core.api.Assertions.assertThat(state.readTwice).as("keys read twice in one transaction").isEmpty();
  }
  private final UserSecret patient = UserSecret.generate(random);
  private final UserSecret doctor = UserSecret.generate(random);
  private final Submitter doctorSubmitter = submitter("dr", doctor.signingKeyPair(), "doctor");
  private Consent consent;
  private Submitter patientT; // the patient under her key of this consent, vk_p'

  private static Submitter submitter(String name, EcKeyPair keys, String role) {
    return Submitter.of("TestMSP", TestCertificates.issue(name, keys.toJca()), role);
  }

  @BeforeEach
  void setUp() {
    state.begin();
    new PolicyRules(state).set(Submitter.of("TestMSP",
        TestCertificates.admin("Admin@TestMSP", UserSecret.generate(random).signingKeyPair().toJca()), null),
        StoreRulesTest.testPolicy().encode());
    state.commit();
    store(doctorSubmitter, new Registration(Role.DOCTOR, doctorSubmitter.index(), doctorSubmitter.certificateDer()));
    consent = TreatmentIdentities.consent(patient, List.of(), List.of(), List.of(), List.of(), doctorSubmitter.index(), random);
    EcKeyPair p1 = TreatmentIdentities.memberKeys(patient, Role.PATIENT, consent);
    patientT = submitter("patient-" + ParticipantIndex.hex(ParticipantIndex.of(p1.publicKey())), p1, "patient");
  }

  private String store(Submitter who, LedgerRecord r) {
    return storeRaw(who, RecordCodec.encode(r));
  }

  private String storeRaw(Submitter who, byte[] v) {
    state.begin();
    try {
      return new StoreRules(state).store(who, v);
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
    assertThat(state.committed).isEqualTo(before);
  }

  private String withdrawalKey(byte[] key) {
    return state.compositeKey("ML-W", Bytes.hex(consent.consentId()), Bytes.hex(key));
  }

  @Test
  void thePatientWithdrawsAnUnusedConsentAndTheDoctorCannotOpenIt() {
    Withdrawal w = ConsentWithdrawal.withdraw(patient, consent);
    String k = store(patientT, w);
    assertThat(k).isEqualTo(Bytes.hex(RecordCodec.kappa(RecordCodec.encode(w))));
    assertThat(state.committed.get(k)).isEqualTo(RecordCodec.encode(w));
    // ML-W[consent id, vk_p'] = κ|txid|millis; one event, to nobody (the consent names no treatment yet).
    String value = new String(state.committed.get(withdrawalKey(consent.patientKey())), StandardCharsets.US_ASCII);
    assertThat(value).matches(k + "\\|[0-9a-f]{64}\\|[0-9]+");
    EventPayload e = RecordCodec.parseEvent(state.eventPayload);
    assertThat(e.recordType()).isEqualTo(RecordType.WITHDRAWAL);
    assertThat(e.recipients()).isEmpty();
    assertThat(e.kappa0()).isEqualTo(new byte[32]);

    refused(doctorSubmitter, TreatmentProtocol.open(doctor, consent), "R4", "the patient withdrew this consent");
    Queries.ConsentUse use = new Queries(state).byConsent(Bytes.hex(consent.consentId()));
    assertThat(use.treatment()).isNull();
    assertThat(use.withdrawals()).singleElement().satisfies(x -> {
      assertThat(x.kappa()).isEqualTo(k);
      assertThat(x.patientKey()).isEqualTo(Bytes.hex(consent.patientKey()));
      assertThat(x.timeMillis()).isPositive();
    });
    assertThat(Queries.consentJson(use)).startsWith("{\"treatment\":null,\"withdrawals\":[{\"kappa\":\"" + k + "\"");
  }

  @Test
  void aBadSignatureOrAnotherSubmitterIsRefused() {
    Withdrawal w = ConsentWithdrawal.withdraw(patient, consent);
    byte[] otherId = consent.consentId().clone();
    otherId[3] ^= 1;
    refused(patientT, new Withdrawal(otherId, w.patientKey(), w.signature()), "R4", "signature");
    // A signature by the long-term key, presented as vk_p'.
    byte[] longTermSig = patient.signingKeyPair().sign(ConsentWithdrawal.signedBytes(consent.consentId()));
    refused(patientT, new Withdrawal(consent.consentId(), consent.patientKey(), longTermSig), "R4", "signature");
    // The right record, submitted by someone else (the doctor, the patient's long-term key, a family role).
    refused(doctorSubmitter, w, "R4", "only the patient");
    refused(submitter("patient-lt", patient.signingKeyPair(), "patient"), w, "R4", "only the patient");
    refused(submitter("fam", TreatmentIdentities.memberKeys(patient, Role.PATIENT, consent), "family"), w, "R4",
        "only the patient");
  }

  @Test
  void aUsedConsentCannotBeWithdrawn() {
    Txtc txtc = TreatmentProtocol.open(doctor, consent);
    String k0 = store(doctorSubmitter, txtc);
    refused(patientT, ConsentWithdrawal.withdraw(patient, consent), "R4", "already opened a treatment");
    assertThat(new Queries(state).byConsent(Bytes.hex(consent.consentId())).treatment()).isEqualTo(k0);
    assertThat(new Queries(state).byConsent(Bytes.hex(consent.consentId())).withdrawals()).isEmpty();
  }

  @Test
  void withdrawingTwiceIsFine() {
    Withdrawal w = ConsentWithdrawal.withdraw(patient, consent);
    String k = store(patientT, w);
    TreeMap<String, byte[]> after = new TreeMap<>(state.committed);
    // The same bytes again: R2, no write, no event.
    assertThat(store(patientT, w)).isEqualTo(k);
    assertThat(state.eventName).isNull();
    // Other bytes with the same meaning (ECDSA's (r, n − s) twin): the first withdrawal stands, nothing is written.
    Withdrawal twin = new Withdrawal(w.consentId(), w.patientKey(), twin(w.signature()));
    assertThat(ConsentWithdrawal.valid(twin)).isTrue();
    assertThat(store(patientT, twin)).isEqualTo(k);
    assertThat(state.eventName).isNull();
    assertThat(state.committed).isEqualTo(after);
  }

  @Test
  void someoneElsesWithdrawalDoesNotStopThePatientsTreatment() {
    // Whoever saw the QR code knows the consent id; a withdrawal under their own key is theirs, not the patient's.
    UserSecret stranger = UserSecret.generate(random);
    EcKeyPair sk = stranger.signingKeyPair();
    Withdrawal bogus = new Withdrawal(consent.consentId(), sk.publicKey(),
        sk.sign(ConsentWithdrawal.signedBytes(consent.consentId())));
    store(submitter("stranger", sk, "patient"), bogus);
    String k0 = store(doctorSubmitter, TreatmentProtocol.open(doctor, consent));
    assertThat(new Queries(state).byConsent(Bytes.hex(consent.consentId())).treatment()).isEqualTo(k0);
  }

  /**
   * Fabric endorses both against the same state, then validates them in block order: the second
   * is invalid (MVCC_READ_CONFLICT) if it read a key the first wrote. A txtc reads the patient's
   * withdrawal key, which the withdrawal writes; the withdrawal reads the consent key, which the
   * txtc writes. So whichever is ordered first wins and the other changes nothing.
   */
  @Test
  void aTxtcAndAWithdrawalOfOneConsentConflict() {
    Txtc txtc = TreatmentProtocol.open(doctor, consent);
    Withdrawal w = ConsentWithdrawal.withdraw(patient, consent);
    state.begin();
    new StoreRules(state).store(doctorSubmitter, RecordCodec.encode(txtc));
    Set<String> txtcReads = new HashSet<>(state.reads);
    Set<String> txtcWrites = state.writeSet();
    state.abort();
    state.begin();
    new StoreRules(state).store(patientT, RecordCodec.encode(w));
    Set<String> wReads = new HashSet<>(state.reads);
    Set<String> wWrites = state.writeSet();
    state.abort();
    String consentKey = state.compositeKey("ML-C", Bytes.hex(consent.consentId()));
    String withdrawnKey = withdrawalKey(consent.patientKey());
    assertThat(txtcReads).contains(withdrawnKey);
    assertThat(wWrites).contains(withdrawnKey);
    assertThat(wReads).contains(consentKey);
    assertThat(txtcWrites).contains(consentKey);
  }

  /** The same signature with s replaced by n − s: valid too, other bytes. */
  private static byte[] twin(byte[] der) {
    ASN1Sequence seq = ASN1Sequence.getInstance(der);
    BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
    BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
    try {
      return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
          new ASN1Integer(r), new ASN1Integer(P256.DOMAIN.getN().subtract(s))}).getEncoded();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
