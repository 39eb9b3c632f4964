package org.medledger.core.record;

import java.util.List;

/**
 * txd, txm, txa (paper: (type, κ0, the other indexes, tag, enc(sk_a, msg))): the sender's index,
 * the other members' indexes (sorted), the sender's sequence number, the SIFF tag and the
 * sealed message.
 */
public record ProcessRecord(
    RecordType type, byte[] kappa0, long sender, List<Long> others, int sequence, byte[] tag, byte[] ciphertext)
    implements LedgerRecord {
  public ProcessRecord {
    if (!type.isProcessRecord()) {
      throw new IllegalArgumentException(type.label() + " is not a process record");
    }
    others = List.copyOf(others);
  }
}
