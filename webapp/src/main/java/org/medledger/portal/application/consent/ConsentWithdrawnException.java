package org.medledger.portal.application.consent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Function;
import org.medledger.portal.application.PortalException;

/**
 * The doctor scanned a consent the patient withdrew. The page says when, in the viewer's time
 * zone ({@link #sentence}); the plain message (UTC) serves callers without a viewer.
 */
public class ConsentWithdrawnException extends PortalException {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private final Instant withdrawnAt;

  public ConsentWithdrawnException(Instant withdrawnAt) {
    super(sentence(withdrawnAt, UTC::format));
    this.withdrawnAt = withdrawnAt;
  }

  public Instant withdrawnAt() {
    return withdrawnAt;
  }

  /** "The patient withdrew this consent on 2 Dec 2026, 14:05. ..." with {@code time} formatting the moment. */
  public String sentence(Function<Instant, String> time) {
    return sentence(withdrawnAt, time);
  }

  private static String sentence(Instant at, Function<Instant, String> time) {
    return "The patient withdrew this consent on " + time.apply(at)
        + ". Ask the patient for a new QR code if the treatment should go ahead.";
  }
}
