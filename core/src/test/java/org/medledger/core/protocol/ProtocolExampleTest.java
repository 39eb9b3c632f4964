package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.Argon2Params;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.RecoveryKit;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Cover;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.core.record.Withdrawal;
import org.medledger.core.testing.DeterministicRandom;
import org.junit.jupiter.api.Test;

/**
 * Regenerates the worked example of docs/protocol.md and compares it with the document.
 *
 * <p>Every value is recomputed here from the document's formulas (HKDF, HMAC, SHA-512, AES-GCM with
 * the nonce drawn from a fixed DRBG, BigInteger arithmetic mod 2^521 − 1) and then checked against
 * the library: the library must open, parse and evaluate what the formulas produced. So a stale
 * document fails, and so does a library that drifts from the document.
 *
 * <p>Rewrite the section after a deliberate format change with
 * {@code mvn -pl core test -Dtest=ProtocolExampleTest -Dmedledger.updateDocs=true}.
 */
class ProtocolExampleTest {
  static final String BEGIN = "<!-- BEGIN GENERATED EXAMPLE: ProtocolExampleTest, do not edit by hand -->";
  static final String END = "<!-- END GENERATED EXAMPLE -->";
  private static final BigInteger P = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);
  private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

  private final StringBuilder out = new StringBuilder();

  @Test
  void theWorkedExampleInDocsProtocolMdIsCurrent() throws IOException {
    String generated = generate();
    Path doc = findDoc();
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    if (b < 0 || e < b) fail(doc + " has no generated example section (markers " + BEGIN + " ... " + END + ")");
    String current = text.substring(b + BEGIN.length(), e);
    if (current.equals(generated)) return;
    if (Boolean.getBoolean("medledger.updateDocs")) {
      Files.writeString(doc, text.substring(0, b + BEGIN.length()) + generated + text.substring(e), StandardCharsets.UTF_8);
      return;
    }
    fail("docs/protocol.md's worked example is stale:\n" + diff(current, generated)
        + "\nIf the change is intended, regenerate it: mvn -pl core test -Dtest=ProtocolExampleTest -Dmedledger.updateDocs=true");
  }

  static Path findDoc() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null) {
      Path d = p.resolve("docs").resolve("protocol.md");
      if (Files.exists(d)) return d;
      p = p.getParent();
    }
    throw new AssertionError("docs/protocol.md not found above " + System.getProperty("user.dir"));
  }

  static String diff(String was, String now) {
    String[] a = was.split("\n", -1);
    String[] b = now.split("\n", -1);
    StringBuilder d = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < Math.max(a.length, b.length) && shown < 15; i++) {
      String x = i < a.length ? a[i] : "<missing>";
      String y = i < b.length ? b[i] : "<missing>";
      if (!x.equals(y)) {
        d.append("  line ").append(i + 1).append(" of the section\n    doc:  ").append(x).append("\n    code: ").append(y)
            .append('\n');
        shown++;
      }
    }
    return d.toString();
  }

  // ------------------------------------------------------------------ the example

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private void h(String title) {
    out.append("\n#### ").append(title).append("\n\n");
  }

  private void p(String text) {
    out.append(text).append("\n\n");
  }

  private void block(Object... labelsAndValues) {
    out.append("```\n");
    for (int i = 0; i < labelsAndValues.length; i += 2) {
      String label = (String) labelsAndValues[i];
      Object v = labelsAndValues[i + 1];
      String s = v instanceof byte[] bytes ? Bytes.hex(bytes) : String.valueOf(v);
      if (s.length() <= 64 || !(v instanceof byte[])) {
        out.append(String.format("%-14s %s%n", label, s));
      } else {
        out.append(String.format("%-14s (%d bytes)%n", label, s.length() / 2));
        for (int j = 0; j < s.length(); j += 64) out.append("  ").append(s, j, Math.min(s.length(), j + 64)).append('\n');
      }
    }
    out.append("```\n");
  }

  String generate() {
    DeterministicRandom rnd = new DeterministicRandom("MedLedger docs/protocol.md worked example v1");
    String[] names = {"patient p", "family member r", "doctor d", "pharmacist m", "insurer a", "lawyer i"};
    UserSecret[] sigma = new UserSecret[6];
    long[] ind = new long[6];
    byte[][] vk = new byte[6][];
    for (int x = 0; x < 6; x++) {
      sigma[x] = UserSecret.of(filled(32, 0x11 * (x + 1)));
      vk[x] = sigma[x].signingKeyPair().publicKey();
      ind[x] = ParticipantIndex.of(vk[x]);
    }
    UserSecret sp = sigma[0], sr = sigma[1], sd = sigma[2], sm = sigma[3], sa = sigma[4], si = sigma[5];

    p("Everything below is produced by `ProtocolExampleTest` (core/src/test) from fixed inputs: "
        + "σ_x = 32 bytes of 0x11, 0x22, ... 0x66 for p, r, d, m, a, i, and every random draw "
        + "(salt, nonces, consent id, SIFF coefficients) taken from a SHA-256 counter DRBG seeded with "
        + "`MedLedger docs/protocol.md worked example v1`. The test recomputes each value from the "
        + "formulas above and checks that the library opens, parses and evaluates the result.");

    h("Participants (σ_x, vk_x, ind_x)");
    List<Object> rows = new ArrayList<>();
    for (int x = 0; x < 6; x++) {
      rows.add("vk_" + Role.values()[x].symbol());
      rows.add(vk[x]);
      rows.add("ind_" + Role.values()[x].symbol());
      rows.add(ParticipantIndex.hex(ind[x]));
    }
    block(rows.toArray());
    // vk_x is the P-256 key from HKDF(σ_x, no salt, "MedLedger v1 signing key", 48) → scalar.
    for (int x = 0; x < 6; x++) {
      byte[] okm = Hashes.hkdfSha256(filled(32, 0x11 * (x + 1)), null, ascii("MedLedger v1 signing key"), 48);
      BigInteger n = P256.DOMAIN.getN();
      BigInteger d = new BigInteger(1, okm).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
      assertThat(P256.encodeCompressed(P256.publicPoint(d))).as(names[x]).isEqualTo(vk[x]);
      assertThat(ind[x]).isEqualTo(Bytes.readU64(vk[x], 25));
    }

    // ---- wrapped secret
    h("Wrapped secret of the patient (password `correct horse battery staple`, TEST_ONLY cost t=1, m=1024 KiB, p=1)");
    byte[] salt = new byte[16];
    rnd.nextBytes(salt);
    byte[] wnonce = new byte[12];
    rnd.nextBytes(wnonce);
    byte[] header = ByteBuffer.allocate(26).put(ascii("MLW")).put((byte) 1).put((byte) 1).putInt(1024).put((byte) 1)
        .put(salt).array();
    byte[] wkey = PasswordWrap.argon2id(new String(PASSWORD).getBytes(StandardCharsets.UTF_8), salt, null, null,
        Argon2Params.TEST_ONLY, 32);
    byte[] wrapped = Bytes.concat(header, wnonce, AesGcm.encrypt(wkey, wnonce, header, filled(32, 0x11), 128));
    try (UserSecret back = PasswordWrap.unwrap(wrapped, PASSWORD)) {
      assertThat(back.signingKeyPair().publicKey()).isEqualTo(vk[0]);
    }
    block("salt", salt, "K_pw", wkey, "nonce", wnonce, "wrapped", wrapped);

    h("Recovery kit of the patient");
    String kit = RecoveryKit.encode(sp);
    try (UserSecret back = RecoveryKit.decode(kit)) {
      assertThat(back.signingKeyPair().publicKey()).isEqualTo(vk[0]);
    }
    block("text", kit, "QR payload", RecoveryKit.qrPayload(sp), "checksum", Arrays.copyOf(Hashes.sha256(filled(32, 0x11)), 4));

    // ---- registration
    h("Registration of the doctor (the certificate is a 64-byte placeholder of 0xce here)");
    Registration reg = new Registration(Role.DOCTOR, ind[2], filled(64, 0xce));
    byte[] regV = RecordCodec.encode(reg);
    assertThat(RecordCodec.parse(regV)).isInstanceOf(Registration.class);
    block("ind_d", ParticipantIndex.hex(ind[2]), "registration", regV, "κ", RecordCodec.kappa(regV));

    // ---- consent and txtc
    h("Consent (the patient's QR code) and txtc");
    Consent consent = TreatmentIdentities.consent(sp, List.of(vk[1]), List.of(ind[4]), List.of(ind[5]), List.of(ind[3]),
        ind[2], rnd);
    // Per-treatment identities: vk_x' = vk_x + t·G, t = OS2IP(SHA-512("MedLedger v1 key blinding" ‖ vk_x ‖ id)) mod n.
    long[] tind = ind.clone();
    List<Object> idRows = new ArrayList<>(List.of("consent id", consent.consentId()));
    for (int x = 0; x < 2; x++) {
      BigInteger n = P256.DOMAIN.getN();
      BigInteger t = new BigInteger(1, Hashes.sha512(ascii("MedLedger v1 key blinding"), vk[x], consent.consentId())).mod(n);
      byte[] vkT = P256.encodeCompressed(P256.decodePoint(vk[x]).add(P256.DOMAIN.getG().multiply(t)).normalize());
      byte[] okm = Hashes.hkdfSha256(filled(32, 0x11 * (x + 1)), null, ascii("MedLedger v1 signing key"), 48);
      BigInteger d = new BigInteger(1, okm).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
      assertThat(P256.encodeCompressed(P256.publicPoint(d.add(t).mod(n)))).isEqualTo(vkT);
      assertThat(sigma[x].blindedSigningKeyPair(consent.consentId()).publicKey()).isEqualTo(vkT);
      tind[x] = ParticipantIndex.of(vkT);
      String sym = Role.values()[x].symbol();
      idRows.addAll(List.of("t_" + sym, fixed32(t), "vk_" + sym + "'", vkT, "ind_" + sym + "'", ParticipantIndex.hex(tind[x])));
    }
    assertThat(consent.patientKey()).isEqualTo(idRows.get(5));
    assertThat(consent.familyKeys()).containsExactly((byte[]) idRows.get(11));
    byte[] consentV = RecordCodec.encodeConsent(consent);
    assertThat(TreatmentProtocol.consentValid(RecordCodec.parseConsent(consentV))).isTrue();
    Txtc txtc = TreatmentProtocol.open(sd, consent);
    byte[] txtcV = RecordCodec.encode(txtc);
    byte[] kappa0 = RecordCodec.kappa(txtcV);
    EcKeyPair ephD = sd.ephemeralKeyPair(consent.consentId());
    byte[] okmD = Hashes.hkdfSha256(filled(32, 0x33), consent.consentId(), ascii("MedLedger v1 ECDH ephemeral key"), 48);
    BigInteger dD = new BigInteger(1, okmD).mod(P256.DOMAIN.getN().subtract(BigInteger.ONE)).add(BigInteger.ONE);
    assertThat(P256.encodeCompressed(P256.publicPoint(dD))).isEqualTo(txtc.doctorKey());
    block("consent id", consent.consentId(), "signed bytes", consent.signedBytes(), "signature", consent.signature(),
        "consent", consentV, "pk_d", txtc.doctorKey(), "txtc", txtcV, "κ0", kappa0);
    h("Per-treatment identities of the patient and the family member in this treatment");
    block(idRows.toArray());
    // The patient's link statement for this treatment (deterministic ECDSA, so reproducible).
    TreatmentIdentities.Link link = TreatmentIdentities.link(sp, consent.consentId());
    assertThat(link.statement()).isEqualTo(Bytes.concat(ascii("MedLedger v1 treatment link"), vk[0], consent.patientKey(),
        consent.consentId()));
    assertThat(TreatmentIdentities.verify(link)).isTrue();
    h("The patient's link statement for this treatment (shown only if the patient chooses)");
    block("statement", link.statement(), "sig by vk_p", link.longTermSignature(), "sig by vk_p'", link.treatmentSignature());

    // ---- txtr
    h("txtr of each responder (patient, family member, insurer, lawyer, pharmacist)");
    List<Txtr> txtrs = new ArrayList<>();
    List<byte[]> initialStrings = new ArrayList<>();
    boolean first = true;
    for (Consent.Member m : consent.responders()) {
      int x = indexOf(tind, m.index());
      byte[] s = Hashes.hmacSha256(filled(32, 0x11 * (x + 1)), kappa0);
      assertThat(sigma[x].initialString(kappa0)).isEqualTo(s);
      initialStrings.add(s);
      EcKeyPair eph = sigma[x].ephemeralKeyPair(kappa0);
      byte[] z = eph.agree(P256.decodePoint(txtc.doctorKey()));
      byte[] kw = Hashes.hkdfSha256(z, kappa0, Bytes.concat(ascii("MedLedger v1 wrap"), eph.publicKey(), txtc.doctorKey()), 32);
      byte[] ad = Bytes.concat(ascii("MedLedger v1 txtr"), kappa0, Bytes.u64(m.index()), Bytes.u64(ind[2]));
      byte[] nonce = new byte[12];
      rnd.nextBytes(nonce);
      byte[] cx = Bytes.concat(nonce, AesGcm.encrypt(kw, nonce, ad, s, 128));
      Txtr t = new Txtr(kappa0, m.index(), eph.publicKey(), cx);
      byte[] v = RecordCodec.encode(t);
      txtrs.add((Txtr) RecordCodec.parse(v));
      if (first) {
        block("who", names[x], "s_p", s, "pk_p", eph.publicKey(), "Z", z, "K_w", kw, "AD", ad, "c_p", cx, "txtr", v,
            "κ", RecordCodec.kappa(v));
        first = false;
      } else {
        block("who", names[x], "s_" + m.role().symbol(), s, "txtr", v);
      }
    }
    initialStrings.add(sd.initialString(kappa0));

    // ---- SIFF
    h("SIFF: the doctor builds the function (k = 6)");
    DeterministicRandom replay = rnd.copy();
    Siff.Built built = TreatmentProtocol.buildKey(sd, txtc, kappa0, txtrs, rnd);
    int k = initialStrings.size();
    assertThat(built.tag().members()).isEqualTo(k);
    byte[] u1 = new byte[32];
    replay.nextBytes(u1);
    List<Object> siffRows = new ArrayList<>();
    siffRows.add("u1 (the key)");
    siffRows.add(u1);
    BigInteger[] xs = new BigInteger[k + 1];
    BigInteger[] ys = new BigInteger[k + 1];
    String[] order = {"p", "r", "a", "i", "m", "d"};
    for (int j = 0; j < k; j++) {
      byte[] u0 = new byte[32];
      replay.nextBytes(u0);
      xs[j] = hashToField(initialStrings.get(j));
      ys[j] = new BigInteger(1, u0).shiftLeft(256).add(new BigInteger(1, u1));
      siffRows.addAll(List.of("β_" + order[j], fixed(xs[j]), "u0_" + order[j], u0));
    }
    xs[k] = randomElement(replay);
    ys[k] = randomElement(replay);
    siffRows.addAll(List.of("x*", fixed(xs[k]), "y*", fixed(ys[k])));
    byte[] tag = built.tag().encoded();
    for (int t = 0; t <= k; t++) {
      siffRows.add("a_" + t);
      siffRows.add(Arrays.copyOfRange(tag, t * 66, (t + 1) * 66));
    }
    siffRows.addAll(List.of("H(tag)", built.tag().hash()));
    for (int j = 0; j <= k; j++) {
      assertThat(horner(tag, xs[j])).as("u(x_%d) = y_%d", j, j).isEqualTo(ys[j]);
    }
    assertThat(built.key().bytes()).isEqualTo(u1);
    block(siffRows.toArray());
    // Every member evaluates alone: f(s) = u(β(s)) mod 2^256.
    for (UserSecret x : sigma) {
      try (SiffKey key = TreatmentProtocol.recoverKey(x, kappa0, SiffTag.parse(tag))) {
        assertThat(key.sameAs(built.key())).isTrue();
      }
    }

    // ---- process records
    h("Process records txd, txm, txa and the txd event");
    byte[][] senders = {{2}, {3}, {4}};
    RecordType[] types = {RecordType.TXD, RecordType.TXM, RecordType.TXA};
    String[] messages = {"diagnosis: appendicitis", "amoxicillin 3x500mg, 42 EUR", "compensation 80%"};
    byte[] txdV = null;
    for (int t = 0; t < 3; t++) {
      int x = senders[t][0];
      int seq = 1;
      byte[] info = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {(byte) types[t].code()}, Bytes.u64(ind[x]),
          Bytes.u32(seq));
      byte[] krec = Hashes.hkdfSha256(u1, kappa0, info, 32);
      byte[] ad = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {2}, kappa0, built.tag().hash(),
          new byte[] {(byte) types[t].code()}, Bytes.u64(ind[x]), Bytes.u32(seq));
      byte[] nonce = new byte[12];
      rnd.nextBytes(nonce);
      byte[] msg = messages[t].getBytes(StandardCharsets.UTF_8);
      // msg ‖ 0x80 ‖ zeros to 256 bytes, the smallest size class.
      byte[] padded = Arrays.copyOf(msg, 256);
      padded[msg.length] = (byte) 0x80;
      byte[] box = Bytes.concat(nonce, AesGcm.encrypt(krec, nonce, ad, padded, 128));
      assertThat(box).hasSize(256 + 28);
      // A record of format 1 (bare message, 0x01 in the AD), written before padding, still reads.
      byte[] adV1 = Arrays.copyOf(ad, ad.length);
      adV1[19] = 1;
      ProcessRecord legacy = new ProcessRecord(types[t], kappa0, ind[x], List.of(), seq, tag,
          Bytes.concat(nonce, AesGcm.encrypt(krec, nonce, adV1, msg, 128)));
      assertThat(TreatmentProtocol.read(sp, legacy)).isEqualTo(msg);
      List<Long> others = new ArrayList<>();
      for (Consent.Member m : consent.members()) if (m.index() != ind[x]) others.add(m.index());
      ProcessRecord rec = new ProcessRecord(types[t], kappa0, ind[x], others, seq, tag, box);
      byte[] v = RecordCodec.encode(rec);
      ProcessRecord parsed = (ProcessRecord) RecordCodec.parse(v);
      for (UserSecret reader : List.of(sr, si, sp)) {
        assertThat(new String(TreatmentProtocol.read(reader, parsed), StandardCharsets.UTF_8)).isEqualTo(messages[t]);
      }
      if (t == 0) {
        txdV = v;
        block("message", "\"" + messages[t] + "\" (UTF-8)", "info", info, "K_rec", krec, "AD", ad, "padded", padded, "box", box,
            "txd", v, "κ", RecordCodec.kappa(v));
      } else {
        block("message", "\"" + messages[t] + "\" (UTF-8)", types[t].label(), v);
      }
    }
    EventPayload ev = new EventPayload(RecordType.TXD, RecordCodec.kappa(txdV), kappa0, List.of(tind[0], ind[3]));
    byte[] evV = RecordCodec.encodeEvent(ev);
    assertThat(RecordCodec.parseEvent(evV).recipients()).containsExactlyInAnyOrder(tind[0], ind[3]);
    block("event", evV);

    // ---- txk: the same treatment, had the doctor built the key without the lawyer
    h("txk: had the doctor built the key without the lawyer i (k = 5), and its event");
    Siff.Built without = TreatmentProtocol.buildKey(sd, txtc, kappa0, txtrs, List.of(ind[5]), rnd);
    assertThat(without.tag().members()).isEqualTo(5);
    for (UserSecret x : List.of(sp, sr, sd, sm, sa)) {
      try (SiffKey key = TreatmentProtocol.recoverKey(x, kappa0, without.tag())) {
        assertThat(key.sameAs(without.key())).isTrue();
      }
    }
    try (SiffKey key = TreatmentProtocol.recoverKey(si, kappa0, without.tag())) {
      assertThat(key.sameAs(without.key())).as("the left-out lawyer lands elsewhere").isFalse();
    }
    byte[] txkV = RecordCodec.encode(TreatmentProtocol.keyRecord(txtc, kappa0, List.of(ind[5]), without.tag()));
    byte[] txkExpected = Bytes.concat(ascii("ML"), new byte[] {1, 7},
        new byte[] {1}, Bytes.u32(32), kappa0,
        new byte[] {2}, Bytes.u32(8), Bytes.u64(ind[2]),
        new byte[] {3}, Bytes.u32(9), new byte[] {1}, Bytes.u64(ind[5]),
        new byte[] {4}, Bytes.u32(without.tag().encoded().length), without.tag().encoded());
    assertThat(txkV).isEqualTo(txkExpected);
    EventPayload kev = new EventPayload(RecordType.TXK, RecordCodec.kappa(txkV), kappa0,
        List.of(ind[0], ind[1], ind[2], ind[3], ind[4], ind[5]));
    byte[] kevV = RecordCodec.encodeEvent(kev);
    block("left out", "ind_i " + ParticipantIndex.hex(ind[5]), "H(tag)", without.tag().hash(), "txk", txkV,
        "κ", RecordCodec.kappa(txkV), "event", kevV);
    without.key().close();

    // ---- withdrawal: had the patient taken the consent back before the doctor scanned it
    h("Withdrawal: had the patient withdrawn this consent before the doctor scanned it, and its event");
    byte[] wSigned = Bytes.concat(ascii("MedLedger v1 withdrawal"), consent.consentId());
    Withdrawal withdrawal = ConsentWithdrawal.withdraw(sp, consent);
    assertThat(withdrawal.patientKey()).isEqualTo(consent.patientKey());
    assertThat(P256.verify(P256.decodePoint(consent.patientKey()), wSigned, withdrawal.signature())).isTrue();
    byte[] wV = RecordCodec.encode(withdrawal);
    assertThat(wV).isEqualTo(Bytes.concat(ascii("ML"), new byte[] {1, 0x0b},
        new byte[] {1}, Bytes.u32(16), consent.consentId(),
        new byte[] {2}, Bytes.u32(33), consent.patientKey(),
        new byte[] {3}, Bytes.u32(withdrawal.signature().length), withdrawal.signature()));
    assertThat(ConsentWithdrawal.valid((Withdrawal) RecordCodec.parse(wV))).isTrue();
    byte[] wevV = RecordCodec.encodeEvent(new EventPayload(RecordType.WITHDRAWAL, RecordCodec.kappa(wV), new byte[32],
        List.of()));
    block("signed bytes", wSigned, "signature", withdrawal.signature(), "withdrawal", wV, "κ", RecordCodec.kappa(wV),
        "event", wevV);
    // ---- the cover (drawn last, so the values above stay as they were)
    h("The cover: sealed beside the consent in the QR code, then the doctor's txd number 0");
    Cover cover = new Cover("Chest pain", "Anna Example", java.time.LocalDate.of(1980, 3, 3), java.util.Map.of(tind[1], "Ben Example"));
    byte[] coverV = RecordCodec.encodeCover(cover);
    assertThat(RecordCodec.parseCover(coverV)).isEqualTo(cover);
    EcKeyPair skP = sp.blindedSigningKeyPair(consent.consentId());
    byte[] zc = skP.agree(P256.decodePoint(vk[2]));
    assertThat(sd.signingKeyPair().agree(P256.decodePoint(consent.patientKey()))).isEqualTo(zc);
    byte[] kcov = Hashes.hkdfSha256(zc, consent.consentId(), Bytes.concat(ascii("MedLedger v1 cover"), consent.patientKey(), vk[2]), 32);
    byte[] adc = Bytes.concat(ascii("MedLedger v1 cover"), consent.consentId());
    byte[] nc = new byte[12];
    rnd.nextBytes(nc);
    byte[] sealed = Bytes.concat(nc, AesGcm.encrypt(kcov, nc, adc, coverV, 128));
    assertThat(CoverSeal.openAsDoctor(sd.signingKeyPair(), consent, sealed)).isEqualTo(cover);
    assertThat(CoverSeal.openAsPatient(skP, vk[2], consent, sealed)).isEqualTo(cover);
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String qrText = "medledger-consent:1:" + b64.encodeToString(consentV) + "." + b64.encodeToString(sealed);
    byte[] info0 = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {(byte) RecordType.TXD.code()}, Bytes.u64(ind[2]), Bytes.u32(0));
    byte[] krec0 = Hashes.hkdfSha256(u1, kappa0, info0, 32);
    byte[] ad0 = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {2}, kappa0, built.tag().hash(),
        new byte[] {(byte) RecordType.TXD.code()}, Bytes.u64(ind[2]), Bytes.u32(0));
    byte[] n0 = new byte[12];
    rnd.nextBytes(n0);
    byte[] padded0 = Arrays.copyOf(coverV, 256);
    padded0[coverV.length] = (byte) 0x80;
    List<Long> others0 = new ArrayList<>();
    for (Consent.Member m : consent.members()) if (m.index() != ind[2]) others0.add(m.index());
    others0.sort(Long::compareUnsigned);
    byte[] coverTxd = RecordCodec.encode(new ProcessRecord(RecordType.TXD, kappa0, ind[2], others0, 0, tag,
        Bytes.concat(n0, AesGcm.encrypt(krec0, n0, ad0, padded0, 128))));
    for (UserSecret reader : List.of(sr, si, sm, sp)) {
      byte[] msg = TreatmentProtocol.read(reader, (ProcessRecord) RecordCodec.parse(coverTxd));
      assertThat(RecordCodec.looksLikeCover(msg)).isTrue();
      assertThat(RecordCodec.parseCover(msg)).isEqualTo(cover);
    }
    block("title", "\"Chest pain\"", "patient", "\"Anna Example\", born 1980-03-03", "family",
        "ind_r' " + ParticipantIndex.hex(tind[1]) + " → \"Ben Example\"", "cover", coverV, "Z", zc, "K_cov", kcov,
        "AD", adc, "sealed cover", sealed, "QR text", qrText.length() + " characters: medledger-consent:1:<consent>.<sealed cover>",
        "txd no. 0", coverTxd, "κ", RecordCodec.kappa(coverTxd));
    // ---- a typed message: the doctor's diagnosis as a FHIR R4 Condition (drawn after the cover)
    h("Content of a record: the doctor's diagnosis as FHIR R4 JSON, txd number 2");
    String json = "{\"resourceType\":\"Condition\",\"clinicalStatus\":{\"coding\":[{\"system\":"
        + "\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]},\"code\":{\"coding\":[{"
        + "\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"K35.8\",\"display\":\"Acute appendicitis, other and "
        + "unspecified\"}]},\"subject\":{\"identifier\":{\"system\":\"urn:medledger:member\",\"value\":\""
        + ParticipantIndex.hex(consent.patientIndex()) + "\"},\"display\":\"Anna Example\"},\"recordedDate\":\"2026-03-14T09:30:00Z\"}";
    org.medledger.core.record.RecordContent content = new org.medledger.core.record.RecordContent(
        org.medledger.core.record.RecordContent.FHIR_R4_JSON, json.getBytes(StandardCharsets.UTF_8));
    byte[] typed = RecordCodec.encodeContent(content);
    assertThat(typed).isEqualTo(Bytes.concat(ascii("ML"), new byte[] {1, 0x0c},
        new byte[] {1}, Bytes.u32(37), ascii("application/fhir+json;fhirVersion=4.0"),
        new byte[] {2}, Bytes.u32(json.length()), json.getBytes(StandardCharsets.UTF_8)));
    int cls = org.medledger.core.crypto.RecordCipher.paddedLength(typed.length);
    assertThat(cls).isEqualTo(512);
    byte[] info2 = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {(byte) RecordType.TXD.code()}, Bytes.u64(ind[2]), Bytes.u32(2));
    byte[] krec2 = Hashes.hkdfSha256(u1, kappa0, info2, 32);
    byte[] ad2 = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {2}, kappa0, built.tag().hash(),
        new byte[] {(byte) RecordType.TXD.code()}, Bytes.u64(ind[2]), Bytes.u32(2));
    byte[] n2 = new byte[12];
    rnd.nextBytes(n2);
    byte[] padded2 = Arrays.copyOf(typed, cls);
    padded2[typed.length] = (byte) 0x80;
    byte[] typedTxd = RecordCodec.encode(new ProcessRecord(RecordType.TXD, kappa0, ind[2], others0, 2, tag,
        Bytes.concat(n2, AesGcm.encrypt(krec2, n2, ad2, padded2, 128))));
    for (UserSecret reader : List.of(sr, si, sm, sp)) {
      byte[] msg = TreatmentProtocol.read(reader, (ProcessRecord) RecordCodec.parse(typedTxd));
      assertThat(RecordCodec.readContent(msg)).isEqualTo(content);
    }
    // A message of bare text (a record written before content types) still reads, as text/plain.
    assertThat(RecordCodec.readContent(ascii("diagnosis: appendicitis")))
        .isEqualTo(org.medledger.core.record.RecordContent.text("diagnosis: appendicitis"));
    block("content type", "\"application/fhir+json;fhirVersion=4.0\" (37 bytes)", "body", json.length() + " bytes of JSON: " + json,
        "message", typed, "size class", typed.length + " + 1 → " + cls + " bytes", "txd no. 2", typedTxd);
    // ---- key epochs: the patient replaces the pharmacist (drawn after everything above)
    Epoch1 e1 = keyEpochs(rnd, sigma, ind, tind, consent, txtc, kappa0, txtrs, built, txdV);

    // ---- issue 16 (drawn last): the lawyer's access record, the patient's escrow, an emergency justification,
    // all after the key epoch: under epoch 1's key (rules R12-R14 take any epoch's; a portal uses the newest)
    h("Access record: the lawyer i downloads the case file (what 02) under epoch 1's key, and its event");
    byte[] accessMsg = new byte[] {2};
    byte[] kacc = Hashes.hkdfSha256(e1.key(), kappa0, Bytes.concat(ascii("MedLedger v1 record"), new byte[] {0x0f},
        Bytes.u64(ind[5]), Bytes.u32(0)), 32);
    byte[] adAcc = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {2}, kappa0, e1.tag().hash(), new byte[] {0x0f},
        Bytes.u64(ind[5]), Bytes.u32(0));
    byte[] nAcc = new byte[12];
    rnd.nextBytes(nAcc);
    byte[] paddedAcc = Arrays.copyOf(accessMsg, 256);
    paddedAcc[1] = (byte) 0x80;
    byte[] accBox = Bytes.concat(nAcc, AesGcm.encrypt(kacc, nAcc, adAcc, paddedAcc, 128));
    org.medledger.core.record.AccessRecord access = new org.medledger.core.record.AccessRecord(kappa0, ind[5],
        e1.tag().hash(), accBox);
    byte[] accV = RecordCodec.encode(access);
    assertThat(accV).hasSize(380);
    for (UserSecret reader : List.of(sp, sr)) {
      assertThat(AccessLog.open(reader, e1.tag(), (org.medledger.core.record.AccessRecord) RecordCodec.parse(accV)))
          .isEqualTo(new AccessLog.Entry(AccessLog.What.CASE_FILE_PDF, ""));
    }
    byte[] accEv = RecordCodec.encodeEvent(new EventPayload(RecordType.ACCESS, RecordCodec.kappa(accV), kappa0,
        List.of(tind[0], tind[1])));
    block("what ‖ why", accessMsg, "K_acc", kacc, "AD", adAcc, "box", accBox, "access", accV, "κ", RecordCodec.kappa(accV),
        "event", accEv);

    h("Emergency escrow: the patient allows emergency access for custodians A and B");
    byte[] ca = new byte[48], cb = new byte[48];
    rnd.nextBytes(ca);
    rnd.nextBytes(cb);
    BigInteger a = P256.scalarFrom(ca), b = P256.scalarFrom(cb);
    byte[] pa = P256.encodeCompressed(P256.publicPoint(a)), pb = P256.encodeCompressed(P256.publicPoint(b));
    DeterministicRandom escrowDraws = rnd.copy();
    org.medledger.core.record.EscrowRecord escrow;
    try (SiffKey key = TreatmentProtocol.recoverKey(sp, kappa0, e1.tag())) {
      escrow = EmergencyEscrow.seal(key, kappa0, e1.tag(), consent.patientIndex(), pa, pb, rnd);
    }
    byte[] eDraw = new byte[48];
    escrowDraws.nextBytes(eDraw);
    BigInteger e = P256.scalarFrom(eDraw);
    assertThat(escrow.ephemeral()).isEqualTo(P256.encodeCompressed(P256.publicPoint(e)));
    byte[] za = P256.sharedSecret(e, P256.decodePoint(pa)), zb = P256.sharedSecret(e, P256.decodePoint(pb));
    assertThat(EmergencyEscrow.share(a, escrow)).isEqualTo(za);
    byte[] kesc = Hashes.hkdfSha256(Bytes.concat(za, zb), kappa0,
        Bytes.concat(ascii("MedLedger v1 emergency escrow"), pa, pb, escrow.ephemeral()), 32);
    byte[] adEsc = Bytes.concat(ascii("MedLedger v1 emergency escrow"), kappa0, e1.tag().hash(), Bytes.u64(consent.patientIndex()));
    assertThat(AesGcm.open(kesc, adEsc, escrow.box())).isEqualTo(e1.key());
    byte[] escV = RecordCodec.encode(escrow);
    assertThat(escV).hasSize(270);
    block("A", pa, "B", pb, "E", escrow.ephemeral(), "Z_A", za, "Z_B", zb, "K_esc", kesc, "AD", adEsc, "escrow", escV,
        "κ", RecordCodec.kappa(escV));

    h("Emergency justification: a doctor who takes no part asks (reason 01), and its event to every member of epoch 1");
    byte[] request = new byte[16];
    rnd.nextBytes(request);
    long er = 0x0e0e0e0e0e0e0e0eL;
    byte[] emV = RecordCodec.encode(new org.medledger.core.record.EmergencyRecord(kappa0, er, 1, request));
    assertThat(emV).isEqualTo(Bytes.concat(ascii("ML"), new byte[] {1, 0x11},
        new byte[] {1}, Bytes.u32(32), kappa0, new byte[] {2}, Bytes.u32(8), Bytes.u64(er),
        new byte[] {3}, Bytes.u32(1), new byte[] {1}, new byte[] {4}, Bytes.u32(16), request));
    List<Long> everyone = e1.members(); // the members of the newest epoch: m2, not m
    byte[] emEv = RecordCodec.encodeEvent(new EventPayload(RecordType.EMERGENCY, RecordCodec.kappa(emV), kappa0, everyone));
    block("ind_e", ParticipantIndex.hex(er) + " (a registered doctor, placeholder index)", "justification", emV,
        "κ", RecordCodec.kappa(emV), "event", emEv);
    return "\n" + out;
  }

  /** docs/protocol.md §Key epochs: member change (0x0D), the newcomer's txtr, the epoch record (0x0E). */
  /** Epoch 1 as the worked example leaves it: its tag, its key f_1, its members' indexes (sorted). */
  private record Epoch1(SiffTag tag, byte[] key, List<Long> members) {}

  private Epoch1 keyEpochs(DeterministicRandom rnd, UserSecret[] sigma, long[] ind, long[] tind, Consent consent, Txtc txtc,
      byte[] kappa0, List<Txtr> txtrs, Siff.Built built, byte[] txdV) {
    UserSecret sp = sigma[0], sd = sigma[2], sm = sigma[3], si = sigma[5];
    UserSecret sm2 = UserSecret.of(filled(32, 0x77));
    long indM2 = ParticipantIndex.of(sm2.signingKeyPair().publicKey());
    h("Key epochs: the patient replaces the pharmacist m by a pharmacist m2 (σ = 32 bytes of 0x77)");
    org.medledger.core.record.MemberChange change = org.medledger.core.protocol.epoch.MemberChanges.change(sp, consent,
        kappa0, 1, new org.medledger.core.protocol.epoch.MemberChanges.Request(List.of(), List.of(), List.of(),
            List.of(indM2), List.of(ind[3])));
    byte[] signedBytes = Bytes.concat(ascii("ML"), new byte[] {1, 0x0d},
        new byte[] {1}, Bytes.u32(32), kappa0,
        new byte[] {2}, Bytes.u32(4), Bytes.u32(1),
        new byte[] {3}, Bytes.u32(1), new byte[] {0},
        new byte[] {4}, Bytes.u32(1), new byte[] {0},
        new byte[] {5}, Bytes.u32(1), new byte[] {0},
        new byte[] {6}, Bytes.u32(9), new byte[] {1}, Bytes.u64(indM2),
        new byte[] {7}, Bytes.u32(9), new byte[] {1}, Bytes.u64(ind[3]));
    assertThat(change.signedBytes()).isEqualTo(signedBytes);
    EcKeyPair skP = sp.blindedSigningKeyPair(consent.consentId());
    assertThat(change.signature()).isEqualTo(skP.sign(Bytes.concat(ascii("MedLedger v1 member change"), signedBytes)));
    byte[] changeV = RecordCodec.encode(change);
    assertThat(changeV).isEqualTo(Bytes.concat(signedBytes, new byte[] {8}, Bytes.u32(change.signature().length),
        change.signature()));
    assertThat(org.medledger.core.protocol.epoch.MemberChanges.valid(
        (org.medledger.core.record.MemberChange) RecordCodec.parse(changeV), consent)).isTrue();
    byte[] changeKappa = RecordCodec.kappa(changeV);
    List<Long> told = new ArrayList<>(List.of(tind[0], tind[1], ind[2], ind[3], ind[4], ind[5], indM2));
    byte[] cevV = RecordCodec.encodeEvent(new EventPayload(RecordType.MEMBER_CHANGE, changeKappa, kappa0, told));
    block("ind_m2", ParticipantIndex.hex(indM2), "signed bytes", signedBytes, "signature", change.signature(),
        "change", changeV, "κ", changeKappa, "event", cevV);

    // The newcomer answers as at the start: s_m2 = HMAC(σ_m2, κ0), c_m2 for the doctor's pk_d.
    byte[] s2 = Hashes.hmacSha256(filled(32, 0x77), kappa0);
    EcKeyPair eph = sm2.ephemeralKeyPair(kappa0);
    byte[] z = eph.agree(P256.decodePoint(txtc.doctorKey()));
    byte[] kw = Hashes.hkdfSha256(z, kappa0, Bytes.concat(ascii("MedLedger v1 wrap"), eph.publicKey(), txtc.doctorKey()), 32);
    byte[] adw = Bytes.concat(ascii("MedLedger v1 txtr"), kappa0, Bytes.u64(indM2), Bytes.u64(ind[2]));
    byte[] nw = new byte[12];
    rnd.nextBytes(nw);
    Txtr answer = new Txtr(kappa0, indM2, eph.publicKey(), Bytes.concat(nw, AesGcm.encrypt(kw, nw, adw, s2, 128)));
    byte[] answerV = RecordCodec.encode(answer);
    block("s_m2", s2, "txtr of m2", answerV);

    // The doctor builds the function of the new member set from the latest answers (the others'
    // answers from the start still count) and wraps epoch 0's key under the new one.
    org.medledger.core.protocol.epoch.MemberSet next =
        org.medledger.core.protocol.epoch.MemberSet.initial(consent, List.of()).apply(change);
    List<Txtr> answers = new ArrayList<>(txtrs);
    answers.add(answer);
    DeterministicRandom replay = rnd.copy();
    Siff.Built epoch1 = org.medledger.core.protocol.epoch.KeyEpochs.buildKey(sd, txtc, kappa0, next,
        TreatmentProtocol.latestAnswers(answers), rnd);
    byte[] u1 = new byte[32];
    replay.nextBytes(u1);
    assertThat(epoch1.key().bytes()).isEqualTo(u1);
    assertThat(epoch1.tag().members()).isEqualTo(6);
    DeterministicRandom replayWrap = rnd.copy();
    org.medledger.core.record.KeyEpoch epochRecord = org.medledger.core.protocol.epoch.KeyEpochs.epochRecord(sd, txtc,
        kappa0, change, changeKappa, epoch1, List.of(built.tag()), rnd);
    byte[] kep = Hashes.hkdfSha256(u1, kappa0, Bytes.concat(ascii("MedLedger v1 epoch key"), Bytes.u32(1), Bytes.u32(0)), 32);
    byte[] adep = Bytes.concat(ascii("MedLedger v1 epoch key"), kappa0, Bytes.u32(1), epoch1.tag().hash(), Bytes.u32(0),
        built.tag().hash());
    byte[] nep = new byte[12];
    replayWrap.nextBytes(nep);
    byte[] w0 = Bytes.concat(nep, AesGcm.encrypt(kep, nep, adep, built.key().bytes(), 128));
    byte[] tag1 = epoch1.tag().encoded();
    byte[] epochV = RecordCodec.encode(epochRecord);
    assertThat(epochV).isEqualTo(Bytes.concat(ascii("ML"), new byte[] {1, 0x0e},
        new byte[] {1}, Bytes.u32(32), kappa0,
        new byte[] {2}, Bytes.u32(4), Bytes.u32(1),
        new byte[] {3}, Bytes.u32(32), changeKappa,
        new byte[] {4}, Bytes.u32(8), Bytes.u64(ind[2]),
        new byte[] {5}, Bytes.u32(tag1.length), tag1,
        new byte[] {6}, Bytes.u32(61), new byte[] {1}, w0));
    byte[] epochKappa = RecordCodec.kappa(epochV);
    byte[] eevV = RecordCodec.encodeEvent(new EventPayload(RecordType.KEY_EPOCH, epochKappa, kappa0, told));
    block("f_1 (u1)", u1, "H(tag_1)", epoch1.tag().hash(), "K_ep", kep, "AD", adep, "w_0", w0, "epoch", epochV,
        "κ", epochKappa, "event", eevV);

    // The doctor's next diagnosis is under epoch 1; m2 reads it and the first txd, m only the first.
    String msg = "surgery done, no complications";
    byte[] info = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {(byte) RecordType.TXD.code()}, Bytes.u64(ind[2]),
        Bytes.u32(3));
    byte[] krec = Hashes.hkdfSha256(u1, kappa0, info, 32);
    byte[] ad = Bytes.concat(ascii("MedLedger v1 record"), new byte[] {2}, kappa0, epoch1.tag().hash(),
        new byte[] {(byte) RecordType.TXD.code()}, Bytes.u64(ind[2]), Bytes.u32(3));
    byte[] n3 = new byte[12];
    rnd.nextBytes(n3);
    byte[] padded = Arrays.copyOf(msg.getBytes(StandardCharsets.UTF_8), 256);
    padded[msg.length()] = (byte) 0x80;
    byte[] txd3 = RecordCodec.encode(new ProcessRecord(RecordType.TXD, kappa0, ind[2], next.othersThan(ind[2]), 3, tag1,
        Bytes.concat(n3, AesGcm.encrypt(krec, n3, ad, padded, 128))));
    List<org.medledger.core.record.KeyEpoch> epochs = List.of((org.medledger.core.record.KeyEpoch) RecordCodec.parse(epochV));
    ProcessRecord first = (ProcessRecord) RecordCodec.parse(txdV);
    ProcessRecord later = (ProcessRecord) RecordCodec.parse(txd3);
    for (UserSecret reader : List.of(sm2, sp, si)) {
      try (var ring = org.medledger.core.protocol.epoch.KeyRing.of(reader, kappa0, built.tag(), epochs)) {
        assertThat(new String(ring.read(first), StandardCharsets.UTF_8)).isEqualTo("diagnosis: appendicitis");
        assertThat(new String(ring.read(later), StandardCharsets.UTF_8)).isEqualTo(msg);
      }
    }
    try (var ring = org.medledger.core.protocol.epoch.KeyRing.of(sm, kappa0, built.tag(), epochs)) {
      assertThat(new String(ring.read(first), StandardCharsets.UTF_8)).isEqualTo("diagnosis: appendicitis");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ring.read(later))
          .isInstanceOf(org.medledger.core.crypto.AuthenticationFailedException.class);
    }
    block("message", "\"" + msg + "\" (UTF-8)", "AD", ad, "txd no. 3", txd3);
    epoch1.key().close();
    List<Long> members = new ArrayList<>(next.indexes());
    members.sort(Long::compareUnsigned);
    return new Epoch1(epoch1.tag(), u1, members);
  }

  private static int indexOf(long[] ind, long v) {
    for (int i = 0; i < ind.length; i++) if (ind[i] == v) return i;
    throw new AssertionError();
  }

  /** hash_to_field as documented: OS2IP(SHA-512(DST||0x00||s) || SHA-512(DST||0x01||s)) mod p. */
  static BigInteger hashToField(byte[] s) {
    byte[] dst = ascii("MedLedger-v1-SIFF-hash-to-field");
    byte[] both = Bytes.concat(Hashes.sha512(dst, new byte[] {0}, s), Hashes.sha512(dst, new byte[] {1}, s));
    return new BigInteger(1, both).mod(P);
  }

  /** A uniform field element as Siff draws it: 66 bytes, top byte masked to 1 bit, retried while ≥ p. */
  static BigInteger randomElement(DeterministicRandom r) {
    byte[] b = new byte[66];
    while (true) {
      r.nextBytes(b);
      b[0] &= 0x01;
      BigInteger v = new BigInteger(1, b);
      if (v.compareTo(P) < 0) return v;
    }
  }

  static BigInteger horner(byte[] tag, BigInteger x) {
    BigInteger acc = BigInteger.ZERO;
    for (int i = tag.length / 66 - 1; i >= 0; i--) {
      acc = acc.multiply(x).add(new BigInteger(1, Arrays.copyOfRange(tag, i * 66, (i + 1) * 66))).mod(P);
    }
    return acc;
  }

  static byte[] fixed32(BigInteger v) {
    return Arrays.copyOfRange(fixed(v), 34, 66);
  }

  static byte[] fixed(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[66];
    int n = Math.min(raw.length, 66);
    System.arraycopy(raw, raw.length - n, out, 66 - n, n);
    return out;
  }
}
