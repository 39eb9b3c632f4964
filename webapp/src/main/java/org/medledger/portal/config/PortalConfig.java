package org.medledger.portal.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
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

  /** Failed logins allowed before the account is locked. */
  public int maxFailedLogins() {
    return Integer.parseInt(get("medledger.login.max-failures", "5").trim());
  }

  public Duration lockDuration() {
    return Duration.ofMinutes(Long.parseLong(get("medledger.login.lock-minutes", "5").trim()));
  }

  static String get(String key, String fallback) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      v = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
    }
    return v == null || v.isBlank() ? fallback : v;
  }
}
