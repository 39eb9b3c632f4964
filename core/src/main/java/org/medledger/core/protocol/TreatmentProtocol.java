package org.medledger.core.protocol;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.math.ec.ECPoint;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.RecordCipher;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.TokenWrap;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtr;

/**
 * The client side of the paper's "The system" section, one static method per step, each run by
 * one participant with nothing but their own σ and public ledger data (docs/protocol.md §Flow).
 */
public final class TreatmentProtocol {
  private static final byte[] CONSENT_LABEL = "MedLedger v1 consent".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private TreatmentProtocol() {}

  /** Initialization 1 (patient): the signed selection that goes into the QR code. */
  public static Consent consent(
      UserSecret patient, List<byte[]> familyKeys, List<Long> insurers, List<Long> lawyers,
      List<Long> pharmacists, long doctor, SecureRandom random) {
    EcKeyPair signing = patient.signingKeyPair();
    byte[] id = new byte[Consent.CONSENT_ID_BYTES];
    random.nextBytes(id);
    return signConsent(signing, familyKeys, insurers, lawyers, pharmacists, doctor, id);
  }

  /** The consent of {@code signing}'s public key with the given id, in canonical form, signed. */
  static Consent signConsent(EcKeyPair signing, List<byte[]> familyKeys, List<Long> insurers, List<Long> lawyers,
      List<Long> pharmacists, long doctor, byte[] id) {
    Consent unsigned = new Consent(
        signing.publicKey(), sortedKeys(familyKeys), sorted(insurers), sorted(lawyers), sorted(pharmacists),
        doctor, id.clone(), new byte[0]);
    checkDistinctMembers(unsigned);
    return unsigned.withSignature(signing.sign(Bytes.concat(CONSENT_LABEL, unsigned.signedBytes())));
  }

  /** True when the consent carries a valid signature by vk_p over its selection. */
  public static boolean consentValid(Consent c) {
    try {
      ECPoint vkp = P256.decodePoint(c.patientKey());
      return P256.verify(vkp, Bytes.concat(CONSENT_LABEL, c.signedBytes()), c.signature());
    } catch (CryptoException e) {
      return false;
    }
  }

