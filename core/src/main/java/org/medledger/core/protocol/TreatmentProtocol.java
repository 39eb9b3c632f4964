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
   * Initialization 4 (doctor): decrypts every s_x, adds s_d, builds the SIFF function. Needs one
   * txtr from every responder of the consent (and nothing else).
   */
  public static Siff.Built buildKey(
      UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> responses, SecureRandom random) {
    Consent c = txtc.consent();
    Map<Long, Txtr> byIndex = new HashMap<>();
    for (Txtr t : responses) {
      if (!Arrays.equals(t.kappa0(), kappa0)) {
        throw new CryptoException("a response belongs to another treatment");
      }
      if (byIndex.put(t.responder(), t) != null) {
        throw new CryptoException("participant " + ParticipantIndex.hex(t.responder()) + " answered twice");
      }
    }
    EcKeyPair pkd = doctor.ephemeralKeyPair(c.consentId());
    if (!Arrays.equals(pkd.publicKey(), txtc.doctorKey())) {
      throw new CryptoException("this treatment was opened by another doctor's key");
    }
    List<byte[]> strings = new ArrayList<>();
    try {
      for (Consent.Member m : c.responders()) {
        Txtr t = byIndex.remove(m.index());
        if (t == null) {
          throw new CryptoException("participant " + ParticipantIndex.hex(m.index()) + " has not answered yet");
        }
        strings.add(TokenWrap.unwrap(
            t.wrappedToken(), pkd, P256.decodePoint(t.responderKey()), kappa0, m.index(), c.doctor()));
      }
      if (!byIndex.isEmpty()) {
        throw new CryptoException("a response comes from someone who was not selected");
      }
      strings.add(doctor.initialString(kappa0));
      return Siff.build(strings, random);
    } finally {
      strings.forEach(Bytes::wipe);
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
    if (message.length > RecordCodec.MAX_MESSAGE_BYTES) {
      throw new CryptoException(
          "the message is " + message.length + " bytes; the limit is " + RecordCodec.MAX_MESSAGE_BYTES);
    }
    List<Long> others = new ArrayList<>();
    for (Consent.Member m : txtc.consent().members()) if (m.index() != sender) others.add(m.index());
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
