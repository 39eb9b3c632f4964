package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.LedgerIdentity;

/**
 * Prints committed puts per second with 1 and 8 concurrent submitters (each commit fsync'd).
 * Timings are printed, never asserted: they depend on the machine and its disk.
 */
class ThroughputTest {
  @TempDir Path dir;

  @Test
  void printsStoresPerSecond() throws Exception {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      run(ledger, id, 1, 300); // warm-up
      for (int threads : new int[] {1, 8}) {
        double rate = run(ledger, id, threads, threads == 1 ? 1500 : 6000);
        System.out.printf("embedded ledger: %d submitter(s): %.0f Store/s (%d blocks so far)%n",
            threads, rate, ledger.height());
      }
      assertThat(ledger.verify().valid()).isTrue();
    }
  }

  private static double run(EmbeddedLedger ledger, LedgerIdentity id, int threads, int total)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    byte[] value = new byte[256];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < total) {
          ledger.submit(id, "put", ("key" + i).getBytes(UTF_8), value);
        }
        return null;
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    return total / ((System.nanoTime() - start) / 1e9);
  }
}
