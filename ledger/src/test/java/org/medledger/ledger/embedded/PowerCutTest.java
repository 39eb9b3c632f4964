package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;

/**
 * Durability, not just ordering: after a power cut that loses every byte not yet forced, every
 * acknowledged transaction is still in the ledger. Remove the {@code force} in {@link
 * BlockFile#appendAndForce} and this test fails (the reopened ledger has lost them).
 */
class PowerCutTest {
  @TempDir Path dir;

  @Test
  void everyAcknowledgedTransactionSurvivesAPowerCut() throws Exception {
    PowerCutStorage disk = new PowerCutStorage();
    EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract(),
        EmbeddedLedger.Options.defaults(), disk);
    LedgerIdentity doctor = Fixtures.doctor(ledger);
    List<SubmitResult> acked = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        byte[] key = ("k" + i).getBytes(UTF_8);
        fs.add(pool.submit(() -> acked.add(ledger.submit(doctor, "put", key, "v".getBytes(UTF_8)))));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    disk.cutPower();
    ledger.close();

    try (EmbeddedLedger again = EmbeddedLedger.open(dir, new KvContract())) {
      assertThat(again.verify().valid()).isTrue();
      for (SubmitResult r : acked) {
        assertThat(again.transaction(doctor, r.transactionId()))
            .as("acknowledged transaction %s in block %d", r.transactionId(), r.blockNumber())
            .isPresent();
      }
      for (int i = 0; i < 60; i++) {
        assertThat(new String(again.evaluate(doctor, "get", ("k" + i).getBytes(UTF_8)), UTF_8))
            .isEqualTo("v");
      }
    }
  }
}
