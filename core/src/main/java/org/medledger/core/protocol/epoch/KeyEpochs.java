package org.medledger.core.protocol.epoch;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.RecordCipher;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.TokenWrap;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * Key epochs (docs/protocol.md §Key epochs): after the patient's member change, an added member
 * answers as at the start (a txtr), then the doctor builds a new SIFF function for the new member
 * set and writes the epoch record, which pins its tag and carries every earlier epoch's key wrapped
 * under the new key:
 *
 * <pre>
 * K_ep = HKDF(f_e, salt = κ0, info = "MedLedger v1 epoch key" ‖ u32 e ‖ u32 j, 32)
 * AD   = "MedLedger v1 epoch key" ‖ κ0 ‖ u32 e ‖ H(tag_e) ‖ u32 j ‖ H(tag_j)
 * w_j  = N ‖ GCM(K_ep, N, AD, f_j)                                       60 bytes, j = 0 .. e − 1
 * </pre>
 *
 * A removed member's s_x is not a point of the new function, so f_e and every later key stay out
 * of reach; an added member's s_x is, and opens f_0 .. f_{e−1} from the wraps.
 */
public final class KeyEpochs {
  private static final byte[] LABEL = "MedLedger v1 epoch key".getBytes(StandardCharsets.US_ASCII);

  private KeyEpochs() {}

  /**
   * An added member's answer (txtr), as at the start: s_x = HMAC(σ_x, κ0) wrapped for the doctor's
   * pk_d of the txtc. {@code indX} must be added by {@code change}.
   */
  public static Txtr respond(UserSecret x, long indX, Txtc txtc, byte[] kappa0, MemberChange change) {
    if (change.added().stream().noneMatch(m -> m.index() == indX)) {
      throw new CryptoException("participant " + ParticipantIndex.hex(indX) + " is not added by this change");
    }
    EcKeyPair eph = x.ephemeralKeyPair(kappa0);
    byte[] s = x.initialString(kappa0);
    try {
      byte[] cx = TokenWrap.wrap(s, eph, P256.decodePoint(txtc.doctorKey()), kappa0, indX, txtc.consent().doctor());
      return new Txtr(kappa0.clone(), indX, eph.publicKey(), cx);
    } finally {
      Bytes.wipe(s);
    }
  }

  /** Who of {@code members} has no answer yet, or an answer the doctor cannot open. */
  public static List<Long> missingAnswers(UserSecret doctor, Txtc txtc, byte[] kappa0, MemberSet members,
      Collection<Txtr> latest) {
    Map<Long, Txtr> byIndex = byResponder(kappa0, latest);
    EcKeyPair pkd = doctorKey(doctor, txtc);
    List<Long> out = new ArrayList<>();
    for (Consent.Member m : members.responders()) {
      byte[] s = open(pkd, byIndex.get(m.index()), kappa0, txtc.consent().doctor());
      if (s == null) out.add(m.index());
      else Bytes.wipe(s);
    }
    return out;
  }

  /**
   * The doctor builds the function of the new member set from every member's latest answer
   * (existing members' answers from the start still count: s_x depends only on σ_x and κ0).
   */
  public static Siff.Built buildKey(UserSecret doctor, Txtc txtc, byte[] kappa0, MemberSet members,
      Collection<Txtr> latest, SecureRandom random) {
    Map<Long, Txtr> byIndex = byResponder(kappa0, latest);
    EcKeyPair pkd = doctorKey(doctor, txtc);
    List<byte[]> strings = new ArrayList<>();
    try {
      for (Consent.Member m : members.members()) {
        if (m.role() == org.medledger.core.record.Role.DOCTOR) {
          if (m.index() != txtc.consent().doctor()) throw new CryptoException("the member set names another doctor");
          strings.add(doctor.initialString(kappa0));
          continue;
        }
        byte[] s = open(pkd, byIndex.get(m.index()), kappa0, txtc.consent().doctor());
        if (s == null) {
          throw new CryptoException("participant " + ParticipantIndex.hex(m.index())
              + " has not answered yet, or their answer cannot be opened");
        }
        strings.add(s);
      }
      return Siff.build(strings, random);
    } finally {
      strings.forEach(Bytes::wipe);
    }
  }

  /**
   * The epoch record completing {@code change} (whose κ is {@code changeKappa}): the new tag and
   * the keys of epochs 0 .. e − 1, which the doctor, a member of every epoch, evaluates from
   * {@code earlierTags} (in epoch order) with his own s_d.
   */
  public static KeyEpoch epochRecord(UserSecret doctor, Txtc txtc, byte[] kappa0, MemberChange change,
      byte[] changeKappa, Siff.Built built, List<SiffTag> earlierTags, SecureRandom random) {
    int e = change.epoch();
    if (earlierTags.size() != e) {
      throw new CryptoException("epoch " + e + " needs the tags of epochs 0 to " + (e - 1) + ", got " + earlierTags.size());
    }
    List<byte[]> wraps = new ArrayList<>();
    for (int j = 0; j < e; j++) {
      SiffTag tj = earlierTags.get(j);
      try (SiffKey fj = recover(doctor, kappa0, tj)) {
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        random.nextBytes(nonce);
        wraps.add(wrap(built.key(), kappa0, e, built.tag(), j, tj, fj, nonce));
      }
    }
    return new KeyEpoch(kappa0.clone(), e, changeKappa.clone(), txtc.consent().doctor(), built.tag().encoded(), wraps);
  }

