package org.medledger.core.protocol.epoch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.record.Consent;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Role;

/**
 * A treatment's key epochs as a client reads them from the ledger (its records in ledger order):
 * the completed epochs with the change each completed, the members of each, and the patient's
 * change that waits for the next key — the same reading rules R10 and R11 enforce
 * (docs/protocol.md §Key epochs). A portal shows the member history and writes with it.
 */
public final class EpochChain {
  /** One completed epoch e ≥ 1: the patient's change and the doctor's record that completed it. */
  public record Epoch(int number, MemberChange change, KeyEpoch record, MemberSet members) {}

  private final MemberSet initial;
  private final List<Epoch> epochs;
  private final MemberChange pending;
  private final byte[] pendingKappa;
  private final Map<Long, Role> ever;

  private EpochChain(MemberSet initial, List<Epoch> epochs, MemberChange pending, byte[] pendingKappa, Map<Long, Role> ever) {
    this.initial = initial;
    this.epochs = List.copyOf(epochs);
    this.pending = pending;
    this.pendingKappa = pendingKappa;
    this.ever = Map.copyOf(ever);
  }

  /**
   * @param excluded the responders the treatment's txk left out (empty without one)
   * @param records the treatment's records in ledger order, each with its κ (other types are skipped)
   */
  public static EpochChain of(Consent consent, List<Long> excluded, List<Map.Entry<byte[], LedgerRecord>> records) {
    MemberSet members = MemberSet.initial(consent, excluded);
    Map<Long, Role> ever = new HashMap<>();
    for (Consent.Member m : consent.members()) ever.put(m.index(), m.role());
    Map<String, MemberChange> changes = new HashMap<>();
    MemberChange latest = null; // the latest change for the epoch after the newest completed one
    byte[] latestKappa = null;
    List<Epoch> epochs = new ArrayList<>();
    for (Map.Entry<byte[], LedgerRecord> e : records) {
      if (e.getValue() instanceof MemberChange c) {
        changes.put(Bytes.hex(e.getKey()), c);
        if (c.epoch() == epochs.size() + 1) {
          latest = c;
          latestKappa = e.getKey();
        }
      } else if (e.getValue() instanceof KeyEpoch k && k.epoch() == epochs.size() + 1) {
        MemberChange c = changes.get(Bytes.hex(k.change()));
        if (c == null) continue; // R11 refuses such a record; nothing to apply
        members = members.apply(c);
        for (Consent.Member m : c.added()) ever.put(m.index(), m.role());
        epochs.add(new Epoch(k.epoch(), c, k, members));
        latest = null;
        latestKappa = null;
      }
    }
    if (latest != null) for (Consent.Member m : latest.added()) ever.putIfAbsent(m.index(), m.role());
    return new EpochChain(MemberSet.initial(consent, excluded), epochs, latest, latestKappa, ever);
  }

  /** The newest completed epoch (0 without any). */
  public int epoch() {
    return epochs.size();
  }

  public List<Epoch> epochs() {
    return epochs;
  }

  /** The members of the newest epoch. */
  public MemberSet members() {
    return epochs.isEmpty() ? initial : epochs.get(epochs.size() - 1).members();
  }

  public MemberSet initialMembers() {
    return initial;
  }

  /** The patient's change that waits for the doctor's new key, if any. */
  public Optional<MemberChange> pending() {
    return Optional.ofNullable(pending);
  }

  public Optional<byte[]> pendingKappa() {
    return Optional.ofNullable(pendingKappa).map(byte[]::clone);
  }

  /** The role {@code index} has or had in this treatment (consent, or added by a change), or null. */
  public Role everRole(long index) {
    return ever.get(index);
  }

  /** Whether {@code index} is added by the pending change (and so may answer now). */
  public boolean joining(long index) {
    return pending != null && pending.added().stream().anyMatch(m -> m.index() == index);
  }

  /** The epoch records 1 .. n, for {@link KeyRing#of}. */
  public List<KeyEpoch> records() {
    return epochs.stream().map(Epoch::record).toList();
  }

  /** The tag of the newest epoch, or empty in epoch 0 (whose tag the first txd or the txk pins). */
  public Optional<SiffTag> newestTag() {
    return epochs.isEmpty() ? Optional.empty()
        : Optional.of(SiffTag.parse(epochs.get(epochs.size() - 1).record().tag()));
  }

  /** The tags of epochs 0 .. n, given epoch 0's. */
  public List<SiffTag> tags(SiffTag tag0) {
    List<SiffTag> out = new ArrayList<>();
    out.add(tag0);
    for (Epoch e : epochs) out.add(SiffTag.parse(e.record().tag()));
    return out;
  }

  /** κ of a record, for callers that hold the bytes. */
  public static byte[] kappa(LedgerRecord r) {
    return RecordCodec.kappa(RecordCodec.encode(r));
  }
}
