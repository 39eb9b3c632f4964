package org.medledger.ledger;

/** A committed transaction: its id, the block holding it, and the chaincode's response. */
public record SubmitResult(String transactionId, long blockNumber, byte[] payload) {}
