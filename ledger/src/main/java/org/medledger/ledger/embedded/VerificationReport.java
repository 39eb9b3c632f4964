package org.medledger.ledger.embedded;

import java.util.List;
import java.util.OptionalLong;

/**
 * The result of replaying the ledger as evidence: every block's hash, number, link and the
 * ledger's signature, every transaction's creator certificate and signature, and the chaincode
 * run again against the replayed state with the stored write sets and events compared. {@code
 * headHashHex} is the hash of the last good block: compare it (or give a {@link LedgerHead}
 * kept elsewhere to verify) to detect the one change a hash chain cannot show by itself, the
 * removal of blocks at the end.
 *
 * @param valid true when every block verified, the anchor (if any) matched and no block was
 *     quarantined
 * @param blocksVerified how many blocks verified, from block 0
 * @param firstBadBlock the number (position) of the first block that failed, if any
 * @param reason why it failed, e.g. "block 7, transaction 3fa9…: its creator's signature does
 *     not verify"
 * @param headHashHex SHA-256 of the last verified block, hex; empty when there is none
 * @param tornBytes bytes of an incomplete trailing frame (a write never acknowledged)
 * @param transactionId the transaction that failed, empty when none (or none in particular)
 * @param quarantined files next to the block file holding damaged last blocks that were moved
 *     aside; each must be examined, then moved out of the ledger directory
 */
public record VerificationReport(
    boolean valid,
    long blocksVerified,
    OptionalLong firstBadBlock,
    String reason,
    String headHashHex,
    long tornBytes,
    String transactionId,
    List<String> quarantined) {

  public VerificationReport {
    quarantined = List.copyOf(quarantined);
  }

  @Override
  public String toString() {
    return valid
        ? "ledger verified: " + blocksVerified + " blocks, head " + headHashHex
        : "ledger not verified: " + reason;
  }
}
