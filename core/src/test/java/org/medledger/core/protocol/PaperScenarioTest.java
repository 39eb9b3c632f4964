package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.medledger.core.crypto.Argon2Params;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.junit.jupiter.api.Test;

/**
 * The paper's scenario in plain Java: patient, family member, doctor, pharmacist, insurer and
 * lawyer; every record goes through the canonical encoding as it would through the ledger.
 */
class PaperScenarioTest {
  private final SecureRandom random = new SecureRandom();

  /** A participant as their portal would hold them: σ wrapped under their password. */
  private record Person(String name, byte[] wrapped, char[] password, long index, byte[] publicKey) {
    UserSecret unlock() {
      return PasswordWrap.unwrap(wrapped, password);
    }
  }

  private Person register(String name) {
    try (UserSecret s = UserSecret.generate(random)) {
      char[] pw = ("pw-of-" + name).toCharArray();
      byte[] vk = s.signingKeyPair().publicKey();
      return new Person(name, PasswordWrap.wrap(s, pw, Argon2Params.TEST_ONLY, random), pw,
          ParticipantIndex.of(vk), vk);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends LedgerRecord> T viaLedger(T r) {
    return (T) RecordCodec.parse(RecordCodec.encode(r));
  }

  @Test
  void everySelectedParticipantDerivesTheKeyAndReadsEveryRecordEvenAfterThePatientIsGone() {
    Person patient = register("patient");
    Person family = register("family");
    Person doctor = register("doctor");
    Person pharmacist = register("pharmacist");
    Person insurer = register("insurer");
    Person lawyer = register("lawyer");
    Person outsider = register("outsider");

    Consent consent;
    try (UserSecret p = patient.unlock()) {
      consent = TreatmentProtocol.consent(p, List.of(family.publicKey()), List.of(insurer.index()),
          List.of(lawyer.index()), List.of(pharmacist.index()), doctor.index(), random);
    }
    consent = RecordCodec.parseConsent(RecordCodec.encodeConsent(consent)); // through the QR code
    Txtc txtc;
    try (UserSecret d = doctor.unlock()) {
      txtc = viaLedger(TreatmentProtocol.open(d, consent));
    }
    byte[] kappa0 = RecordCodec.kappa(RecordCodec.encode(txtc));

    List<Txtr> responses = new ArrayList<>();
    for (Person x : List.of(patient, family, pharmacist, insurer, lawyer)) {
      try (UserSecret s = x.unlock()) {
        responses.add(viaLedger(TreatmentProtocol.respond(s, x.index(), txtc, kappa0)));
      }
    }
    Siff.Built built;
    try (UserSecret d = doctor.unlock()) {
      built = TreatmentProtocol.buildKey(d, txtc, kappa0, responses, random);
    }
    assertThat(built.tag().members()).isEqualTo(6);

    // Each member derives the same key on their own.
    for (Person x : List.of(patient, family, doctor, pharmacist, insurer, lawyer)) {
      try (UserSecret s = x.unlock(); SiffKey k = TreatmentProtocol.recoverKey(s, kappa0, built.tag())) {
        assertThat(k.sameAs(built.key())).as(x.name()).isTrue();
      }
    }

    ProcessRecord txd = viaLedger(TreatmentProtocol.write(RecordType.TXD, txtc, kappa0, built.tag(), built.key(),
        doctor.index(), 1, "diagnosis: appendicitis".getBytes(StandardCharsets.UTF_8)));
    SiffTag tag = SiffTag.parse(txd.tag());
    ProcessRecord txm;
    try (UserSecret m = pharmacist.unlock(); SiffKey k = TreatmentProtocol.recoverKey(m, kappa0, tag)) {
      txm = viaLedger(TreatmentProtocol.write(RecordType.TXM, txtc, kappa0, tag, k, pharmacist.index(), 1,
          "amoxicillin 3x500mg, 42 EUR".getBytes(StandardCharsets.UTF_8)));
    }
    ProcessRecord txa;
    try (UserSecret a = insurer.unlock(); SiffKey k = TreatmentProtocol.recoverKey(a, kappa0, tag)) {
      txa = viaLedger(TreatmentProtocol.write(RecordType.TXA, txtc, kappa0, tag, k, insurer.index(), 1,
          "compensation 80%".getBytes(StandardCharsets.UTF_8)));
    }

    // The patient dies: their σ is destroyed. Family and lawyer still read everything.
    patient = null;
    for (Person reader : List.of(family, lawyer)) {
      try (UserSecret s = reader.unlock()) {
        assertThat(new String(TreatmentProtocol.read(s, txd), StandardCharsets.UTF_8)).isEqualTo("diagnosis: appendicitis");
        assertThat(new String(TreatmentProtocol.read(s, txm), StandardCharsets.UTF_8)).startsWith("amoxicillin");
        assertThat(new String(TreatmentProtocol.read(s, txa), StandardCharsets.UTF_8)).isEqualTo("compensation 80%");
      }
    }
    // Someone not selected cannot.
    try (UserSecret s = outsider.unlock()) {
      assertThatThrownBy(() -> TreatmentProtocol.read(s, txd)).isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> TreatmentProtocol.respond(s, outsider.index(), txtc, kappa0))
          .hasMessageContaining("not selected");
    }
  }
}
