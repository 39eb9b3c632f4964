package org.medledger.portal.infrastructure.ledger;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.InMemoryCheckpoint;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.embedded.EmbeddedCertificateAuthority;
import org.medledger.ledger.embedded.EmbeddedLedger;

/**
 * Issue 10, item 9: a handler that fails on one event no longer ends the subscription. A
 * transient failure is retried with backoff; a poison event is recorded as failed after the
 * last attempt and the events after it still arrive. Real embedded ledger, real event stream;
 * only the handler (the inbox's database work) is replaced by one that fails on purpose.
 */
class RetryingListenerTest {
  /** Emits one event per call, named after its argument. */
  @Contract(name = "events")
  @Default
  public static class EventContract implements ContractInterface {
    @Transaction
    public void emit(Context ctx, String name) {
      ctx.getStub().putStringState(name, name);
      ctx.getStub().setEvent(name, name.getBytes(UTF_8));
    }
  }

  @TempDir Path dir;
  EmbeddedLedger ledger;
  LedgerIdentity identity;
  EventSubscription subscription;

  @BeforeEach
  void open() throws Exception {
    ledger = EmbeddedLedger.open(dir, new EventContract());
    EmbeddedCertificateAuthority ca = ledger.certificateAuthority("HospitalMSP");
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    identity = new LedgerIdentity(ca.mspId(), ca.issue("portal", "doctor", kp.getPublic()), kp.getPrivate());
  }

  @AfterEach
  void close() {
    if (subscription != null) subscription.close();
    ledger.close();
  }

  void emit(String name) {
    ledger.submit(identity, "emit", name.getBytes(UTF_8));
  }

  @Test
  void aTransientFailureIsRetriedAndAPoisonEventIsRecordedAndSkipped() throws Exception {
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
    List<String> givenUp = new CopyOnWriteArrayList<>();
    List<Long> waits = new CopyOnWriteArrayList<>();
    InMemoryCheckpoint checkpoint = new InMemoryCheckpoint();
    SubscriberHealth health = new SubscriberHealth();

    RetryingListener listener = new RetryingListener(event -> {
      int n = attempts.computeIfAbsent(event.eventName(), k -> new AtomicInteger()).incrementAndGet();
      if (event.eventName().equals("flaky") && n == 1) throw new IllegalStateException("database busy");
      if (event.eventName().equals("poison")) throw new OutOfMemoryError("injected");
      handled.add(event.eventName());
      checkpoint.checkpoint(event);
    }, (event, last) -> {
      givenUp.add(event.eventName() + ":" + last.getClass().getSimpleName());
      checkpoint.checkpoint(event); // moves past it, as InboxService.recordFailed does
    }, 3, 100, 400, waits::add, health);

    subscription = ledger.subscribe(identity, 0, checkpoint, listener);
    emit("first");
    emit("flaky");
    emit("poison");
    emit("after");

    assertThat(next(handled)).isEqualTo("first");
    assertThat(next(handled)).isEqualTo("flaky");
    assertThat(next(handled)).isEqualTo("after"); // the poison event did not stop the stream
    emit("later");
    assertThat(next(handled)).isEqualTo("later");

    assertThat(attempts.get("flaky")).hasValue(2);
    assertThat(attempts.get("poison")).hasValue(3);
    assertThat(givenUp).containsExactly("poison:OutOfMemoryError");
    // backoff: 100 before the flaky retry; 100, then 200 for the poison event
    assertThat(waits).containsExactly(100L, 100L, 200L);
    for (int i = 0; i < 300 && health.status().handled() < 4; i++) Thread.sleep(100); // counted after the handler returns
    SubscriberHealth.Status s = health.status();
    assertThat(s.healthy()).isTrue();
    assertThat(s.handled()).isEqualTo(4);
    assertThat(s.retries()).isEqualTo(4);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.problem()).contains("java.lang.OutOfMemoryError").doesNotContain("injected");
    assertThat(checkpoint.blockNumber()).hasValue(4);
  }

  @Test
  void whileTheFailureCannotBeRecordedNothingIsSkippedAndHealthSaysSo() throws Exception {
    AtomicInteger recordAttempts = new AtomicInteger();
    LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Long> waits = new LinkedBlockingQueue<>();
    SubscriberHealth health = new SubscriberHealth();
    AtomicInteger handlerCalls = new AtomicInteger();

    RetryingListener listener = new RetryingListener(event -> {
      // the database is down for the first 4 calls: every attempt and every record fails
      if (handlerCalls.incrementAndGet() <= 4) throw new IllegalStateException("database down");
      handled.add(event.eventName());
    }, (event, last) -> {
      recordAttempts.incrementAndGet();
      throw new IllegalStateException("database down");
    }, 2, 10, 50, millis -> {
      waits.add(millis);
    }, health);

    subscription = ledger.subscribe(identity, 0, null, listener);
    emit("only");
    assertThat(next(handled)).isEqualTo("only");
    assertThat(recordAttempts).hasValue(2); // two give-up cycles failed to record, then it worked
    assertThat(List.copyOf(waits)).containsExactly(10L, 50L, 10L, 50L);
    // health is updated once the handler has returned, just after it queued the event
    for (int i = 0; i < 300 && !health.status().healthy(); i++) Thread.sleep(100);
    assertThat(health.status().healthy()).isTrue();
    assertThat(health.status().failed()).isZero();
    assertThat(health.status().retries()).isEqualTo(6);
  }

  private static String next(LinkedBlockingQueue<String> q) throws InterruptedException {
    String s = q.poll(30, TimeUnit.SECONDS); // a bound against hanging, not a timing assertion
    assertThat(s).as("the next handled event").isNotNull();
    return s;
  }
}
