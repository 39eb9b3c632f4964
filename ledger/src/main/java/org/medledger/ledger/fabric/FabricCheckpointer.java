package org.medledger.ledger.fabric;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.hyperledger.fabric.client.ChaincodeEvent;
import org.hyperledger.fabric.client.Checkpointer;
import org.medledger.ledger.Checkpoint;

/**
 * Our {@link Checkpoint} (a file, a database row, memory) seen as fabric-gateway's
 * {@link Checkpointer}: both record the block in progress and the last transaction handled in
 * it, so a chaincode event stream opened with this checkpointer resumes right after the last
 * recorded event, whatever stores the position.
 */
public final class FabricCheckpointer implements Checkpointer {
  private final Checkpoint checkpoint;

  public FabricCheckpointer(Checkpoint checkpoint) {
    this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
  }

  @Override
  public OptionalLong getBlockNumber() {
    return checkpoint.blockNumber();
  }

  @Override
  public Optional<String> getTransactionId() {
    return checkpoint.transactionId();
  }

  @Override
  public void checkpointBlock(long blockNumber) {
    checkpoint.checkpointBlock(blockNumber);
  }

  @Override
  public void checkpointTransaction(long blockNumber, String transactionId) {
    checkpoint.checkpoint(new org.medledger.ledger.ChaincodeEvent(blockNumber, transactionId, "", new byte[0]));
  }

  @Override
  public void checkpointChaincodeEvent(ChaincodeEvent event) {
    checkpointTransaction(event.getBlockNumber(), event.getTransactionId());
  }
}
