package org.medledger.core.protocol.epoch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.RecordCipher;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.Txk;

/**
 * The keys of a treatment that one member can rebuild with nothing but σ_x and the ledger
 * (docs/protocol.md §Key epochs, "Reading"). The newest epoch whose wrapped keys open under
 * f(s_x) gives that epoch's key and every earlier one; without such an epoch, only epoch 0's
 * f(s_x) is a candidate. A record names its epoch by its tag; a key the member cannot have
 * makes {@link #read} fail like any wrong key.
 */
public final class KeyRing implements AutoCloseable {
  /** Keys by the hex of H(tag), in epoch order. */
  private final Map<String, SiffKey> keys;
  private final int newestEpoch;

  private KeyRing(Map<String, SiffKey> keys, int newestEpoch) {
    this.keys = keys;
    this.newestEpoch = newestEpoch;
  }

  /**
   * @param tag0 the tag of epoch 0 (the doctor's first txd or his txk)
   * @param epochs the treatment's epoch records, in epoch order (1, 2, ...)
   */
  public static KeyRing of(UserSecret x, byte[] kappa0, SiffTag tag0, List<KeyEpoch> epochs) {
    List<SiffTag> tags = new ArrayList<>();
    tags.add(tag0);
    for (int i = 0; i < epochs.size(); i++) {
      KeyEpoch ep = epochs.get(i);
      if (ep.epoch() != i + 1 || !Arrays.equals(ep.kappa0(), kappa0)) {
        throw new CryptoException("the epoch records must be epochs 1 to " + epochs.size() + " of this treatment");
      }
      tags.add(SiffTag.parse(ep.tag()));
    }
    for (int e = epochs.size(); e >= 1; e--) {
      KeyEpoch ep = epochs.get(e - 1);
      SiffKey fe = KeyEpochs.recover(x, kappa0, tags.get(e));
      Map<String, SiffKey> got = new LinkedHashMap<>();
      try {
        for (int j = 0; j < e; j++) {
          got.put(Bytes.hex(tags.get(j).hash()),
              KeyEpochs.unwrap(fe, kappa0, e, tags.get(e), j, tags.get(j), ep.wrappedKeys().get(j)));
        }
      } catch (AuthenticationFailedException notAMember) {
        got.values().forEach(SiffKey::close);
        fe.close();
        continue; // x is not a member of epoch e; perhaps of an earlier one
      }
      got.put(Bytes.hex(tags.get(e).hash()), fe);
      return new KeyRing(got, e);
    }
    Map<String, SiffKey> only = new LinkedHashMap<>();
    only.put(Bytes.hex(tag0.hash()), KeyEpochs.recover(x, kappa0, tag0));
    return new KeyRing(only, 0);
  }

  /**
   * The ring read from a treatment's records alone, as a verifier without the ledger holds them
   * (an evidence bundle): epoch 0's tag is the one the ledger pinned (the txk's, or else the first
   * process record's, rules R6 and R8) and the epoch records follow in ledger order. Empty before
   * the treatment has a key.
   *
   * @param inLedgerOrder the treatment's records, in the order the ledger committed them
   * @throws CryptoException the epoch records are not epochs 1 to n of this treatment
   */
  public static Optional<KeyRing> ofTreatment(UserSecret x, byte[] kappa0, List<? extends LedgerRecord> inLedgerOrder) {
    SiffTag tag0 = null;
    SiffTag firstProcess = null;
    List<KeyEpoch> epochs = new ArrayList<>();
    for (LedgerRecord r : inLedgerOrder) {
      if (r instanceof Txk k && tag0 == null) {
        tag0 = SiffTag.parse(k.tag());
      } else if (r instanceof KeyEpoch e) {
        epochs.add(e);
      } else if (r instanceof ProcessRecord p && firstProcess == null) {
        firstProcess = SiffTag.parse(p.tag());
      }
    }
    SiffTag pinned = tag0 != null ? tag0 : firstProcess;
    return pinned == null ? Optional.empty() : Optional.of(of(x, kappa0, pinned, epochs));
  }

  /**
   * The newest epoch this member holds a key of, as far as the wraps tell: for epoch 0 it is
   * only a candidate (no wrap confirms it).
   */
  public int newestEpoch() {
    return newestEpoch;
  }

  /** The key of the epoch whose tag is {@code tag}, if this member can have it. */
  public Optional<SiffKey> keyFor(SiffTag tag) {
    return Optional.ofNullable(keys.get(Bytes.hex(tag.hash())));
  }

  /** Opens a process record of any epoch this member holds; throws if it cannot. */
  public byte[] read(ProcessRecord record) {
    SiffTag tag = SiffTag.parse(record.tag());
    SiffKey key = keys.get(Bytes.hex(tag.hash()));
    if (key == null) throw new AuthenticationFailedException("this record's key epoch is not open to this member");
    return RecordCipher.open(key, new RecordCipher.Context(record.kappa0(), tag.hash(), record.type().code(),
        record.sender(), record.sequence()), record.ciphertext());
  }

  @Override
  public void close() {
    keys.values().forEach(SiffKey::close);
  }
}
