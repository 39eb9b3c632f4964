package org.medledger.portal.infrastructure.ledger;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Asks again, at start-up, for something that may not answer the first time: the organisation's
 * peer, which on a loaded machine (or while the network is still coming up) can let the first
 * TLS handshake time out. Each failure is reported (the portal logs it); after {@code limit} the
 * last failure is thrown, so a portal pointed at the wrong network still stops with its reason.
 */
final class StartupRetry {
  interface Sleeper {
    void sleep(long millis);
  }

  private StartupRetry() {}

  static <T> T until(Supplier<T> attempt, Duration limit, Duration pause, LongSupplier nanoTime, Sleeper sleeper,
      Consumer<RuntimeException> failed) {
    long deadline = nanoTime.getAsLong() + limit.toNanos();
    while (true) {
      try {
        return attempt.get();
      } catch (RuntimeException e) {
        if (nanoTime.getAsLong() - deadline >= 0) throw e;
        failed.accept(e);
        sleeper.sleep(pause.toMillis());
      }
    }
  }

  /** Thread.sleep, keeping the interrupt. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Fabric network", e);
    }
  }
}
