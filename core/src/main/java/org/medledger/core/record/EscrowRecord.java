package org.medledger.core.record;

/**
 * The patient's emergency escrow (0x12, docs/protocol.md §Emergency access): the treatment key,
 * sealed so that only two emergency custodians together can open it, and each releases its
 * share only to a doctor whose justification (0x11) is committed. Written by the patient, once
 * she allows emergency access to a treatment (rule R14).
 *
 * @param patient ind_p' of the patient (the submitter)
 * @param tagHash H(tag) of the key inside the box
 * @param custodianA the first custodian's public key (P-256, compressed)
 * @param custodianB the second custodian's public key
 * @param ephemeral the patient's one-time public key E for this escrow
 * @param box N ‖ GCM(K_esc, N, AD, f(s)): 12 + 32 + 16 bytes
 */
public record EscrowRecord(byte[] kappa0, long patient, byte[] tagHash, byte[] custodianA, byte[] custodianB,
    byte[] ephemeral, byte[] box) implements LedgerRecord {
  public static final int BOX_BYTES = 12 + 32 + 16;

  public EscrowRecord {
    kappa0 = kappa0.clone();
    tagHash = tagHash.clone();
    custodianA = custodianA.clone();
    custodianB = custodianB.clone();
    ephemeral = ephemeral.clone();
    box = box.clone();
  }

  @Override
  public RecordType type() {
    return RecordType.ESCROW;
  }
}
