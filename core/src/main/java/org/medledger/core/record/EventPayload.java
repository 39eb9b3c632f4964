package org.medledger.core.record;

import java.util.List;

/**
 * The payload of the one chaincode event a Store sets: the stored record's type and κ, the
 * treatment κ0 (zeros for a registration), and the recipients' indexes (paper's Table 3).
 */
public record EventPayload(RecordType recordType, byte[] kappa, byte[] kappa0, List<Long> recipients) {
  public static final String EVENT_NAME = "MedLedger.Stored";

  public EventPayload {
    recipients = List.copyOf(recipients);
  }
}
