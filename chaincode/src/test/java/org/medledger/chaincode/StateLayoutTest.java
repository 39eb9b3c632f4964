package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.ConsentWithdrawal;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.core.record.Withdrawal;

/**
 * Every state key and value the chaincode writes, in the encodings docs/protocol.md §State
 * layout lists: after a whole treatment, each key matches exactly one row of that table and its
 * value has the row's encoding. A key of a new kind fails here until the table has its row.
 */
class StateLayoutTest {
  private static final String HEX64 = "[0-9a-f]{64}";
  private static final String IND = "[0-9a-f]{16}";
  private static final String Z = "\u0000";

  private final SecureRandom random = new SecureRandom();
  private final InMemoryWorldState state = new InMemoryWorldState();

  private record Actor(UserSecret sigma, Role role, Submitter submitter) {
    long index() {
      return submitter.index();
    }
  }

  private Actor actor(String name, Role role) {
    UserSecret sigma = UserSecret.generate(random);
    return new Actor(sigma, role,
        Submitter.of("TestMSP", TestCertificates.issue(name, sigma.signingKeyPair().toJca()), role.name().toLowerCase()));
  }

  private String store(Actor who, LedgerRecord r) {
    state.begin();
    String k = new StoreRules(state).store(who.submitter(), RecordCodec.encode(r));
    state.commit();
    return k;
  }

  /** One row of the table: the key's pattern and what its value must be. */
  private record Row(String name, Pattern key, BiPredicate<Matcher, byte[]> value) {}

  private static String ascii(byte[] v) {
    return new String(v, StandardCharsets.US_ASCII);
  }

