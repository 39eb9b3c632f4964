package org.medledger.portal.infrastructure.ledger;

import java.util.Optional;
import java.util.OptionalLong;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.Checkpoint;
import org.medledger.portal.application.InboxService;

/** The event stream position kept in the portal database (table ml_checkpoint). */
public final class JpaCheckpoint implements Checkpoint {
  private final InboxService store;
  private final String name;

  public JpaCheckpoint(InboxService store, String name) {
    this.store = store;
    this.name = name;
  }

  @Override
  public OptionalLong blockNumber() {
    return store.checkpointBlock(name);
  }

  @Override
  public Optional<String> transactionId() {
    return store.checkpointTransaction(name);
  }

  @Override
  public void checkpoint(ChaincodeEvent event) {
    store.checkpoint(name, event.blockNumber(), event.transactionId());
  }

  @Override
  public void checkpointBlock(long blockNumber) {
    store.checkpoint(name, blockNumber + 1, null);
  }
}