  /** Members must be distinct people: the same index twice would make SIFF refuse later. */
  public static void checkDistinctMembers(Consent c) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (Consent.Member m : c.members()) {
      if (!seen.add(m.index())) {
        throw new CryptoException("participant " + ParticipantIndex.hex(m.index()) + " is selected twice");
      }
    }
  }

  /** Initialization 2 (doctor): the txtc, with pk_d derived from σ_d and the consent id. */
  public static Txtc open(UserSecret doctor, Consent consent) {
    if (!consentValid(consent)) {
      throw new CryptoException("the patient's consent signature is not valid");
    }
    checkDistinctMembers(consent);
    return new Txtc(consent, doctor.ephemeralKeyPair(consent.consentId()).publicKey());
  }

  /** Initialization 3 (each selected participant x): txtr = (κ0, ind_x, pk_x, c_x). */
  public static Txtr respond(UserSecret x, long indX, Txtc txtc, byte[] kappa0) {
    if (txtc.consent().roleOf(indX) == null) {
      throw new CryptoException("participant " + ParticipantIndex.hex(indX) + " is not selected in this treatment");
    }
    EcKeyPair eph = x.ephemeralKeyPair(kappa0);
    byte[] s = x.initialString(kappa0);
    try {
      byte[] cx = TokenWrap.wrap(
          s, eph, P256.decodePoint(txtc.doctorKey()), kappa0, indX, txtc.consent().doctor());
      return new Txtr(kappa0.clone(), indX, eph.publicKey(), cx);
    } finally {
      Bytes.wipe(s);
    }
  }

  /**
   * A responder's answer that the doctor cannot open (c_x does not authenticate, or pk_x is not a
   * point the doctor can agree with). Names every such responder, so the doctor's portal can say
   * whose answer to wait for, or whom to leave out of the key.
   */
  public static final class UnreadableAnswersException extends CryptoException {
    private static final long serialVersionUID = 1L;
    private final List<Long> members;

    UnreadableAnswersException(List<Long> members) {
      super("the answer of " + (members.size() == 1 ? "participant " : "participants ")
          + String.join(", ", members.stream().map(ParticipantIndex::hex).toList()) + " cannot be opened");
      this.members = List.copyOf(members);
    }

    /** The responders whose latest answer does not open, in consent order. */
    public List<Long> members() {
      return members;
    }
  }

  /** What the doctor finds in the latest answers: who has not answered, whose answer does not open. */
  public record AnswerCheck(List<Long> missing, List<Long> unreadable) {
    public AnswerCheck {
      missing = List.copyOf(missing);
      unreadable = List.copyOf(unreadable);
    }

    public boolean complete() {
      return missing.isEmpty() && unreadable.isEmpty();
    }
  }

  /**
   * The answer that counts for each responder: the last one in ledger order (a responder may
   * replace their txtr until the key is pinned; rule R5 makes each replacement strictly later in
   * transaction time, so ledger order is unambiguous).
   */
  public static List<Txtr> latestAnswers(List<Txtr> inLedgerOrder) {
    Map<Long, Txtr> last = new java.util.LinkedHashMap<>();
    for (Txtr t : inLedgerOrder) {
      last.remove(t.responder());
      last.put(t.responder(), t);
    }
    return new ArrayList<>(last.values());
  }

  /** Opens every latest answer without building anything: whose is missing, whose does not open. */
  public static AnswerCheck checkAnswers(UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> latest) {
    Consent c = txtc.consent();
    Map<Long, Txtr> byIndex = byResponder(kappa0, latest);
    EcKeyPair pkd = doctorKey(doctor, txtc);
    List<Long> missing = new ArrayList<>();
    List<Long> unreadable = new ArrayList<>();
    for (Consent.Member m : c.responders()) {
      Txtr t = byIndex.get(m.index());
      if (t == null) {
        missing.add(m.index());
        continue;
      }
      byte[] s = openAnswer(pkd, t, kappa0, c.doctor());
      if (s == null) unreadable.add(m.index());
      else Bytes.wipe(s);
    }
    return new AnswerCheck(missing, unreadable);
  }

  /**
   * Initialization 4 (doctor): decrypts every s_x, adds s_d, builds the SIFF function. Needs one
   * txtr from every responder of the consent (and nothing else).
   *
   * @throws UnreadableAnswersException naming every responder whose c_x does not open
   */
  public static Siff.Built buildKey(
      UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> responses, SecureRandom random) {
    return buildKey(doctor, txtc, kappa0, responses, List.of(), random);
  }

  /**
   * Initialization 4 without some responders (docs/protocol.md §txk): the function's members are
   * the consent's members minus {@code excluded}, in the usual order; the excluded responders'
   * answers, readable or not, are ignored. The patient can never be left out (the treatment is
   * theirs), nor the doctor (who builds the key).
   */
  public static Siff.Built buildKey(UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> responses,
      Collection<Long> excluded, SecureRandom random) {
    Consent c = txtc.consent();
    checkExcluded(c, excluded);
    Map<Long, Txtr> byIndex = byResponder(kappa0, responses);
    EcKeyPair pkd = doctorKey(doctor, txtc);
    for (long ind : byIndex.keySet()) {
      if (c.responders().stream().noneMatch(m -> m.index() == ind)) {
        throw new CryptoException("a response comes from someone who was not selected");
      }
    }
    List<byte[]> strings = new ArrayList<>();
    List<Long> unreadable = new ArrayList<>();
    try {
      for (Consent.Member m : c.responders()) {
        if (excluded.contains(m.index())) continue;
        Txtr t = byIndex.get(m.index());
        if (t == null) {
          throw new CryptoException("participant " + ParticipantIndex.hex(m.index()) + " has not answered yet");
        }
        byte[] s = openAnswer(pkd, t, kappa0, c.doctor());
        if (s == null) unreadable.add(m.index());
        else strings.add(s);
      }
      if (!unreadable.isEmpty()) throw new UnreadableAnswersException(unreadable);
      strings.add(doctor.initialString(kappa0));
      return Siff.build(strings, random);
    } finally {
      strings.forEach(Bytes::wipe);
    }
  }

  /**
   * True when {@code tag} still fits the latest answers: every member's answer opens and its s_x
   * evaluates to the same key as the doctor's own s_d. The doctor's portal keeps a tag it built
   * until its first txd pins it; an answer replaced in between (R5) may no longer fit, and then
   * the key is built again, so the latest answer is what counts.
   */
  public static boolean tagFits(UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> latest, SiffTag tag) {
    Consent c = txtc.consent();
    if (tag.members() != c.members().size()) return false;
    Map<Long, Txtr> byIndex = byResponder(kappa0, latest);
    EcKeyPair pkd = doctorKey(doctor, txtc);
    try (SiffKey mine = recoverKey(doctor, kappa0, tag)) {
      for (Consent.Member m : c.responders()) {
        Txtr t = byIndex.get(m.index());
        byte[] s = t == null ? null : openAnswer(pkd, t, kappa0, c.doctor());
        if (s == null) return false;
        try (SiffKey theirs = Siff.evaluate(tag, s)) {
          if (!theirs.sameAs(mine)) return false;
        } finally {
          Bytes.wipe(s);
        }
      }
      return true;
    }
  }

  /** The doctor's key record for a tag built without {@code excluded} (rule R8 checks it). */
  public static Txk keyRecord(Txtc txtc, byte[] kappa0, Collection<Long> excluded, SiffTag tag) {
    Consent c = txtc.consent();
    checkExcluded(c, excluded);
    if (tag.members() != c.members().size() - excluded.size()) {
      throw new CryptoException("the tag is built for " + tag.members() + " members, not "
          + (c.members().size() - excluded.size()));
    }
    return new Txk(kappa0.clone(), c.doctor(), sorted(new ArrayList<>(excluded)), tag.encoded());
  }

  /** The members of the treatment's key: the consent's members without the excluded ones. */
  public static List<Long> keyMembers(Consent c, Collection<Long> excluded) {
    List<Long> out = new ArrayList<>();
    for (Consent.Member m : c.members()) if (!excluded.contains(m.index())) out.add(m.index());
    return out;
  }

  /**
   * A responder checks their own answer on the ledger: true when pk_x is theirs for this
   * treatment and c_x opens to their s_x, i.e. the doctor will be able to read it.
   */
  public static boolean answerOpens(UserSecret x, long indX, Txtc txtc, Txtr answer) {
    if (answer.responder() != indX || !Arrays.equals(answer.kappa0(), RecordCodec.kappa(RecordCodec.encode(txtc)))) {
      return false;
    }
    EcKeyPair eph = x.ephemeralKeyPair(answer.kappa0());
    if (!Arrays.equals(eph.publicKey(), answer.responderKey())) return false;
    byte[] s = x.initialString(answer.kappa0());
    byte[] got = null;
    try {
      got = TokenWrap.unwrapOwn(answer.wrappedToken(), eph, P256.decodePoint(txtc.doctorKey()), answer.kappa0(), indX,
          txtc.consent().doctor());
      return Arrays.equals(got, s);
    } catch (CryptoException e) {
      return false;
    } finally {
      Bytes.wipe(s);
      if (got != null) Bytes.wipe(got);
    }
  }

  private static void checkExcluded(Consent c, Collection<Long> excluded) {
    for (long ind : excluded) {
      if (ind == c.patientIndex()) {
        throw new CryptoException("the patient cannot be left out of their own treatment's key");
      }
      if (ind == c.doctor()) {
        throw new CryptoException("the doctor cannot be left out of the key they build");
      }
      if (c.responders().stream().noneMatch(m -> m.index() == ind)) {
        throw new CryptoException("participant " + ParticipantIndex.hex(ind) + " is not selected in this treatment");
      }
    }
  }

  private static Map<Long, Txtr> byResponder(byte[] kappa0, Collection<Txtr> responses) {
    Map<Long, Txtr> byIndex = new HashMap<>();
    for (Txtr t : responses) {
      if (!Arrays.equals(t.kappa0(), kappa0)) {
        throw new CryptoException("a response belongs to another treatment");
      }
      if (byIndex.put(t.responder(), t) != null) {
        throw new CryptoException("participant " + ParticipantIndex.hex(t.responder()) + " answered twice");
      }
    }
    return byIndex;
  }

  private static EcKeyPair doctorKey(UserSecret doctor, Txtc txtc) {
    EcKeyPair pkd = doctor.ephemeralKeyPair(txtc.consent().consentId());
    if (!Arrays.equals(pkd.publicKey(), txtc.doctorKey())) {
      throw new CryptoException("this treatment was opened by another doctor's key");
    }
    return pkd;
  }

  /** s_x, or null when c_x does not open (altered, random, or made for someone else). */
  private static byte[] openAnswer(EcKeyPair pkd, Txtr t, byte[] kappa0, long doctorIndex) {
    try {
      return TokenWrap.unwrap(t.wrappedToken(), pkd, P256.decodePoint(t.responderKey()), kappa0, t.responder(), doctorIndex);
    } catch (CryptoException e) {
      return null;
    }
  }

  /** Process (any member): f(s_x) from the tag and the member's own σ. */
  public static SiffKey recoverKey(UserSecret x, byte[] kappa0, SiffTag tag) {
    byte[] s = x.initialString(kappa0);
    try {
      return Siff.evaluate(tag, s);
    } finally {
      Bytes.wipe(s);
    }
  }

  /** Process (doctor txd, pharmacist txm, insurer txa): seals a message into a record. */
  public static ProcessRecord write(
      RecordType type, Txtc txtc, byte[] kappa0, SiffTag tag, SiffKey key, long sender, int sequence,
      byte[] message) {
    return write(type, txtc, kappa0, tag, key, sender, sequence, message, List.of());
  }

  /**
   * As above in a treatment whose key was built without {@code excluded} (a txk): the record's
   * other indexes are the key's members, so the excluded are not named.
   */
  public static ProcessRecord write(
      RecordType type, Txtc txtc, byte[] kappa0, SiffTag tag, SiffKey key, long sender, int sequence,
      byte[] message, Collection<Long> excluded) {
    if (message.length > RecordCodec.MAX_MESSAGE_BYTES) {
      throw new CryptoException(
          "the message is " + message.length + " bytes; the limit is " + RecordCodec.MAX_MESSAGE_BYTES);
    }
    List<Long> others = new ArrayList<>();
    for (long m : keyMembers(txtc.consent(), excluded)) if (m != sender) others.add(m);
    byte[] box = RecordCipher.seal(key, context(type, kappa0, tag, sender, sequence), message);
    return new ProcessRecord(type, kappa0.clone(), sender, sorted(others), sequence, tag.encoded(), box);
  }

  /** Opens a process record with the treatment key; throws if anything was altered. */
  public static byte[] read(SiffKey key, ProcessRecord record) {
    return open(key, record, SiffTag.parse(record.tag()));
  }

  /** Reads a record with nothing but the member's σ: evaluates the tag, then opens. */
  public static byte[] read(UserSecret x, ProcessRecord record) {
    SiffTag tag = SiffTag.parse(record.tag());
    try (SiffKey key = recoverKey(x, record.kappa0(), tag)) {
      return open(key, record, tag);
    }
  }

  private static byte[] open(SiffKey key, ProcessRecord record, SiffTag tag) {
    return RecordCipher.open(
        key, context(record.type(), record.kappa0(), tag, record.sender(), record.sequence()), record.ciphertext());
  }

  private static RecordCipher.Context context(RecordType type, byte[] kappa0, SiffTag tag, long sender, int seq) {
    return new RecordCipher.Context(kappa0, tag.hash(), type.code(), sender, seq);
  }

  private static List<Long> sorted(List<Long> in) {
    List<Long> out = new ArrayList<>(in);
    out.sort(Long::compareUnsigned);
    return out;
  }

  private static List<byte[]> sortedKeys(List<byte[]> in) {
    List<byte[]> out = new ArrayList<>(in);
    out.sort(Arrays::compareUnsigned);
    return out;
  }
}
