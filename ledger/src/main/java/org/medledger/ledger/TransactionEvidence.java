package org.medledger.ledger;

import java.time.Instant;

/**
 * What a court or an expert needs to trust a record: the transaction id, the block that holds
 * it, the block's hash, the time, and who signed it (MSP id and PEM certificate).
 */
public record TransactionEvidence(
    String transactionId,
    long blockNumber,
    String blockHashHex,
    Instant timestamp,
    String creatorMspId,
    String creatorCertificatePem,
    boolean valid) {}
