package org.medledger.core.crypto;

/**
 * Argon2id cost parameters (RFC 9106). {@link #RFC9106_SECOND} — t = 3, 64 MiB, p = 4 — is the
 * product default (about half a second on a 2-core machine, once per login). Weaker settings
 * are accepted only for tests and are recorded inside each wrapped secret.
 */
public record Argon2Params(int iterations, int memoryKiB, int parallelism) {
  public static final Argon2Params RFC9106_SECOND = new Argon2Params(3, 64 * 1024, 4);
  /** Cheap parameters for unit tests; never for real accounts. */
  public static final Argon2Params TEST_ONLY = new Argon2Params(1, 1024, 1);

  public Argon2Params {
    if (iterations < 1 || iterations > 16) throw new CryptoException("Argon2 iterations must be 1..16");
    if (parallelism < 1 || parallelism > 16) throw new CryptoException("Argon2 parallelism must be 1..16");
    if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
      throw new CryptoException("Argon2 memory must be 8·p KiB .. 4 GiB");
    }
  }
}
