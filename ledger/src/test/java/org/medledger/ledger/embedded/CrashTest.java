package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.medledger.ledger.embedded.EmbeddedLedgerTest.waitFor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.LedgerIdentity;

/** Kills a writing JVM with SIGKILL and checks that nothing acknowledged is lost. */
class CrashTest {
  @TempDir Path dir;

  @Test
  void sigkillMidWritesLosesNoAcknowledgedTransaction() throws Exception {
    for (int round = 0; round < 2; round++) { // the second round crashes a recovered ledger
      Map<String, String> acked = runAndKill(round == 0 ? 400 : 300);
      try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("ledger"), new KvContract())) {
        LedgerIdentity id = Fixtures.doctor(ledger);
        assertThat(ledger.verify().valid()).isTrue();
        for (Map.Entry<String, String> a : acked.entrySet()) {
          assertThat(ledger.transaction(id, a.getKey())).as("tx %s", a.getKey()).isPresent();
          assertThat(new String(ledger.evaluate(id, "get", a.getValue().getBytes(UTF_8)), UTF_8))
              .isEqualTo("v");
        }
        checkEventsResumeExactly(ledger, id);
      }
    }
  }

  private Map<String, String> runAndKill(int acksBeforeKill) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString());
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    Map<String, String> acked = new LinkedHashMap<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          String[] p = line.split(" ");
          acked.put(p[1], p[2]);
          if (acked.size() == acksBeforeKill) {
            // SIGKILL while the other threads are mid-submit; through the handle so our end of
            // the pipe stays open and every ACK printed before death is still read
            child.toHandle().destroyForcibly();
          }
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acked.size()).isGreaterThanOrEqualTo(acksBeforeKill);
    return acked;
  }

  /**
   * The child logged each event, then checkpointed it; a kill between the two leaves the last
   * logged event un-checkpointed. Resuming from the checkpoint must deliver exactly the events
   * after it: log (minus at most that one) + resumed = every event, in order.
   */
  private void checkEventsResumeExactly(EmbeddedLedger ledger, LedgerIdentity id) throws Exception {
    List<ChaincodeEvent> all = Collections.synchronizedList(new ArrayList<>());
    ledger.subscribe(id, 0, null, all::add);
    long total = countEvents(ledger);
    waitFor(() -> all.size() == total);
    List<String> expected = all.stream().map(ChaincodeEvent::transactionId).toList();

    List<String> logged = Files.readAllLines(dir.resolve("events.log"), UTF_8).stream()
        .filter(s -> s.length() == 64).toList();
    FileCheckpoint cp = FileCheckpoint.open(dir.resolve("events.checkpoint"));
    int handled = expected.indexOf(cp.transactionId().orElseThrow()) + 1;
    assertThat(handled).isPositive();
    assertThat(logged).isEqualTo(expected.subList(0, logged.size())); // no loss, no repeat
    assertThat(logged.size()).isBetween(handled, handled + 1);

    List<String> resumed = Collections.synchronizedList(new ArrayList<>());
    ledger.subscribe(id, 0, cp, e -> {
      resumed.add(e.transactionId());
      Files.writeString(dir.resolve("events.log"), e.transactionId() + "\n", UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
      cp.checkpoint(e);
    });
    waitFor(() -> resumed.size() == expected.size() - handled);
    Thread.sleep(100);
    assertThat(resumed).isEqualTo(expected.subList(handled, expected.size()));
    // leave the log consistent with the checkpoint for the next round
    Files.write(dir.resolve("events.log"), expected.stream().map(s -> s).toList(), UTF_8);
  }

  private static long countEvents(EmbeddedLedger ledger) {
    long n = 0;
    for (long b = 0; b < ledger.height(); b++) {
      n += ledger.block(b).transactions().stream().filter(BlockCodec.Tx::hasEvent).count();
    }
    return n;
  }
}
