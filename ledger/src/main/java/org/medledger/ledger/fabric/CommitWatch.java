package org.medledger.ledger.fabric;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * The commits of this client's transactions, read from one peer's filtered-block stream (the
 * gateway peer's, which {@link PeerHeights} keeps open anyway): each block lists its
 * transactions' ids and validation codes, which is exactly what the gateway's signed
 * {@code CommitStatus} call answers after that same peer committed the block. Reading it here
 * spares one signature on the client and one access check and handler on the gateway peer per
 * Store.
 *
 * <p>A transaction is watched <em>before</em> it is sent for ordering, so its block cannot have
 * gone by. The stream must stay connected from then until the block arrives: if it was not
 * connected, or is lost meanwhile (the peer restarts, the connection breaks), the watch answers
 * {@link Outcome.StreamLost} and the caller asks {@code CommitStatus} instead; never silence.
 * A stream that stays connected and never shows the transaction ends in {@link Outcome.TimedOut}
 * at the caller's deadline (the orderer lost it).
 */
final class CommitWatch {
  /** What a watched transaction came to. */
  sealed interface Outcome {
    /** In block {@code block} with {@code code} (VALID or why the peers invalidated it). */
    record Committed(long block, TxValidationCode code) implements Outcome {}

    /** The stream was not connected, or was lost, before the transaction's block came. */
    record StreamLost() implements Outcome {}

    /** The stream stayed connected and the transaction did not come by the deadline. */
    record TimedOut() implements Outcome {}
  }

  private final Map<String, Waiter> waiting = new HashMap<>();
  private boolean connected;

  /** The stream is connected (again): transactions watched from now on are seen. */
  synchronized void connected() {
    connected = true;
  }

  /** The stream is gone: every watch in progress answers {@link Outcome.StreamLost}. */
  synchronized void lost() {
    connected = false;
    for (Waiter w : waiting.values()) w.complete(new Outcome.StreamLost());
    waiting.clear();
  }

  synchronized boolean isConnected() {
    return connected;
  }

  /** A block from the stream: completes the watches of the transactions it holds (the first occurrence of an id counts, as in the ledger). */
  void block(FilteredBlock block) {
    if (block.getFilteredTransactionsCount() == 0) return;
    synchronized (this) {
      if (waiting.isEmpty()) return;
      for (FilteredTransaction tx : block.getFilteredTransactionsList()) {
        Waiter w = waiting.remove(tx.getTxid());
        if (w != null) w.complete(new Outcome.Committed(block.getNumber(), tx.getTxValidationCode()));
      }
    }
  }

  /** Starts watching {@code txId}; call before the transaction is sent for ordering. */
  synchronized Waiter watch(String txId) {
    Waiter w = new Waiter(txId);
    if (!connected) {
      w.complete(new Outcome.StreamLost());
    } else {
      waiting.put(txId, w);
    }
    return w;
  }

  private synchronized void forget(Waiter w) {
    waiting.remove(w.txId, w);
  }

  /** Number of transactions being watched (for tests: nothing is left behind). */
  synchronized int watching() {
    return waiting.size();
  }

  /** One watched transaction. */
  final class Waiter {
    private final String txId;
    private Outcome outcome;

    private Waiter(String txId) {
      this.txId = txId;
    }

    private synchronized void complete(Outcome o) {
      if (outcome == null) {
        outcome = o;
        notifyAll();
      }
    }

    /**
     * Waits for the outcome until {@code deadlineNanos} ({@link System#nanoTime()}); the watch
     * ends either way.
     */
    Outcome await(long deadlineNanos) throws InterruptedException {
      try {
        synchronized (this) {
          while (outcome == null) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) return new Outcome.TimedOut();
            TimeUnit.NANOSECONDS.timedWait(this, left);
          }
          return outcome;
        }
      } finally {
        forget(this);
      }
    }

    /** Stops watching without waiting (the transaction was not sent). */
    void cancel() {
      forget(this);
    }
  }
}