  /** w_j: epoch j's key under epoch e's (given nonce: the worked example; otherwise random). */
  public static byte[] wrap(SiffKey fe, byte[] kappa0, int e, SiffTag tagE, int j, SiffTag tagJ, SiffKey fj, byte[] nonce) {
    byte[] k = wrapKey(fe, kappa0, e, j);
    byte[] plain = fj.bytes();
    try {
      return Bytes.concat(nonce, AesGcm.encrypt(k, nonce, ad(kappa0, e, tagE, j, tagJ), plain, AesGcm.TAG_BYTES * 8));
    } finally {
      Bytes.wipe(k);
      Bytes.wipe(plain);
    }
  }

  /** Opens w_j with epoch e's key; throws {@code AuthenticationFailedException} for a wrong key. */
  public static SiffKey unwrap(SiffKey fe, byte[] kappa0, int e, SiffTag tagE, int j, SiffTag tagJ, byte[] wrapped) {
    byte[] k = wrapKey(fe, kappa0, e, j);
    try {
      byte[] raw = AesGcm.open(k, ad(kappa0, e, tagE, j, tagJ), wrapped);
      try {
        return SiffKey.of(raw);
      } finally {
        Bytes.wipe(raw);
      }
    } finally {
      Bytes.wipe(k);
    }
  }

  /**
   * A process record under the newest epoch: its other indexes are that epoch's members without
   * the sender, its tag the epoch's tag (which tells every reader which epoch encrypts it).
   */
  public static ProcessRecord write(RecordType type, byte[] kappa0, SiffTag tag, SiffKey key, MemberSet members,
      long sender, int sequence, byte[] message) {
    if (!members.contains(sender)) {
      throw new CryptoException("participant " + ParticipantIndex.hex(sender) + " is not a member of this key");
    }
    if (message.length > RecordCodec.MAX_MESSAGE_BYTES) {
      throw new CryptoException("the message is " + message.length + " bytes; the limit is " + RecordCodec.MAX_MESSAGE_BYTES);
    }
    byte[] box = RecordCipher.seal(key, new RecordCipher.Context(kappa0, tag.hash(), type.code(), sender, sequence), message);
    return new ProcessRecord(type, kappa0.clone(), sender, members.othersThan(sender), sequence, tag.encoded(), box);
  }

  static SiffKey recover(UserSecret x, byte[] kappa0, SiffTag tag) {
    byte[] s = x.initialString(kappa0);
    try {
      return Siff.evaluate(tag, s);
    } finally {
      Bytes.wipe(s);
    }
  }

  private static byte[] wrapKey(SiffKey fe, byte[] kappa0, int e, int j) {
    byte[] ikm = fe.bytes();
    try {
      return Hashes.hkdfSha256(ikm, kappa0, Bytes.concat(LABEL, Bytes.u32(e), Bytes.u32(j)), 32);
    } finally {
      Bytes.wipe(ikm);
    }
  }

  static byte[] ad(byte[] kappa0, int e, SiffTag tagE, int j, SiffTag tagJ) {
    return Bytes.concat(LABEL, kappa0, Bytes.u32(e), tagE.hash(), Bytes.u32(j), tagJ.hash());
  }

  private static Map<Long, Txtr> byResponder(byte[] kappa0, Collection<Txtr> latest) {
    Map<Long, Txtr> out = new HashMap<>();
    for (Txtr t : latest) {
      if (!Arrays.equals(t.kappa0(), kappa0)) throw new CryptoException("an answer belongs to another treatment");
      out.put(t.responder(), t); // the caller passes the latest answer of each
    }
    return out;
  }

  private static EcKeyPair doctorKey(UserSecret doctor, Txtc txtc) {
    EcKeyPair pkd = doctor.ephemeralKeyPair(txtc.consent().consentId());
    if (!Arrays.equals(pkd.publicKey(), txtc.doctorKey())) {
      throw new CryptoException("this treatment was opened by another doctor's key");
    }
    return pkd;
  }

  private static byte[] open(EcKeyPair pkd, Txtr t, byte[] kappa0, long doctorIndex) {
    if (t == null) return null;
    try {
      return TokenWrap.unwrap(t.wrappedToken(), pkd, P256.decodePoint(t.responderKey()), kappa0, t.responder(), doctorIndex);
    } catch (CryptoException e) {
      return null;
    }
  }
}
