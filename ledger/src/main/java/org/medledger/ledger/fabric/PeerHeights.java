package org.medledger.ledger.fabric;

import io.grpc.StatusRuntimeException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.hyperledger.fabric.client.Network;
import org.hyperledger.fabric.protos.peer.FilteredBlock;

/**
 * The block height of every organisation's peer, known from one filtered-block event stream per
 * peer that stays open: each block a peer commits arrives as a few bytes (block number and
 * transaction ids), with no proposal to sign, endorse or answer. It replaces polling the peers'
 * qscc {@code GetChainInfo} after every Store (about four extra signed proposals per Store).
 *
 * <p>{@link #await} waits until the named peers have a height; a peer whose stream is not
 * connected (it is down, or restarting and not yet reconnected) is asked once per few
 * milliseconds with the old qscc query instead, and skipped when it does not answer: a peer
 * that is down cannot endorse stale state.
 */
final class PeerHeights implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PeerHeights.class.getName());

  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();
  /** A peer's height by a direct query, or -1 when the peer does not answer (down). */
  private final ToLongFunction<String> query;
  /** Ends gRPC's reconnect back-off to a peer (up to 2 min): a restarted peer is seen again at once. */
  private final java.util.function.Consumer<String> reconnect;
  private volatile boolean closed;

  /**
   * @param networks the channel as seen through each organisation's own peer (msp → network)
   * @param startHeight a height every peer had recently (the streams start just below it, not at 0)
   * @param query a peer's height by a direct qscc query, -1 when it does not answer
   * @param reconnect ends the reconnect back-off of the connection to a peer
   */
  PeerHeights(Collection<String> mspIds, Function<String, Network> networks, long startHeight, ToLongFunction<String> query,
      java.util.function.Consumer<String> reconnect) {
    this.query = query;
    this.reconnect = reconnect;
    for (String msp : mspIds) {
      Stream s = new Stream(msp, networks, Math.max(0, startHeight - 1));
      streams.put(msp, s);
      s.thread.start();
    }
  }

  /** The height the stream of {@code mspId}'s peer reported last (0 before its first block). */
  long height(String mspId) {
    Stream s = streams.get(mspId);
    return s == null ? 0 : s.height;
  }

  boolean connected(String mspId) {
    Stream s = streams.get(mspId);
    return s != null && s.connected;
  }

  /**
   * Starts watching for transaction {@code txId} in the blocks of {@code mspId}'s peer (call it
   * before the transaction is sent for ordering), or null when no stream follows that peer.
   */
  CommitWatch.Waiter watchCommit(String mspId, String txId) {
    Stream s = streams.get(mspId);
    return s == null ? null : s.commits.watch(txId);
  }

  /**
   * Waits until every peer of {@code mspIds} that is up has at least {@code height} blocks, at
   * most until {@code deadlineNanos} (the transaction is committed either way; a peer still
   * behind then is left to catch up).
   *
   * @return true when every peer that answered had the height in time
   */
  boolean await(Collection<String> mspIds, long height, long deadlineNanos) throws InterruptedException {
    boolean all = true;
    for (String msp : mspIds) {
      Stream s = streams.get(msp);
      if (s == null) continue;
      while (s.height < height) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          all = false;
          break;
        }
        if (s.connected) {
          lock.lock();
          try {
            if (s.height < height && s.connected) advanced.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
          } finally {
            lock.unlock();
          }
        } else {
          reconnect.accept(msp);
          long h = query.applyAsLong(msp);
          if (h < 0) break; // down: it cannot endorse
          s.advance(h);
          if (h < height) Thread.sleep(3);
        }
      }
    }
    return all;
  }

  private void signal() {
    lock.lock();
    try {
      advanced.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One peer's stream: reconnects (100 ms doubling to 2 s) from the last block it reported. */
  private final class Stream {
    final String msp;
    final Thread thread;
    /** The transactions' commits this stream shows (the gateway peer's stream answers for its Stores). */
    final CommitWatch commits = new CommitWatch();
    volatile long height;
    volatile boolean connected;
    volatile CloseableIterator<FilteredBlock> current;

    Stream(String msp, Function<String, Network> networks, long startBlock) {
      this.msp = msp;
      this.height = 0;
      this.thread = new Thread(() -> run(networks, startBlock), "fabric-height-" + msp);
      this.thread.setDaemon(true);
    }

    void advance(long h) {
      if (h > height) {
        height = h;
        signal();
      }
    }

    private void run(Function<String, Network> networks, long startBlock) {
      long backoff = 100;
      long next = startBlock;
      while (!closed) {
        try (CloseableIterator<FilteredBlock> blocks = networks.apply(msp).newFilteredBlockEventsRequest()
            .startBlock(next).build().getEvents()) {
          current = blocks;
          if (closed) break;
          connected = true;
          commits.connected();
          signal();
          while (blocks.hasNext()) {
            FilteredBlock b = blocks.next();
            commits.block(b);
            advance(b.getNumber() + 1);
            // after a reconnect, repeat the last block seen: the first block answers at once
            next = Math.max(0, height - 1);
            backoff = 100;
          }
        } catch (GatewayRuntimeException | StatusRuntimeException e) {
          if (closed) break;
          LOG.log(Level.FINE, "block stream of " + msp + " interrupted (" + e.getMessage() + "); reconnecting");
        } catch (RuntimeException e) {
          if (closed) break;
          LOG.log(Level.INFO, "block stream of " + msp + " failed; reconnecting", e);
        } finally {
          connected = false;
          commits.lost();
          signal();
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          break;
        }
        backoff = Math.min(backoff * 2, 2000);
        reconnect.accept(msp);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Stream s : streams.values()) {
      var it = s.current;
      if (it != null) it.close();
      s.thread.interrupt();
      s.commits.lost();
    }
    for (Stream s : streams.values()) {
      try {
        s.thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
