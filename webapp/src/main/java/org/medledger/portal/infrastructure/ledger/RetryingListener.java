package org.medledger.portal.infrastructure.ledger;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.ChaincodeEventListener;

/**
 * Keeps an event subscription alive through failures of its handler. A failing event is
 * retried with exponential backoff; after {@code attempts} failures it is handed to {@link
 * GiveUp} (which records it as failed and moves the checkpoint past it) and the next event is
 * handled, so one poison event never blocks the ones after it. If recording fails too (the
 * database is down), nothing is skipped: the whole cycle starts again after the longest
 * backoff, for as long as it takes. Only an interrupt (the subscription closing) ends it.
 */
public final class RetryingListener implements ChaincodeEventListener {
  private static final Logger LOG = Logger.getLogger(RetryingListener.class.getName());

  /** Waits between attempts; tests count the waits instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /** Records an event that failed every attempt; must move the checkpoint past it. */
  @FunctionalInterface
  public interface GiveUp {
    void record(ChaincodeEvent event, Throwable lastFailure) throws Exception;
  }

  private final ChaincodeEventListener handler;
  private final GiveUp giveUp;
  private final int attempts;
  private final long firstBackoffMillis;
  private final long maxBackoffMillis;
  private final Sleeper sleeper;
  private final SubscriberHealth health;

  public RetryingListener(ChaincodeEventListener handler, GiveUp giveUp, int attempts,
      long firstBackoffMillis, long maxBackoffMillis, Sleeper sleeper, SubscriberHealth health) {
    if (attempts < 1 || firstBackoffMillis < 0 || maxBackoffMillis < firstBackoffMillis) {
      throw new IllegalArgumentException("attempts >= 1 and 0 <= first backoff <= max backoff");
    }
    this.handler = handler;
    this.giveUp = giveUp;
    this.attempts = attempts;
    this.firstBackoffMillis = firstBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.sleeper = sleeper;
    this.health = health;
  }

  @Override
  public void onEvent(ChaincodeEvent event) throws InterruptedException {
    while (true) {
      long backoff = firstBackoffMillis;
      Throwable last = null;
      for (int attempt = 1; attempt <= attempts; attempt++) {
        try {
          handler.onEvent(event);
          health.handled();
          return;
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception | Error e) { // an OutOfMemoryError in one event is one failure too
          last = e;
          health.retrying(event.transactionId(), e);
          LOG.log(Level.WARNING, "Ledger event of transaction " + event.transactionId() + " in block "
              + event.blockNumber() + " failed (attempt " + attempt + " of " + attempts + ")", e);
        }
        if (attempt < attempts) {
          sleeper.sleep(backoff);
          backoff = Math.min(backoff * 2, maxBackoffMillis);
        }
      }
      try {
        giveUp.record(event, last);
        health.gaveUp();
        LOG.log(Level.SEVERE, "Ledger event of transaction " + event.transactionId() + " in block "
            + event.blockNumber() + " failed " + attempts + " times; recorded as failed and skipped");
        return;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception | Error e) {
        health.retrying(event.transactionId(), e);
        LOG.log(Level.SEVERE, "Could not record the failed ledger event of transaction "
            + event.transactionId() + "; retrying it in " + maxBackoffMillis + " ms", e);
        sleeper.sleep(maxBackoffMillis);
      }
    }
  }
}
