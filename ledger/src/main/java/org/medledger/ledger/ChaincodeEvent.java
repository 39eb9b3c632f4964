package org.medledger.ledger;

/** One chaincode event (Fabric allows one per transaction) of a committed, valid transaction. */
public record ChaincodeEvent(long blockNumber, String transactionId, String eventName, byte[] payload) {}
