package org.medledger.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.medledger.core.crypto.Argon2Params;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.UserSecret;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Login cost: unwrapping σ under the product's Argon2id parameters (RFC 9106, t=3, 64 MiB, p=4). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Argon2Benchmark {
  private static final char[] PASSWORD = "correct horse battery staple".toCharArray();
  private byte[] wrapped;

  @Setup
  public void setup() {
    SecureRandom random = new SecureRandom();
    try (UserSecret s = UserSecret.generate(random)) {
      wrapped = PasswordWrap.wrap(s, PASSWORD, Argon2Params.RFC9106_SECOND, random);
    }
  }

  @Benchmark
  public UserSecret unlock() {
    return PasswordWrap.unwrap(wrapped, PASSWORD);
  }
}
