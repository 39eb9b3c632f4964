package org.medledger.portal.application.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.SiffTag;
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
 * portal's identity: its opening (txtc), its index, and the key the ledger pinned (the txk's
 * tag, or else the first process record's: rules R6, R8). Reads no record content.
 */
public record TreatmentOnLedger(byte[] kappa0, String kappa0Hex, Txtc txtc, List<MedLedgerClient.TreatmentEntry> entries,
    Optional<SiffTag> pinnedTag, List<Long> excluded) {

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
    for (MedLedgerClient.TreatmentEntry e : entries) {
      if (e.type() != RecordType.TXK && !e.type().isProcessRecord()) continue;
      LedgerRecord r = ledger.getRecord(portal, Bytes.unhex(e.kappaHex())).orElse(null);
      if (r instanceof Txk k) {
        tag = SiffTag.parse(k.tag());
        excluded = k.excluded();
        break;
      }
      if (r instanceof ProcessRecord p) {
        tag = SiffTag.parse(p.tag());
        break;
      }
    }
    return new TreatmentOnLedger(k0, hex, txtc, new ArrayList<>(entries), Optional.ofNullable(tag), excluded);
  }
}
