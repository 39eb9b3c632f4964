package org.medledger.portal.application;

/**
 * "Not now": the request was not evaluated and may be repeated after {@link #retryAfterSeconds()}.
 * Either the portal's password-hashing pool is full (HTTP 503) or a login delay of the account
 * or of the client's address is running (HTTP 429). Pages send the status and a Retry-After.
 */
public class TryLaterException extends PortalException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final long retryAfterSeconds;

  private TryLaterException(int status, long retryAfterSeconds, String message) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The password-hashing pool is full. */
  public static TryLaterException busy(long seconds) {
    long s = Math.max(1, seconds);
    return new TryLaterException(503, s, "The portal is busy checking passwords; please try again in " + s + " s.");
  }

  /** A login delay is running (it does not say whose: the account's or the address's). */
  public static TryLaterException delayed(long seconds) {
    long s = Math.max(1, seconds);
    return new TryLaterException(429, s, "Too many failed attempts; please try again in " + s + " s.");
  }

  public int status() {
    return status;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
