package org.medledger.core.record;

/** A record stored with the chaincode's Store: its value v and its key κ = SHA-256(v). */
public sealed interface LedgerRecord permits Registration, Txtc, Txtr, ProcessRecord, Txk, Withdrawal,
    MemberChange, KeyEpoch, AccessRecord, EmergencyRecord, EscrowRecord {
  RecordType type();
}
