package org.medledger.portal.infrastructure.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * The treatment protocol's crypto steps (consent, ECDH token exchange, SIFF key building, record
 * sealing and opening), each run with the caller's σ and public ledger data only. The SIFF key
 * is recovered and wiped inside each call; it never reaches a backing bean.
 */
@ApplicationScoped
public class SiffService {
  @Inject CryptoService crypto;

  public Consent consent(UserSecret patient, List<byte[]> familyKeys, List<Long> insurers, List<Long> lawyers,
      List<Long> pharmacists, long doctor) {
    // Per-treatment identities: vk_p' and every vk_r' blinded with the consent id (docs/protocol.md).
    return org.medledger.core.protocol.TreatmentIdentities.consent(
        patient, familyKeys, insurers, lawyers, pharmacists, doctor, crypto.random());
  }

  public Txtc open(UserSecret doctor, Consent consent) {
    return TreatmentProtocol.open(doctor, consent);
  }

  public Txtr respond(UserSecret x, long index, Txtc txtc, byte[] kappa0) {
    return TreatmentProtocol.respond(x, index, txtc, kappa0);
  }

  /**
   * Builds the SIFF function for every member but {@code excluded} from the latest answers and
   * returns only its public tag; the key is wiped.
   *
   * @throws TreatmentProtocol.UnreadableAnswersException naming whose answer does not open
   */
  public SiffTag buildTag(UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> latest,
      Collection<Long> excluded) {
    Siff.Built built = TreatmentProtocol.buildKey(doctor, txtc, kappa0, latest, excluded, crypto.random());
    built.key().close();
    return built.tag();
  }

  /** The doctor opens every latest answer: who has not answered, whose answer does not open. */
  public TreatmentProtocol.AnswerCheck checkAnswers(UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> latest) {
    return TreatmentProtocol.checkAnswers(doctor, txtc, kappa0, latest);
  }

  /** Whether the doctor's unpinned tag still fits the latest answers. */
  public boolean tagFits(UserSecret doctor, Txtc txtc, byte[] kappa0, Collection<Txtr> latest, SiffTag tag) {
    return TreatmentProtocol.tagFits(doctor, txtc, kappa0, latest, tag);
  }

  /** A responder checks that the doctor can open their answer on the ledger. */
  public boolean answerOpens(UserSecret x, long index, Txtc txtc, Txtr answer) {
    return TreatmentProtocol.answerOpens(x, index, txtc, answer);
  }

  public ProcessRecord seal(UserSecret sender, RecordType type, Txtc txtc, byte[] kappa0, SiffTag tag, long senderIndex,
      int sequence, byte[] message, Collection<Long> excluded) {
    try (SiffKey key = TreatmentProtocol.recoverKey(sender, kappa0, tag)) {
      return TreatmentProtocol.write(type, txtc, kappa0, tag, key, senderIndex, sequence, message, excluded);
    }
  }

  /**
   * The keys of every epoch {@code x} can rebuild (docs/protocol.md §Key epochs); the caller
   * closes it, which wipes them.
   */
  public org.medledger.core.protocol.epoch.KeyRing keyRing(UserSecret x, byte[] kappa0, SiffTag tag0,
      List<org.medledger.core.record.KeyEpoch> epochs) {
    return org.medledger.core.protocol.epoch.KeyRing.of(x, kappa0, tag0, epochs);
  }

  /** Seals a record under the epoch of {@code tag} for its {@code members}; the key never leaves. */
  public ProcessRecord sealInEpoch(UserSecret sender, RecordType type, byte[] kappa0, SiffTag tag0,
      List<org.medledger.core.record.KeyEpoch> epochs, SiffTag tag, org.medledger.core.protocol.epoch.MemberSet members,
      long senderIndex, int sequence, byte[] message) {
    try (var ring = keyRing(sender, kappa0, tag0, epochs)) {
      SiffKey key = ring.keyFor(tag).orElseThrow(() -> new org.medledger.core.crypto.CryptoException(
          "your key does not open this treatment's newest records"));
      return org.medledger.core.protocol.epoch.KeyEpochs.write(type, kappa0, tag, key, members, senderIndex, sequence, message);
    }
  }

  /**
   * The doctor builds the key of the new member set and the epoch record completing the
   * patient's change; the key is wiped.
   */
  public org.medledger.core.record.KeyEpoch epochRecord(UserSecret doctor, Txtc txtc, byte[] kappa0,
      org.medledger.core.protocol.epoch.MemberSet next, Collection<Txtr> latest,
      org.medledger.core.record.MemberChange change, byte[] changeKappa, List<SiffTag> earlierTags) {
    Siff.Built built = org.medledger.core.protocol.epoch.KeyEpochs.buildKey(doctor, txtc, kappa0, next, latest, crypto.random());
    try {
      return org.medledger.core.protocol.epoch.KeyEpochs.epochRecord(doctor, txtc, kappa0, change, changeKappa, built,
          earlierTags, crypto.random());
    } finally {
      built.key().close();
    }
  }

  /** @throws org.medledger.core.crypto.AuthenticationFailedException if x is not a member */
  public byte[] open(UserSecret x, ProcessRecord record) {
    return TreatmentProtocol.read(x, record);
  }
}
