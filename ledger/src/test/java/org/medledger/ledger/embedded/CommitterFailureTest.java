package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerException.Kind;
import org.medledger.ledger.LedgerIdentity;

/**
 * Issue 10, item 9: a failure in one transaction (or one block write that could be undone)
 * fails that transaction only; the ledger keeps accepting later writes. A failure that leaves
 * the file in an unknown state stops it until restart, and the restart is clean.
 */
class CommitterFailureTest {
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

  void reopen() {
    ledger.close();
    ledger = EmbeddedLedger.open(dir, contract);
  }

  @Test
  void anOutOfMemoryErrorInOneTransactionFailsThatTransactionOnly() {
    ledger.submit(doctor, "put", b("before"), b("1"));
    assertThatThrownBy(() -> ledger.submit(doctor, "exhaust", b("bad")))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("OutOfMemoryError")
        .hasMessageContaining("not committed")
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(Kind.FAILED);
    ledger.submit(doctor, "put", b("after"), b("2"));
    assertThat(get("after")).isEqualTo("2");
    assertThat(get("bad")).isEmpty();
    assertThat(ledger.height()).isEqualTo(2);
  }

  @Test
  void theOtherTransactionsOfTheSameBlockCommit() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> puts = new ArrayList<>();
      List<Future<?>> bad = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int n = i;
        puts.add(pool.submit(() -> ledger.submit(doctor, "put", b("k" + n), b("v" + n))));
        if (i % 10 == 0) {
          bad.add(pool.submit(() -> ledger.submit(doctor, "exhaust", b("x" + n))));
        }
      }
      for (Future<?> f : puts) {
        f.get(); // every well-behaved transaction commits, whichever block it shared
      }
      for (Future<?> f : bad) {
        assertThatThrownBy(f::get).hasCauseInstanceOf(LedgerException.class);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < 40; i++) {
      assertThat(get("k" + i)).isEqualTo("v" + i);
    }
    for (int i = 0; i < 40; i += 10) {
      assertThat(get("x" + i)).isEmpty();
    }
    assertThat(ledger.verify().valid()).isTrue();
    reopen();
    assertThat(get("k39")).isEqualTo("v39");
  }

  @Test
  void aBlockWriteThatFailsHalfWayIsCutBackAndTheLedgerGoesOn() throws IOException {
    ledger.submit(doctor, "put", b("k0"), b("v0"));
    long goodSize = Files.size(dir.resolve(BlockFile.FILE_NAME));
    AtomicInteger failures = new AtomicInteger();
    ledger.injectFaults(new BlockFile.Faults() {
      @Override
      public void beforeWrite(FileChannel ch, long position, ByteBuffer frame) throws IOException {
        if (failures.getAndIncrement() == 0) {
          // a disk that fills up half-way through a large frame
          ByteBuffer half = frame.duplicate();
          half.limit(half.position() + half.remaining() / 2);
          ch.write(half, position);
          throw new IOException("No space left on device");
        }
      }
    });
    // a long value, so the torn frame is longer than the next one and would leave debris
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("k1"), b("x".repeat(20_000))))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("not committed")
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(Files.size(dir.resolve(BlockFile.FILE_NAME))).isEqualTo(goodSize);
    ledger.submit(doctor, "put", b("k2"), b("v2"));
    assertThat(failures.get()).isEqualTo(2);
    assertThat(get("k1")).isEmpty();
    assertThat(get("k2")).isEqualTo("v2");
    VerificationReport report = ledger.verify();
    assertThat(report.valid()).isTrue();
    assertThat(report.blocksVerified()).isEqualTo(2);

    reopen();
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).tornBytes()).isZero();
    assertThat(ledger.height()).isEqualTo(2);
    assertThat(get("k1")).isEmpty();
    assertThat(get("k2")).isEqualTo("v2");
  }

  @Test
  void aWriteThatCannotBeUndoneStopsTheLedgerUntilRestart() {
    ledger.submit(doctor, "put", b("k0"), b("v0"));
    ledger.injectFaults(new BlockFile.Faults() {
      @Override
      public void beforeWrite(FileChannel ch, long position, ByteBuffer frame) throws IOException {
        ByteBuffer half = frame.duplicate();
        half.limit(half.position() + half.remaining() / 2);
        ch.write(half, position);
        throw new IOException("Input/output error");
      }

      @Override
      public void beforeTruncate() throws IOException {
        throw new IOException("Input/output error");
      }
    });
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("k1"), b("v1")))
        .hasMessageContaining("restart");
    ledger.injectFaults(null);
    // the file's tail is unknown: no write may follow it
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("k2"), b("v2")))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("restart")
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(Kind.UNAVAILABLE);

    reopen(); // cuts the torn tail
    assertThat(ledger.height()).isEqualTo(1);
    assertThat(get("k0")).isEqualTo("v0");
    assertThat(get("k1")).isEmpty();
    ledger.submit(doctor, "put", b("k2"), b("v2"));
    assertThat(ledger.verify().valid()).isTrue();
  }

  @Test
  void aFailedFsyncStopsTheLedgerUntilRestart() {
    ledger.submit(doctor, "put", b("k0"), b("v0"));
    ledger.injectFaults(new BlockFile.Faults() {
      @Override
      public void beforeForce() throws IOException {
        throw new IOException("Input/output error");
      }
    });
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("k1"), b("v1")))
        .hasMessageContaining("restart");
    ledger.injectFaults(null);
    assertThatThrownBy(() -> ledger.submit(doctor, "put", b("k2"), b("v2")))
        .hasMessageContaining("restart");
    reopen();
    assertThat(get("k0")).isEqualTo("v0");
    ledger.submit(doctor, "put", b("k2"), b("v2"));
    assertThat(get("k2")).isEqualTo("v2");
  }
}
