package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;
import org.medledger.ledger.TransactionEvidence;

class EmbeddedLedgerTest {
  @TempDir Path dir;
  KvContract contract;
  EmbeddedLedger ledger;
  LedgerIdentity doctor;

  @BeforeEach
  void open() {
    contract = new KvContract();
    ledger = EmbeddedLedger.open(dir, contract);
    doctor = Fixtures.doctor(ledger);
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  String get(String key) {
    return new String(ledger.evaluate(doctor, "get", b(key)), UTF_8);
  }

  @Test
  void dispatchesToTheAnnotatedMethodWithHooksAndReturnsItsResult() {
    SubmitResult r = ledger.submit(doctor, "put", b("k1"), b("v1"));
    assertThat(new String(r.payload(), UTF_8)).isEqualTo("ok:k1");
    assertThat(r.transactionId()).matches("[0-9a-f]{64}");
    assertThat(r.blockNumber()).isEqualTo(0);
    assertThat(get("k1")).isEqualTo("v1");
    assertThat(contract.calls).containsSubsequence("before:put", "after:put");
    assertThat(ledger.height()).isEqualTo(1);
    // namespaced name, as fabric-gateway sends "contract:function"
    ledger.submit(doctor, "kv:put", b("k2"), b("v2"));
    assertThat(get("k2")).isEqualTo("v2");
  }

  @Test
  void unknownFunctionGoesToUnknownTransactionAndIsRejected() {
    assertThatThrownBy(() -> ledger.submit(doctor, "nope"))
        .isInstanceOf(LedgerException.class)
        .hasMessage("Undefined contract method called")
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(LedgerException.Kind.REJECTED);
    assertThatThrownBy(() -> ledger.submit(doctor, "other:put", b("k"), b("v")))
        .hasMessage("Undefined contract method called");
    // unknownTransaction throws, so (as on Fabric) afterTransaction is not reached
    assertThat(contract.calls).containsExactly("before:nope", "before:other:put");
    assertThat(ledger.height()).isZero();
  }

  @Test
  void rawBinaryArgumentsAndByteArrayResults() {
    byte[] record = new byte[300];
    for (int i = 0; i < record.length; i++) {
      record[i] = (byte) (i * 7);
    }
    SubmitResult r = ledger.submit(doctor, "StoreRaw", record);
    assertThat(r.payload()).isEqualTo(record);
    List<ChaincodeEvent> events = Collections.synchronizedList(new ArrayList<>());
    ledger.subscribe(doctor, 0, null, events::add);
    waitFor(() -> events.size() == 1);
    assertThat(events.get(0).payload()).isEqualTo(record);
    assertThat(events.get(0).eventName()).isEqualTo("raw");
  }

  @Test
  void rejectionWritesNothingAndEmitsNoEvent() {
    List<ChaincodeEvent> events = Collections.synchronizedList(new ArrayList<>());
    ledger.subscribe(doctor, 0, null, events::add);
    assertThatThrownBy(() -> ledger.submit(doctor, "fail", b("x")))
        .isInstanceOf(LedgerException.class)
        .hasMessage("refused: x is not allowed")
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(LedgerException.Kind.REJECTED);
    assertThatThrownBy(() -> ledger.submit(doctor, "crash", b("y")))
        .hasMessage("internal trouble");
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("only-one-arg")))
        .hasMessageContaining("expects 2 argument");
    assertThat(ledger.height()).isZero();
    assertThat(get("x")).isEmpty();
    assertThat(get("y")).isEmpty();
    ledger.submit(doctor, "put", b("after"), b("1"));
    waitFor(() -> events.size() == 1);
    assertThat(events).extracting(ChaincodeEvent::eventName).containsExactly("put");
  }

  @Test
  void readsSeeCommittedStateNotTheTransactionsOwnWrites() {
    ledger.submit(doctor, "put", b("k"), b("old"));
    SubmitResult r = ledger.submit(doctor, "putAndRead", b("k"), b("new"));
    assertThat(new String(r.payload(), UTF_8)).isEqualTo("read:old");
    assertThat(get("k")).isEqualTo("new");
    assertThat(get("missing")).isEmpty(); // Fabric: a missing key reads as empty bytes
  }

  @Test
  void deletesRangesAndCompositeKeysFollowFabric() {
    for (String k : List.of("a", "b", "c", "d")) {
      ledger.submit(doctor, "put", b(k), b(k.toUpperCase()));
    }
    ledger.submit(doctor, "putComposite", b("rec"), b("t1"), b("x"), b("1"));
    ledger.submit(doctor, "putComposite", b("rec"), b("t1"), b("y"), b("2"));
    ledger.submit(doctor, "putComposite", b("rec"), b("t2"), b("x"), b("3"));
    ledger.submit(doctor, "del", b("c"));
    // simple-key ranges never include composite keys; end is exclusive, "" is unbounded
    assertThat(new String(ledger.evaluate(doctor, "list", b("b"), b("d")), UTF_8))
        .isEqualTo("b=B;");
    assertThat(new String(ledger.evaluate(doctor, "list", b(""), b("")), UTF_8))
        .isEqualTo("a=A;b=B;d=D;");
    assertThat(new String(ledger.evaluate(doctor, "listComposite", b("rec"), b("t1")), UTF_8))
        .isEqualTo("[t1, x]=1;[t1, y]=2;");
  }

  @Test
  void secondSetEventReplacesTheFirst() {
    List<ChaincodeEvent> events = Collections.synchronizedList(new ArrayList<>());
    ledger.subscribe(doctor, 0, null, events::add);
    ledger.submit(doctor, "twoEvents", b("k"));
    waitFor(() -> events.size() == 1);
    assertThat(events.get(0).eventName()).isEqualTo("second");
  }

  @Test
  void stubExposesTxIdChannelAndParameters() {
    String info = new String(ledger.evaluate(doctor, "txInfo"), UTF_8);
    String[] parts = info.split("\\|");
    assertThat(parts[0]).matches("[0-9a-f]{64}");
    assertThat(parts[1]).isEqualTo("medledger");
    assertThat(parts[3]).isEqualTo("txInfo");
    assertThatThrownBy(() -> ledger.evaluate(doctor, "history", b("k")))
        .hasMessageContaining("not supported by the embedded ledger");
  }

  @Test
  void evaluateNeverWrites() {
    ledger.evaluate(doctor, "put", b("k"), b("v"));
    assertThat(ledger.height()).isZero();
    assertThat(get("k")).isEmpty();
  }

  @Test
  void concurrentSubmitsAreSerialized() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<SubmitResult>> fs = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      fs.add(pool.submit(() -> ledger.submit(doctor, "increment", b("counter"))));
    }
    for (Future<SubmitResult> f : fs) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(get("counter")).isEqualTo("400");
    assertThat(ledger.height()).isLessThanOrEqualTo(400);
    assertThat(ledger.verify().valid()).isTrue();
  }

  @Test
  void evidenceNamesBlockHashTimeAndSigner() {
    SubmitResult r = ledger.submit(doctor, "put", b("k"), b("v"));
    TransactionEvidence e = ledger.transaction(doctor, r.transactionId()).orElseThrow();
    assertThat(e.blockNumber()).isEqualTo(r.blockNumber());
    assertThat(e.blockHashHex()).isEqualTo(ledger.verify().headHashHex());
    assertThat(e.creatorMspId()).isEqualTo("HospitalMSP");
    assertThat(e.creatorCertificatePem()).isEqualTo(EmbeddedCertificateAuthority.pem(doctor.certificate()));
    assertThat(e.valid()).isTrue();
    assertThat(e.timestamp()).isNotNull();
    assertThat(ledger.transaction(doctor, "0".repeat(64))).isEmpty();
  }

  @Test
  void closeAndReopenRestoresStateAndHeight() {
    for (int i = 0; i < 20; i++) {
      ledger.submit(doctor, "put", b("k" + i), b("v" + i));
    }
    ledger.submit(doctor, "del", b("k3"));
    String list = new String(ledger.evaluate(doctor, "list", b(""), b("")), UTF_8);
    long height = ledger.height();
    String head = ledger.verify().headHashHex();
    ledger.close();
    ledger = EmbeddedLedger.open(dir, new KvContract());
    assertThat(ledger.height()).isEqualTo(height);
    assertThat(ledger.verify().headHashHex()).isEqualTo(head);
    assertThat(new String(ledger.evaluate(doctor, "list", b(""), b("")), UTF_8)).isEqualTo(list);
    assertThat(get("k3")).isEmpty();
    // the reopened ledger still accepts the same identity and appends after the old head
    SubmitResult r = ledger.submit(doctor, "put", b("k"), b("v"));
    assertThat(r.blockNumber()).isEqualTo(height);
    assertThat(ledger.verify().valid()).isTrue();
  }

  /** The block file, lock, CA keys and checkpoints are the portal's secrets at rest: owner-only, whatever the umask. */
  @Test
  void everyFileTheLedgerCreatesIsOwnerOnly() throws Exception {
    ledger.submit(doctor, "put", b("k"), b("v"));
    ledger.certificateAuthority("OtherMSP");
    FileCheckpoint.open(dir.resolve("checkpoint")).checkpointBlock(0);
    List<String> open = new ArrayList<>();
    try (var walk = java.nio.file.Files.walk(dir)) {
      for (Path f : walk.toList()) {
        String want = java.nio.file.Files.isDirectory(f) ? "rwx------" : "rw-------";
        String got = java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(f));
        if (!f.equals(dir) && !got.equals(want)) open.add(dir.relativize(f) + " " + got);
      }
    }
    assertThat(open).as("not owner-only").isEmpty();
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() {
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class)
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(LedgerException.Kind.UNAVAILABLE);
  }

  @Test
  void closedLedgerRefusesWork() {
    ledger.close();
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("k"), b("v")))
        .hasMessageContaining("closed");
  }

  static void waitFor(java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
