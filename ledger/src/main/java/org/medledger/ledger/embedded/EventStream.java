package org.medledger.ledger.embedded;

import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.ChaincodeEventListener;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.embedded.BlockCodec.Block;
import org.medledger.ledger.embedded.BlockCodec.Tx;

/**
 * One subscription: a thread that reads committed blocks in order, from the block file for old
 * blocks and from memory for recent ones. Replay and live delivery are the same loop over block
 * numbers, so there is no gap and no duplicate where one ends and the other begins.
 */
final class EventStream implements EventSubscription {
  private static final System.Logger LOG = System.getLogger(EventStream.class.getName());

  private final EmbeddedLedger ledger;
  private final ChaincodeEventListener listener;
  private final Thread thread;
  private long next;
  private String skipThrough;
  private volatile boolean closed;

  EventStream(EmbeddedLedger ledger, long startBlock, String skipThrough,
      ChaincodeEventListener listener) {
    this.ledger = ledger;
    this.next = startBlock;
    this.skipThrough = skipThrough;
    this.listener = listener;
    this.thread = new Thread(this::run, "embedded-ledger-events");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean isClosed() {
    return closed;
  }

  private void run() {
    try {
      while (ledger.awaitBlock(next, this)) {
        Block block = ledger.block(next);
        boolean skipping = skipThrough != null && contains(block, skipThrough);
        for (Tx tx : block.transactions()) {
          if (closed) {
            return;
          }
          if (skipping) {
            skipping = !tx.txId().equals(skipThrough);
            continue;
          }
          if (tx.validationCode() == BlockCodec.VALID && tx.hasEvent()) {
            listener.onEvent(new ChaincodeEvent(block.number(), tx.txId(), tx.eventName(),
                tx.eventPayload().clone()));
          }
        }
        skipThrough = null;
        next++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The listener's exception ends the stream (see ChaincodeEventListener); no payloads here.
      LOG.log(System.Logger.Level.WARNING, "Event subscription stopped at block {0}: {1}", next,
          e.getClass().getName());
    } finally {
      closed = true;
      ledger.removed(this);
    }
  }

  private static boolean contains(Block block, String txId) {
    for (Tx tx : block.transactions()) {
      if (tx.txId().equals(txId)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    closed = true;
    ledger.wake();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
