package org.medledger.portal.application.access;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.protocol.epoch.EpochChain;
import org.medledger.core.protocol.epoch.MemberSet;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtc;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.PortalException;

/**
 * What the access log and emergency access need of a treatment, read from the ledger with the
 * portal's identity: its opening (txtc), its index, the key of epoch 0 the ledger pinned (the
 * txk's tag, or else the first process record's: rules R6, R8) and its key epochs (member changes
 * and epoch records, R10, R11), so that a record is sealed under the newest epoch's key and opened
 * under whichever epoch's key it names. Reads no record content.
 */
public record TreatmentOnLedger(byte[] kappa0, String kappa0Hex, Txtc txtc, List<MedLedgerClient.TreatmentEntry> entries,
    Optional<SiffTag> tag0, List<Long> excluded, EpochChain chain) {

  /** @throws PortalException not a treatment address, or no such treatment */
  public static TreatmentOnLedger read(MedLedgerClient ledger, LedgerIdentity portal, String kappa0Hex) {
    String hex = kappa0Hex == null ? "" : kappa0Hex.trim().toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) throw new PortalException("This is not a treatment address.");
    byte[] k0 = Bytes.unhex(hex);
    Optional<LedgerRecord> first = ledger.getRecord(portal, k0);
    if (first.isEmpty() || !(first.get() instanceof Txtc txtc)) throw new PortalException("There is no such treatment.");
    List<MedLedgerClient.TreatmentEntry> entries = ledger.treatment(portal, k0);
    SiffTag tag = null;
    List<Long> excluded = List.of();
    // Only the records the key epochs are read from (txk, member changes, epoch records) and the
    // first process record are fetched.
    List<Map.Entry<byte[], LedgerRecord>> epochRecords = new ArrayList<>();
    for (MedLedgerClient.TreatmentEntry e : entries) {
      boolean keyRecord = e.type() == RecordType.TXK || (tag == null && e.type().isProcessRecord());
      boolean epochRecord = e.type() == RecordType.MEMBER_CHANGE || e.type() == RecordType.KEY_EPOCH;
      if (!keyRecord && !epochRecord) continue;
      byte[] kappa = Bytes.unhex(e.kappaHex());
      LedgerRecord r = ledger.getRecord(portal, kappa).orElse(null);
      if (r == null) continue;
      if (epochRecord) {
        epochRecords.add(new AbstractMap.SimpleImmutableEntry<>(kappa, r));
      } else if (r instanceof Txk k) {
        tag = SiffTag.parse(k.tag());
        excluded = k.excluded();
      } else if (r instanceof ProcessRecord p && tag == null) {
        tag = SiffTag.parse(p.tag());
      }
    }
    EpochChain chain = EpochChain.of(txtc.consent(), excluded, epochRecords);
    return new TreatmentOnLedger(k0, hex, txtc, new ArrayList<>(entries), Optional.ofNullable(tag), excluded, chain);
  }

  /** The key the ledger pins now (R6, R11): the newest epoch's, or epoch 0's; empty before the doctor set it up. */
  public Optional<SiffTag> pinnedTag() {
    if (tag0.isEmpty()) return Optional.empty();
    return chain.epoch() > 0 ? chain.newestTag() : tag0;
  }

  /** The tags of epochs 0 .. n, oldest first (empty before the key is set up). */
  public List<SiffTag> tags() {
    return tag0.map(chain::tags).orElse(List.of());
  }

  /** The tag among this treatment's epochs whose hash is {@code tagHash}, if any. */
  public Optional<SiffTag> tagOf(byte[] tagHash) {
    return tags().stream().filter(t -> java.util.Arrays.equals(t.hash(), tagHash)).findFirst();
  }

  /** The epoch number of {@code tag} among this treatment's (0 for the first key), or -1. */
  public int epochOf(SiffTag tag) {
    List<SiffTag> all = tags();
    for (int i = 0; i < all.size(); i++) if (java.util.Arrays.equals(all.get(i).hash(), tag.hash())) return i;
    return -1;
  }

  /** The members of the newest epoch (the consent's, without the left-out, before any change). */
  public MemberSet members() {
    return chain.members();
  }
}
