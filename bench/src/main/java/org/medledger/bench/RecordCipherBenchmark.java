package org.medledger.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.medledger.core.crypto.RecordCipher;
import org.medledger.core.crypto.SiffKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A process record's message sealed and opened again (HKDF record key + AES-256-GCM, both ways). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecordCipherBenchmark {
  @Param({"32", "65536"})
  public int size;

  private SiffKey key;
  private RecordCipher.Context context;
  private byte[] message;

  @Setup
  public void setup() {
    SecureRandom random = new SecureRandom();
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    key = SiffKey.of(raw);
    byte[] kappa0 = new byte[32];
    byte[] tagHash = new byte[32];
    random.nextBytes(kappa0);
    random.nextBytes(tagHash);
    context = new RecordCipher.Context(kappa0, tagHash, 0x04, 0x0123456789abcdefL, 1);
    message = new byte[size];
    random.nextBytes(message);
  }

  @Benchmark
  public byte[] encryptDecrypt() {
    return RecordCipher.open(key, context, RecordCipher.seal(key, context, message));
  }
}
