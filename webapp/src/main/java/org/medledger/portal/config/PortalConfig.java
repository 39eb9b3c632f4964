package org.medledger.portal.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Locale;
import org.medledger.core.crypto.Argon2Params;

/**
 * The portal's settings, each read from a system property or, failing that, from the
 * environment variable of the same name in upper case with dots as underscores
 * ({@code medledger.data.dir} / {@code MEDLEDGER_DATA_DIR}). Documented in docs/portal.md.
 */
@ApplicationScoped
public class PortalConfig {
  public enum LedgerMode { EMBEDDED, FABRIC }

  /** Where the embedded ledger, its CAs and (by default) the portal database live. */
  public Path dataDir() {
    return Path.of(get("medledger.data.dir", "./.medledger")).toAbsolutePath().normalize();
  }

  public LedgerMode ledgerMode() {
    String v = get("medledger.ledger", "embedded").trim().toUpperCase(Locale.ROOT);
    try {
      return LedgerMode.valueOf(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("medledger.ledger must be 'embedded' or 'fabric', not '" + v + "'");
    }
  }

  /**
   * Fabric mode: the run directory of the network that {@code fabric/network.sh} brought up
   * (it holds {@code network.properties}).
   */
  public Path fabricNetwork() {
    return Path.of(get("medledger.fabric.network", "fabric/run")).toAbsolutePath().normalize();
  }

  /**
   * Fabric mode: the organisation this portal belongs to, as the network names it
   * ({@code hospital}, {@code pharmacy}, {@code insurer}, {@code lawfirm}) or its MSP id
   * ({@code LawFirmMSP}).
   */
  public String fabricOrganisation() {
    return get("medledger.fabric.org", "hospital").trim();
  }

  /**
   * Print a new administrator setup code at this start even though administrators exist (a lost
   * administrator password, another administrator): {@code scripts/portal --admin-setup}.
   */
  public boolean adminSetup() {
    return Boolean.parseBoolean(get("medledger.admin.setup", "false").trim());
  }

  /** Seed six demo accounts and a finished treatment on first start. */
  public boolean demo() {
    return Boolean.parseBoolean(get("medledger.demo", "false").trim());
  }

  /**
   * Argon2id cost for new wraps: RFC 9106's second recommendation in production; "fast" is for
   * automated tests only (every wrap records its own parameters, so unwrapping always works).
   */
  public Argon2Params argon2() {
    String v = get("medledger.argon2", "rfc9106").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "rfc9106", "production" -> Argon2Params.RFC9106_SECOND;
      case "fast", "test" -> Argon2Params.TEST_ONLY;
      default -> throw new IllegalStateException("medledger.argon2 must be 'rfc9106' or 'fast', not '" + v + "'");
    };
  }

  /** Argon2id evaluations at once (each takes the wrap's memory, 64 MiB at the product cost). */
  public int argon2Threads() {
    return positive("medledger.argon2.threads", Runtime.getRuntime().availableProcessors());
  }

  /** Argon2id evaluations that may wait for a worker; beyond them a login is answered "busy" (503). */
  public int argon2Queue() {
    return positive("medledger.argon2.queue", 2 * argon2Threads());
  }

  /** Failed logins of one account name that cost no delay (since its last success). */
  public int loginFreeFailures() {
    return positive("medledger.login.free-failures", 3);
  }

  /** Failed logins (minus successful ones) from one client address that cost no delay. */
  public int loginAddressFreeFailures() {
    return positive("medledger.login.address-free-failures", 30);
  }

  /** The first delay; each further failure doubles it. */
  public long loginFirstDelaySeconds() {
    return positive("medledger.login.first-delay-seconds", 30);
  }

  /** The longest delay: the most a stranger's guesses can make a user wait (the kit never waits). */
  public long loginMaxDelaySeconds() {
    return positive("medledger.login.max-delay-seconds", 900);
  }

  private static int positive(String key, int fallback) {
    String v = get(key, Integer.toString(fallback)).trim();
    try {
      int n = Integer.parseInt(v);
      if (n > 0) return n;
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalStateException(key + " must be a positive whole number, not '" + v + "'");
  }

  static String get(String key, String fallback) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      v = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return v == null || v.isBlank() ? fallback : v;
  }
}
