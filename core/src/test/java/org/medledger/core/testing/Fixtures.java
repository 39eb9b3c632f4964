package org.medledger.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.ConsentWithdrawal;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.core.record.Withdrawal;

/** One small treatment (patient, family member, doctor, pharmacist, insurer, lawyer) built without Argon2. */
public final class Fixtures {
  public final UserSecret patient;
  public final UserSecret family;
  public final UserSecret doctor;
  public final UserSecret pharmacist;
  public final UserSecret insurer;
  public final UserSecret lawyer;
  public final Consent consent;
  public final Txtc txtc;
  public final byte[] kappa0;
  public final List<Txtr> txtrs = new ArrayList<>();
  public final Siff.Built built;
  public final ProcessRecord txd;
  public final ProcessRecord txm;
  public final ProcessRecord txa;
  public final Registration registration;
  public final EventPayload event;
  /** The doctor's key record for a key built without the lawyer (drawn after everything else). */
  public final Txk txk;
  /** The patient's withdrawal of the consent (deterministic: no draw). */
  public final Withdrawal withdrawal;

  public Fixtures(String seed) {
    DeterministicRandom r = new DeterministicRandom(seed);
    patient = UserSecret.generate(r);
    family = UserSecret.generate(r);
    doctor = UserSecret.generate(r);
    pharmacist = UserSecret.generate(r);
    insurer = UserSecret.generate(r);
    lawyer = UserSecret.generate(r);
    consent = TreatmentProtocol.consent(patient, List.of(family.signingKeyPair().publicKey()), List.of(index(insurer)),
        List.of(index(lawyer)), List.of(index(pharmacist)), index(doctor), r);
    txtc = TreatmentProtocol.open(doctor, consent);
    kappa0 = RecordCodec.kappa(RecordCodec.encode(txtc));
    for (UserSecret x : List.of(patient, family, pharmacist, insurer, lawyer)) {
      txtrs.add(TreatmentProtocol.respond(x, index(x), txtc, kappa0));
    }
    built = TreatmentProtocol.buildKey(doctor, txtc, kappa0, txtrs, r);
    txd = TreatmentProtocol.write(RecordType.TXD, txtc, kappa0, built.tag(), built.key(), index(doctor), 1,
        utf8("diagnosis: appendicitis"));
    txm = TreatmentProtocol.write(RecordType.TXM, txtc, kappa0, built.tag(), built.key(), index(pharmacist), 1,
        utf8("amoxicillin"));
    txa = TreatmentProtocol.write(RecordType.TXA, txtc, kappa0, built.tag(), built.key(), index(insurer), 1,
        utf8("compensation 80%"));
    byte[] cert = new byte[300];
    r.nextBytes(cert);
    cert[0] = 0x30;
    registration = new Registration(Role.DOCTOR, index(doctor), cert);
    event = new EventPayload(RecordType.TXD, RecordCodec.kappa(RecordCodec.encode(txd)), kappa0,
        List.of(index(patient), index(pharmacist)));
    Siff.Built withoutLawyer = TreatmentProtocol.buildKey(doctor, txtc, kappa0, txtrs, List.of(index(lawyer)), r);
    txk = TreatmentProtocol.keyRecord(txtc, kappa0, List.of(index(lawyer)), withoutLawyer.tag());
    withoutLawyer.key().close();
    withdrawal = ConsentWithdrawal.withdraw(patient, consent);
  }

  public static long index(UserSecret x) {
    return ParticipantIndex.of(x.signingKeyPair().publicKey());
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every encoded value with its kind: the eight storable records, consent and event. */
  public List<byte[]> allEncodings() {
    List<byte[]> out = new ArrayList<>();
    out.add(RecordCodec.encode(registration));
    out.add(RecordCodec.encodeConsent(consent));
    out.add(RecordCodec.encode(txtc));
    out.add(RecordCodec.encode(txtrs.get(0)));
    out.add(RecordCodec.encode(txd));
    out.add(RecordCodec.encode(txm));
    out.add(RecordCodec.encode(txa));
    out.add(RecordCodec.encodeEvent(event));
    out.add(RecordCodec.encode(txk));
    out.add(RecordCodec.encode(withdrawal));
    return out;
  }

  /** Parses with the entry point that fits the record's type byte. */
  public static Object parseAny(byte[] v) {
    if (v.length >= 4 && (v[3] & 0xff) == RecordType.CONSENT.code()) return RecordCodec.parseConsent(v);
    if (v.length >= 4 && (v[3] & 0xff) == RecordType.EVENT.code()) return RecordCodec.parseEvent(v);
    return RecordCodec.parse(v);
  }
}
