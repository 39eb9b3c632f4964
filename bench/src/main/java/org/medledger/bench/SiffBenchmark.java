package org.medledger.bench;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SIFF for k members: build (the doctor, once per treatment: hash_to_field, interpolation,
 * self-check) and evaluate (every member, once per record read: hash_to_field + Horner).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SiffBenchmark {
  @Param({"2", "3", "4", "5", "6", "7", "8", "9", "10", "50"})
  public int k;

  private final SecureRandom random = new SecureRandom();
  private List<byte[]> strings;
  private SiffTag tag;

  @Setup
  public void setup() {
    strings = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      byte[] s = new byte[32];
      random.nextBytes(s);
      strings.add(s);
    }
    Siff.Built built = Siff.build(strings, random);
    tag = built.tag();
    built.key().close();
  }

  @Benchmark
  public Siff.Built build() {
    return Siff.build(strings, random);
  }

  @Benchmark
  public SiffKey evaluate() {
    return Siff.evaluate(tag, strings.get(0));
  }
}
