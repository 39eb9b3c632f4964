package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;

/**
 * Child JVM of {@link CrashTest}: submits from 4 threads forever, printing "ACK txId key" once
 * each submit has returned, and consumes events into a log, checkpointing each one, until the
 * parent kills it with SIGKILL.
 */
public final class CrashChild {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("ledger"), new KvContract());
    LedgerIdentity id = Fixtures.doctor(ledger);
    FileCheckpoint cp = FileCheckpoint.open(dir.resolve("events.checkpoint"));
    FileChannel log = FileChannel.open(dir.resolve("events.log"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    ledger.subscribe(id, 0, cp, e -> {
      log.write(ByteBuffer.wrap((e.transactionId() + "\n").getBytes(UTF_8))); // page cache
      cp.checkpoint(e);
    });
    System.out.println("READY");
    System.out.flush();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      new Thread(() -> {
        for (int i = 0; ; i++) {
          String key = "t" + thread + "-" + i;
          SubmitResult r = ledger.submit(id, "put", key.getBytes(UTF_8), "v".getBytes(UTF_8));
          synchronized (System.out) {
            System.out.println("ACK " + r.transactionId() + " " + key);
            System.out.flush();
          }
        }
      }).start();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
