package org.medledger.portal.interfaces.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReadableTimeTest {
  private static final Instant T = Instant.parse("2026-12-02T17:54:03.123456789Z");

  @Test
  void aTimeIsShownInTheViewersZoneWithoutSecondsOrIsoLetters() {
    assertThat(new ReadableTime(ZoneId.of("Europe/Paris")).format(T)).isEqualTo("2 Dec 2026, 18:54");
    assertThat(new ReadableTime(ZoneId.of("Asia/Tokyo")).format(T)).isEqualTo("3 Dec 2026, 02:54");
    assertThat(new ReadableTime(ZoneOffset.UTC).format(T)).isEqualTo("2 Dec 2026, 17:54");
  }

  @Test
  void aDayIsWrittenOut() {
    assertThat(new ReadableTime(ZoneId.of("America/New_York")).day(Instant.parse("2026-03-03T12:00:00Z")))
        .isEqualTo("3 March 2026");
  }

  @Test
  void noTimeIsNoText() {
    assertThat(new ReadableTime(ZoneOffset.UTC).format(null)).isEmpty();
    assertThat(new ReadableTime(ZoneOffset.UTC).day(null)).isEmpty();
  }

  @Test
  void theBrowsersZoneComesFromItsCookieAndAnythingElseFallsBack() {
    ZoneId server = ZoneId.of("Europe/Berlin");
    assertThat(ReadableTime.zone("Europe%2FParis", server)).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(ReadableTime.zone("America/Argentina/Buenos_Aires", server)).isEqualTo(ZoneId.of("America/Argentina/Buenos_Aires"));
    assertThat(ReadableTime.zone(null, server)).isEqualTo(server);
    assertThat(ReadableTime.zone("", server)).isEqualTo(server);
    assertThat(ReadableTime.zone("Mars/Olympus_Mons", server)).isEqualTo(server);
    assertThat(ReadableTime.zone("<script>", server)).isEqualTo(server);
    assertThat(ReadableTime.zone("%E0%A4%A", server)).isEqualTo(server); // broken encoding
    assertThat(ReadableTime.zone("x".repeat(500), server)).isEqualTo(server);
  }
}
