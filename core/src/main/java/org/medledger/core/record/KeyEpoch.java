package org.medledger.core.record;

import java.util.List;

/**
 * The doctor's key epoch (type 0x0E, docs/protocol.md §Key epoch): completes the patient's member
 * change {@code change} (its κ) by pinning {@code tag}, the SIFF tag built for the new member set,
 * and carries the keys of epochs 0 .. epoch − 1, each wrapped under the new key
 * ({@code wrappedKeys.get(j)} holds epoch j's key), so an added member reads the earlier records
 * too. Only the treatment's doctor stores it (rule R11).
 */
public record KeyEpoch(byte[] kappa0, int epoch, byte[] change, long doctor, byte[] tag, List<byte[]> wrappedKeys)
    implements LedgerRecord {
  /** One wrapped key: nonce, the 32-byte key encrypted, GCM tag. */
  public static final int WRAPPED_KEY_BYTES = 12 + 32 + 16;

  public KeyEpoch {
    wrappedKeys = List.copyOf(wrappedKeys);
  }

  @Override
  public RecordType type() {
    return RecordType.KEY_EPOCH;
  }
}
