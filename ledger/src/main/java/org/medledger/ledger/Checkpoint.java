package org.medledger.ledger;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Position in the event stream, in the shape of fabric-gateway's Checkpointer: the block in
 * progress and the last transaction handled in it. Implementations make it durable (a file,
 * a database row) so a restarted client neither misses nor repeats events.
 */
public interface Checkpoint {
  /** Block to resume from, empty when nothing was checkpointed yet. */
  OptionalLong blockNumber();

  /** Last transaction handled within {@link #blockNumber()}, if any. */
  Optional<String> transactionId();

  /** Records that {@code event} has been handled. */
  void checkpoint(ChaincodeEvent event);

  /** Records that every event of {@code blockNumber} has been handled. */
  void checkpointBlock(long blockNumber);
}
