package org.medledger.portal.infrastructure.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Fabric tier once lost three of its four portals at start-up: their peers, busy on a loaded
 * machine, let the first TLS handshake time out, and the portal gave up at once. A peer that
 * does not answer the first time is asked again until a time limit.
 */
class StartupRetryTest {
  private final AtomicLong clock = new AtomicLong();
  private final List<Long> sleeps = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  private <T> T run(java.util.function.Supplier<T> attempt) {
    return StartupRetry.until(attempt, Duration.ofSeconds(60), Duration.ofSeconds(2), clock::get, ms -> {
      sleeps.add(ms);
      clock.addAndGet(ms * 1_000_000);
    }, e -> failures.add(e.getMessage()));
  }

  @Test
  void aPeerThatAnswersOnTheThirdAttemptIsUsed() {
    AtomicInteger n = new AtomicInteger();
    String got = run(() -> {
      if (n.incrementAndGet() < 3) throw new IllegalStateException("UNAVAILABLE " + n.get());
      return "height 7";
    });
    assertThat(got).isEqualTo("height 7");
    assertThat(failures).containsExactly("UNAVAILABLE 1", "UNAVAILABLE 2");
    assertThat(sleeps).containsExactly(2000L, 2000L);
  }

  @Test
  void aPeerThatNeverAnswersFailsWithItsLastErrorOnceTheTimeIsUp() {
    AtomicInteger n = new AtomicInteger();
    assertThatThrownBy(() -> run(() -> {
      throw new IllegalStateException("UNAVAILABLE " + n.incrementAndGet());
    })).isInstanceOf(IllegalStateException.class).hasMessage("UNAVAILABLE 31");
    assertThat(n.get()).isEqualTo(31); // at 0, 2, 4, ... 60 s
    assertThat(clock.get()).isEqualTo(Duration.ofSeconds(60).toNanos());
  }
}
