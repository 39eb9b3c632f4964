package org.medledger.ledger.embedded;

import java.util.OptionalLong;

/**
 * The result of checking every block of the ledger: its hash, its link to the previous block and
 * its number. {@code headHashHex} is the hash of the last good block: compare it with a copy kept
 * elsewhere to detect the one change a hash chain cannot show by itself, the removal of blocks at
 * the end.
 *
 * @param valid true when every block verified
 * @param blocksVerified how many blocks verified, from block 0
 * @param firstBadBlock the number (position) of the first block that failed, if any
 * @param reason why it failed, e.g. "block 7: contents do not match the block's hash"
 * @param headHashHex SHA-256 of the last verified block, hex; empty when there is none
 * @param tornBytes bytes of an incomplete trailing frame (a write never acknowledged)
 */
public record VerificationReport(
    boolean valid,
    long blocksVerified,
    OptionalLong firstBadBlock,
    String reason,
    String headHashHex,
    long tornBytes) {

  @Override
  public String toString() {
    return valid
        ? "ledger verified: " + blocksVerified + " blocks, head " + headHashHex
        : "ledger damaged: " + reason;
  }
}