  @Test
  void everyKeyAndValueHasTheDocumentedEncoding() {
    // The in-memory state builds composite keys exactly as Fabric's shim does.
    assertThat(state.compositeKey("ML-S", "ab", "cd", "12"))
        .isEqualTo(new CompositeKey("ML-S", "ab", "cd", "12").toString())
        .isEqualTo(Z + "ML-S" + Z + "ab" + Z + "cd" + Z + "12" + Z);

    Actor patient = actor("patient", Role.PATIENT);
    Actor family = actor("family", Role.FAMILY);
    Actor doctor = actor("doctor", Role.DOCTOR);
    Actor pharmacist = actor("pharmacist", Role.PHARMACIST);
    Actor insurer = actor("insurer", Role.INSURER);
    Actor lawyer = actor("lawyer", Role.LAWYER);
    // The consortium policy (R9) first, then one administrator's approval of a next version.
    ConsortiumPolicy policy = StoreRulesTest.testPolicy();
    ConsortiumPolicy next = policy.withVersion(2);
    for (ConsortiumPolicy p : List.of(policy, next)) {
      state.begin();
      new PolicyRules(state).set(Submitter.of("TestMSP",
          TestCertificates.admin("admin", UserSecret.generate(random).signingKeyPair().toJca()), null), p.encode());
      state.commit();
    }
    for (Actor a : List.of(doctor, pharmacist, insurer, lawyer)) {
      store(a, new Registration(a.role(), a.index(), a.submitter().certificateDer()));
    }
    Consent consent = TreatmentProtocol.consent(patient.sigma(), List.of(family.submitter().publicKey()),
        List.of(insurer.index()), List.of(lawyer.index()), List.of(pharmacist.index()), doctor.index(), random);
    Txtc txtc = TreatmentProtocol.open(doctor.sigma(), consent);
    byte[] kappa0 = Bytes.unhex(store(doctor, txtc));
    List<Txtr> answers = new ArrayList<>();
    for (Actor a : List.of(patient, family, insurer, lawyer, pharmacist)) {
      Txtr t = TreatmentProtocol.respond(a.sigma(), a.index(), txtc, kappa0);
      store(a, t);
      answers.add(t);
    }
    Siff.Built key = TreatmentProtocol.buildKey(doctor.sigma(), txtc, kappa0, answers, random);
    // Sequence numbers 10 and 255: decimal in the key ("10", "255"), not hex.
    store(doctor, TreatmentProtocol.write(RecordType.TXD, txtc, kappa0, key.tag(), key.key(), doctor.index(), 10,
        new byte[] {1}));
    store(pharmacist, TreatmentProtocol.write(RecordType.TXM, txtc, kappa0, key.tag(), key.key(), pharmacist.index(),
        255, new byte[] {2}));
    store(insurer, TreatmentProtocol.write(RecordType.TXA, txtc, kappa0, key.tag(), key.key(), insurer.index(), 1,
        new byte[] {3}));

    // Issue 16: the lawyer's access record, the patient's escrow, a non-member doctor's justification.
    Actor er = actor("doctor", Role.DOCTOR);
    store(er, new Registration(Role.DOCTOR, er.index(), er.submitter().certificateDer()));
    store(lawyer, org.medledger.core.protocol.AccessLog.seal(key.key(), kappa0, key.tag(), lawyer.index(),
        org.medledger.core.protocol.AccessLog.What.CASE_FILE_PAGE, ""));
    byte[] ca = new byte[48], cb = new byte[48];
    random.nextBytes(ca);
    random.nextBytes(cb);
    store(patient, org.medledger.core.protocol.EmergencyEscrow.seal(key.key(), kappa0, key.tag(), patient.index(),
        org.medledger.core.crypto.P256.encodeCompressed(org.medledger.core.crypto.P256.publicPoint(org.medledger.core.crypto.P256.scalarFrom(ca))),
        org.medledger.core.crypto.P256.encodeCompressed(org.medledger.core.crypto.P256.publicPoint(org.medledger.core.crypto.P256.scalarFrom(cb))),
        random));
    byte[] request = new byte[16];
    random.nextBytes(request);
    String erKappa = store(er, new org.medledger.core.record.EmergencyRecord(kappa0, er.index(), 2, request));

    // A second consent, withdrawn by the patient before any doctor scanned it.
    Consent withdrawn = TreatmentProtocol.consent(patient.sigma(), List.of(), List.of(), List.of(), List.of(),
        doctor.index(), random);
    store(patient, ConsentWithdrawal.withdraw(patient.sigma(), withdrawn));

    String k0 = Bytes.hex(kappa0);
    String tagHash = Bytes.hex(Hashes.sha256(key.tag().encoded()));
    List<Row> rows = List.of(
        new Row("record", Pattern.compile("(" + HEX64 + ")"),
            (m, v) -> Bytes.hex(RecordCodec.kappa(v)).equals(m.group(1))),
        new Row("ML-P", Pattern.compile(Z + "ML-P" + Z + "(" + IND + ")" + Z),
            (m, v) -> ascii(v).matches(HEX64)
                && ((Registration) RecordCodec.parse(state.get(ascii(v)))).index() == Long.parseUnsignedLong(m.group(1), 16)),
        new Row("ML-T", Pattern.compile(Z + "ML-T" + Z + "(" + HEX64 + ")" + Z + "(txtc|txtr|txd|txm|txa|access|glass|escrow)" + Z + "("
            + HEX64 + ")" + Z),
            (m, v) -> ascii(v).matches(HEX64 + "\\|(0|[1-9][0-9]*)")
                && RecordType.fromCode(state.get(m.group(3))[3]).label().equals(m.group(2))),
        new Row("ML-R", Pattern.compile(Z + "ML-R" + Z + "(" + HEX64 + ")" + Z + "(" + IND + ")" + Z),
            (m, v) -> ((Txtr) RecordCodec.parse(state.get(ascii(v)))).responder() == Long.parseUnsignedLong(m.group(2), 16)),
        new Row("ML-C", Pattern.compile(Z + "ML-C" + Z + "([0-9a-f]{32})" + Z),
            (m, v) -> ascii(v).equals(k0) && m.group(1).equals(Bytes.hex(consent.consentId()))),
        new Row("ML-W", Pattern.compile(Z + "ML-W" + Z + "([0-9a-f]{32})" + Z + "([0-9a-f]{66})" + Z),
            (m, v) -> {
              Matcher w = Pattern.compile("(" + HEX64 + ")\\|" + HEX64 + "\\|(0|[1-9][0-9]*)").matcher(ascii(v));
              if (!w.matches()) return false;
              Withdrawal r = (Withdrawal) RecordCodec.parse(state.get(w.group(1)));
              return Bytes.hex(r.consentId()).equals(m.group(1)) && Bytes.hex(r.patientKey()).equals(m.group(2))
                  && m.group(1).equals(Bytes.hex(withdrawn.consentId()));
            }),
        new Row("ML-G", Pattern.compile(Z + "ML-G" + Z + "(" + HEX64 + ")" + Z),
            (m, v) -> ascii(v).equals(tagHash)),
        new Row("ML-S", Pattern.compile(Z + "ML-S" + Z + "(" + HEX64 + ")" + Z + "(" + IND + ")" + Z
            + "(0|[1-9][0-9]*)" + Z),
            (m, v) -> {
              ProcessRecord p = (ProcessRecord) RecordCodec.parse(state.get(ascii(v)));
              return p.sequence() == Integer.parseUnsignedInt(m.group(3))
                  && p.sender() == Long.parseUnsignedLong(m.group(2), 16);
            }),
        // The directory index (plain keys: Fabric ranges over them): listing, name words,
        // institution, index; the role as its code.
        new Row("ML-D", Pattern.compile("ML-D" + Z + "(?:n" + Z + "([3-6])" + Z + "([^" + Z + "]+)|w" + Z + "([3-6])" + Z
            + "([^" + Z + "]+)|i" + Z + "([3-6])" + Z + "([^" + Z + "]+)" + Z + "([^" + Z + "]+)|x)" + Z + "(" + IND + ")"),
            (m, v) -> {
              String[] f = new String(v, StandardCharsets.UTF_8).split(Z, -1);
              Registration reg = (Registration) RecordCodec.parse(state.get(f[0]));
              String code = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
              return f.length == 4 && f[0].matches(HEX64) && f[1].equals(reg.role().name().toLowerCase())
                  && reg.index() == Long.parseUnsignedLong(m.group(8), 16)
                  && (code == null || code.equals(Integer.toString(reg.role().code())))
                  && (m.group(2) == null || m.group(2).equals(f[2]))
                  && (m.group(4) == null || f[2].endsWith(m.group(4)))
                  && (m.group(6) == null || (m.group(6).equals(f[3]) && m.group(7).equals(f[2])))
                  && f[2].equals(Directory.fold(reg.role().name().toLowerCase())) && f[3].equals("test clinic");
            }),
        new Row("ML-J", Pattern.compile(Z + "ML-J" + Z + "(" + HEX64 + ")" + Z + "(" + IND + ")" + Z),
            (m, v) -> m.group(1).equals(k0) && Long.parseUnsignedLong(m.group(2), 16) == er.index()
                && ascii(v).matches(erKappa + "\\|" + HEX64 + "\\|(0|[1-9][0-9]*)")),
        new Row("ML-Q", Pattern.compile(Z + "ML-Q" + Z + "(" + IND + ")" + Z),
            (m, v) -> Long.parseUnsignedLong(m.group(1), 16) == er.index() && ascii(v).matches("[1-9][0-9]*(,[1-9][0-9]*)*")),
        new Row("ML-U", Pattern.compile(Z + "ML-U" + Z + "(" + HEX64 + ")" + Z),
            (m, v) -> m.group(1).equals(k0) && ascii(v).matches("[1-9][0-9]*(,[1-9][0-9]*)*")),
        new Row("ML-X", Pattern.compile(Z + "ML-X" + Z + "(" + HEX64 + ")" + Z),
            (m, v) -> m.group(1).equals(k0) && RecordCodec.parse(state.get(ascii(v))).type() == RecordType.ESCROW),
        new Row("ML-Y", Pattern.compile(Z + "ML-Y" + Z),
            (m, v) -> ConsortiumPolicy.parse(v).equals(policy)),
        new Row("ML-A", Pattern.compile(Z + "ML-A" + Z + "(" + HEX64 + ")" + Z + "([A-Za-z0-9][A-Za-z0-9._-]*)" + Z),
            (m, v) -> m.group(1).equals(Bytes.hex(Hashes.sha256(next.encode()))) && m.group(2).equals("TestMSP")
                && ascii(v).matches(HEX64)));

    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : state.committed.entrySet()) {
      List<String> matched = new ArrayList<>();
      for (Row row : rows) {
        Matcher m = row.key().matcher(e.getKey());
        if (m.matches()) {
          assertThat(row.value().test(m, e.getValue())).as("value of %s key %s", row.name(), e.getKey().replace(Z, "\\0"))
              .isTrue();
          matched.add(row.name());
        }
      }
      assertThat(matched).as("rows matching key %s", e.getKey().replace(Z, "\\0")).hasSize(1);
      counts.merge(matched.get(0), 1, Integer::sum);
    }
    // 4 registrations + txtc + 5 txtr + 3 process records + 1 withdrawal; one ML-T per treatment
    // record; four directory keys per registration (its one-word name has one word-start).
    // Issue 16 adds a registration, an access record, an escrow and a justification (three ML-T).
    assertThat(counts).containsOnly(Map.entry("record", 18), Map.entry("ML-C", 1), Map.entry("ML-W", 1), Map.entry("ML-G", 1),
        Map.entry("ML-P", 5), Map.entry("ML-D", 20), Map.entry("ML-R", 5), Map.entry("ML-S", 3), Map.entry("ML-T", 12),
        Map.entry("ML-Y", 1), Map.entry("ML-A", 1), Map.entry("ML-J", 1), Map.entry("ML-Q", 1), Map.entry("ML-U", 1),
        Map.entry("ML-X", 1));
    assertThat(state.committed).containsKey(state.compositeKey("ML-S", k0, Bytes.hex(Bytes.u64(pharmacist.index())), "255"));
    assertThat(state.committed).containsKey(state.compositeKey("ML-T", k0, "txtc", k0));
  }
}
