package org.medledger.ledger;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A checkpoint that lives as long as its process: for one-off readers (benchmarks, tests, a
 * command-line tool) that replay what they need at start. Durable readers use a file or a
 * database row instead.
 */
public final class InMemoryCheckpoint implements Checkpoint {
  private Long block;
  private String transactionId;

  @Override
  public synchronized OptionalLong blockNumber() {
    return block == null ? OptionalLong.empty() : OptionalLong.of(block);
  }

  @Override
  public synchronized Optional<String> transactionId() {
    return Optional.ofNullable(transactionId);
  }

  @Override
  public synchronized void checkpoint(ChaincodeEvent event) {
    block = event.blockNumber();
    transactionId = event.transactionId();
  }

  @Override
  public synchronized void checkpointBlock(long blockNumber) {
    block = blockNumber + 1;
    transactionId = null;
  }
}
