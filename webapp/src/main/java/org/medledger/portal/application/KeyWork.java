package org.medledger.portal.application;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises a doctor's portal's key work on one treatment. The doctor's page, the ledger-event
 * handler (the last answer arrived) and the login all build the key when they find it missing;
 * the key is kept in this portal's database until the first record pins it, so two builders at
 * once would both insert it and one would fail with a database error on the doctor's page
 * (seen in CI: the treatment page rendered no treatment). One portal is one process, so a lock
 * in memory is enough; the ledger itself refuses a second epoch or cover (R11, the cover's
 * sequence).
 *
 * <p>Striped rather than one lock per treatment: a fixed number of locks, nothing to clean up;
 * two treatments that share a stripe only wait for each other. Reentrant: writing the first
 * record builds a missing key under the same treatment's lock.
 */
final class KeyWork {
  private static final int STRIPES = 64;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  KeyWork() {
    Arrays.setAll(stripes, i -> new ReentrantLock());
  }

  void run(String kappa0Hex, Runnable work) {
    ReentrantLock lock = stripe(kappa0Hex);
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }

  private ReentrantLock stripe(String kappa0Hex) {
    String key = kappa0Hex == null ? "" : kappa0Hex.trim().toLowerCase(java.util.Locale.ROOT);
    int h = Arrays.hashCode(key.getBytes(StandardCharsets.US_ASCII));
    return stripes[Math.floorMod(h, STRIPES)];
  }
}
