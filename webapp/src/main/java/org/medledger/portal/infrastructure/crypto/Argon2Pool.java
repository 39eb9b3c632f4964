package org.medledger.portal.infrastructure.crypto;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.medledger.portal.application.TryLaterException;
import org.medledger.portal.config.PortalConfig;

/**
 * Every Argon2id evaluation of the portal runs here: {@code threads} workers (about the number
 * of cores) and at most {@code queue} evaluations waiting. Argon2id at the product cost takes
 * 64 MiB and most of a core for half a second, so this bound is what keeps a crowd of logins
 * from exhausting the heap and the CPU that everyone else's requests need. A login asks for a
 * place with {@link #reserve()} and is answered "busy" (503) at once when there is none; the
 * request thread then waits only for its own evaluation, holding no database lock.
 */
@ApplicationScoped
public class Argon2Pool {
  /** How long an authenticated operation (password change, registration) waits for a place. */
  private static final long WAIT_SECONDS = 30;

  @Inject PortalConfig config;

  private ThreadPoolExecutor executor;
  private Semaphore places;
  private int threads;
  private final AtomicLong evaluations = new AtomicLong();
  /** Moving average of one evaluation, for Retry-After. */
  private volatile long averageMillis = 500;

  @PostConstruct
  void start() {
    threads = config.argon2Threads();
    int queue = config.argon2Queue();
    AtomicInteger n = new AtomicInteger();
    executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "medledger-argon2-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    places = new Semaphore(threads + queue, true);
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }

  /** A place in the pool now, or {@link TryLaterException#busy}. Close it if it is not used. */
  public Place reserve() {
    if (!places.tryAcquire()) throw TryLaterException.busy(retryAfterSeconds());
    return new Place();
  }

  /** Runs one evaluation, waiting up to 30 s for a place (for authenticated, low-rate callers). */
  public <T> T run(Supplier<T> work) {
    try {
      if (!places.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) throw TryLaterException.busy(retryAfterSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TryLaterException.busy(retryAfterSeconds());
    }
    try (Place p = new Place()) {
      return p.run(work);
    }
  }

  /** Evaluations run so far (tests count them: an unknown user costs one, a delayed attempt none). */
  public long evaluations() {
    return evaluations.get();
  }

  private long retryAfterSeconds() {
    int waiting = places.getQueueLength() + (threads + config.argon2Queue() - places.availablePermits());
    return Math.max(1, (waiting / Math.max(1, threads) + 1) * averageMillis / 1000 + 1);
  }

  /** One reserved place: run one evaluation in it, or close it unused. */
  public final class Place implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean used = new AtomicBoolean();

    private Place() {}

    public <T> T run(Supplier<T> work) {
      if (!used.compareAndSet(false, true)) throw new IllegalStateException("a place runs one evaluation");
      Future<T> f;
      try {
        f = executor.submit(() -> {
          long t0 = System.nanoTime();
          try {
            evaluations.incrementAndGet();
            return work.get();
          } finally {
            averageMillis = (averageMillis * 7 + (System.nanoTime() - t0) / 1_000_000) / 8;
            release(); // the worker frees the place, even if the waiting request gave up
          }
        });
      } catch (RuntimeException e) {
        release();
        throw e;
      }
      try {
        return f.get(5, TimeUnit.MINUTES);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) throw r;
        if (e.getCause() instanceof Error err) throw err;
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw TryLaterException.busy(retryAfterSeconds());
      } catch (TimeoutException e) {
        throw TryLaterException.busy(retryAfterSeconds());
      }
    }

    private void release() {
      if (released.compareAndSet(false, true)) places.release();
    }

    @Override
    public void close() {
      if (!used.get()) release();
    }
  }
}
