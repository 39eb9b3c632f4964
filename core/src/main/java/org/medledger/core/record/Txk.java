package org.medledger.core.record;

import java.util.List;

/**
 * The doctor's key record (not in the paper; docs/protocol.md §txk): fixes the treatment's SIFF
 * tag before any process record, built for every member except the excluded responders, whose
 * answers could not be opened or never came. Fields: κ0, ind_d, the excluded indexes (sorted),
 * the tag. Only the treatment's doctor may store it, once, before the tag is pinned (rule R8).
 */
public record Txk(byte[] kappa0, long doctor, List<Long> excluded, byte[] tag) implements LedgerRecord {
  public Txk {
    excluded = List.copyOf(excluded);
  }

  @Override
  public RecordType type() {
    return RecordType.TXK;
  }
}
