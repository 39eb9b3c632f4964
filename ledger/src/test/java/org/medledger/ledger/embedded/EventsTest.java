package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.medledger.ledger.embedded.EmbeddedLedgerTest.waitFor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.LedgerIdentity;

class EventsTest {
  @TempDir Path dir;

  static List<String> keys(List<ChaincodeEvent> events) {
    List<String> out = new ArrayList<>();
    synchronized (events) {
      for (ChaincodeEvent e : events) {
        out.add(new String(e.payload(), UTF_8).split("=")[0]);
      }
    }
    return out;
  }

  static List<String> range(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("k" + i);
    }
    return out;
  }

  static void put(EmbeddedLedger ledger, LedgerIdentity id, int from, int to) {
    for (int i = from; i < to; i++) {
      ledger.submit(id, "put", ("k" + i).getBytes(UTF_8), "v".getBytes(UTF_8));
    }
  }

  @Test
  void replayFromBlockZeroThenLiveInOrder() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      put(ledger, id, 0, 30);
      List<ChaincodeEvent> events = Collections.synchronizedList(new ArrayList<>());
      try (EventSubscription s = ledger.subscribe(id, 0, null, events::add)) {
        put(ledger, id, 30, 50);
        waitFor(() -> events.size() == 50);
        assertThat(keys(events)).isEqualTo(range(0, 50));
        for (int i = 0; i < 50; i++) {
          assertThat(events.get(i).blockNumber()).isEqualTo(i);
        }
      }
      put(ledger, id, 50, 51); // a closed subscription delivers nothing more
      assertThat(events).hasSize(50);
    }
  }

  @Test
  void startBlockSkipsEarlierBlocks() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      put(ledger, id, 0, 10);
      List<ChaincodeEvent> events = Collections.synchronizedList(new ArrayList<>());
      ledger.subscribe(id, 7, null, events::add);
      waitFor(() -> events.size() == 3);
      assertThat(keys(events)).isEqualTo(range(7, 10));
    }
  }

  @Test
  void resumesFromAFileCheckpointAcrossRestartWithoutLossOrDuplicate() throws Exception {
    Path cpFile = dir.resolve("client.checkpoint");
    List<ChaincodeEvent> first = Collections.synchronizedList(new ArrayList<>());
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("l"), new KvContract(),
        EmbeddedLedger.Options.defaults().withBatchTimeout(java.time.Duration.ofMillis(20)))) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      // concurrent submits so that blocks hold several transactions each
      ExecutorService pool = Executors.newFixedThreadPool(8);
      for (int i = 0; i < 40; i++) {
        int n = i;
        pool.submit(() -> put(ledger, id, n, n + 1));
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(ledger.height()).isLessThan(40);
      FileCheckpoint cp = FileCheckpoint.open(cpFile);
      // handle 17 events, checkpointing each, then stop mid-block
      ledger.subscribe(id, 0, cp, e -> {
        if (first.size() < 17) {
          first.add(e);
          cp.checkpoint(e);
        }
      });
      waitFor(() -> first.size() == 17);
    }
    FileCheckpoint reopened = FileCheckpoint.open(cpFile);
    assertThat(reopened.blockNumber()).hasValue(first.get(16).blockNumber());
    assertThat(reopened.transactionId()).contains(first.get(16).transactionId());

    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("l"), new KvContract())) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      List<ChaincodeEvent> all = Collections.synchronizedList(new ArrayList<>());
      ledger.subscribe(id, 0, null, all::add);
      waitFor(() -> all.size() == 40);
      List<ChaincodeEvent> rest = Collections.synchronizedList(new ArrayList<>());
      ledger.subscribe(id, 0, reopened, e -> {
        rest.add(e);
        reopened.checkpoint(e);
      });
      waitFor(() -> rest.size() == 23);
      Thread.sleep(100);
      List<String> seen = new ArrayList<>();
      first.forEach(e -> seen.add(e.transactionId()));
      rest.forEach(e -> seen.add(e.transactionId()));
      assertThat(seen).isEqualTo(all.stream().map(ChaincodeEvent::transactionId).toList());
    }
  }

  @Test
  void replayToLiveBoundaryUnderConcurrentSubmits() throws Exception {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      put(ledger, id, 0, 200);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      for (int t = 0; t < 4; t++) {
        int base = 200 + t * 100;
        pool.submit(() -> put(ledger, id, base, base + 100));
      }
      // subscribe while the writers are running
      List<ChaincodeEvent> events = Collections.synchronizedList(new ArrayList<>());
      ledger.subscribe(id, 0, null, events::add);
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      waitFor(() -> events.size() == 600);
      Thread.sleep(100);
      assertThat(events).hasSize(600);
      assertThat(keys(events).subList(0, 200)).isEqualTo(range(0, 200));
      assertThat(keys(events)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(range(0, 600));
      long previous = -1;
      for (ChaincodeEvent e : events) {
        assertThat(e.blockNumber()).isGreaterThanOrEqualTo(previous);
        previous = e.blockNumber();
      }
    }
  }

  @Test
  void listenerExceptionStopsOnlyThatSubscription() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity id = Fixtures.doctor(ledger);
      List<ChaincodeEvent> good = Collections.synchronizedList(new ArrayList<>());
      List<ChaincodeEvent> bad = Collections.synchronizedList(new ArrayList<>());
      ledger.subscribe(id, 0, null, good::add);
      ledger.subscribe(id, 0, null, e -> {
        bad.add(e);
        throw new IllegalStateException("listener broke");
      });
      put(ledger, id, 0, 5);
      waitFor(() -> good.size() == 5);
      assertThat(bad).hasSize(1);
    }
  }
}
