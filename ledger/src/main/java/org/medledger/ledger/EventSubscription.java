package org.medledger.ledger;

/** A running event stream; closing it stops delivery (the checkpoint keeps the position). */
public interface EventSubscription extends AutoCloseable {
  @Override
  void close();
}
