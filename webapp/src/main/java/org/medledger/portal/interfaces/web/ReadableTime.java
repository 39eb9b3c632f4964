package org.medledger.portal.interfaces.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Times as people read them, in the viewer's time zone: "3 Mar 2026, 14:05" (no seconds, no
 * ISO-8601). The zone is the one the browser reports (cookie {@link #COOKIE}, set by
 * resources/js/timezone.js); a missing or unknown zone falls back to the server's.
 */
public final class ReadableTime {
  /** The cookie holding the browser's IANA zone id, URL-encoded ("Europe%2FParis"). */
  public static final String COOKIE = "ml-tz";
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", Locale.ENGLISH);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);

  private final ZoneId zone;

  public ReadableTime(ZoneId zone) {
    this.zone = zone;
  }

  /** "3 Mar 2026, 14:05"; empty for no time. */
  public String format(Instant t) {
    return t == null ? "" : WHEN.format(t.atZone(zone));
  }

  /** "3 March 2026"; empty for no time. */
  public String day(Instant t) {
    return t == null ? "" : DAY.format(t.atZone(zone));
  }

  public ZoneId zone() {
    return zone;
  }

  /**
   * The zone a cookie value names, or {@code fallback}: the value is the browser's to choose, so
   * anything that is not a region id (or a fixed offset) is ignored.
   */
  public static ZoneId zone(String cookieValue, ZoneId fallback) {
    if (cookieValue == null || cookieValue.isBlank() || cookieValue.length() > 100) return fallback;
    try {
      String id = URLDecoder.decode(cookieValue, StandardCharsets.UTF_8).trim();
      if (!id.matches("[A-Za-z0-9_+\\-/:]{1,64}")) return fallback;
      return ZoneId.of(id);
    } catch (DateTimeException | IllegalArgumentException e) {
      return fallback;
    }
  }
}
