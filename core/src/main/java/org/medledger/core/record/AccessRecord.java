package org.medledger.core.record;

/**
 * An access record (0x0F, docs/protocol.md §Access record): a member (or a justified emergency
 * doctor) read a treatment as a whole — opened its case file, exported it — and says so on the
 * ledger before the portal serves it. Who (the reader's index) and which treatment (κ0) are in
 * clear, as for a process record; what and why are sealed under the treatment key in {@code box}
 * (fixed size, so the length says nothing). {@code tagHash} names the key the box is sealed under.
 */
public record AccessRecord(byte[] kappa0, long reader, byte[] tagHash, byte[] box) implements LedgerRecord {
  /** The box: nonce, one 256-byte size class (what u8 ‖ why ≤ 254 bytes, padded), GCM tag. */
  public static final int BOX_BYTES = 12 + 256 + 16;

  public AccessRecord {
    kappa0 = kappa0.clone();
    tagHash = tagHash.clone();
    box = box.clone();
  }

  @Override
  public RecordType type() {
    return RecordType.ACCESS;
  }
}
