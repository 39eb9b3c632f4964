package org.medledger.portal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.medledger.portal.config.PortalConfig;

/** The delay arithmetic and bookkeeping of {@link LoginThrottle} (defaults: 3 and 30 free, 30 s doubling to 900 s). */
class LoginThrottleTest {
  private final LoginThrottle throttle = new LoginThrottle();

  LoginThrottleTest() {
    throttle.config = new PortalConfig();
  }

  @Test
  void theDelayDoublesFromThirtySecondsAfterTheFreeFailuresUpToTheMaximum() {
    assertThat(throttle.delayMillis(3, 3)).isZero();
    assertThat(throttle.delayMillis(4, 3)).isEqualTo(30_000);
    assertThat(throttle.delayMillis(5, 3)).isEqualTo(60_000);
    assertThat(throttle.delayMillis(8, 3)).isEqualTo(480_000);
    assertThat(throttle.delayMillis(9, 3)).isEqualTo(900_000);
    assertThat(throttle.delayMillis(10_000, 3)).isEqualTo(900_000);
  }

  @Test
  void theFourthFailureStartsADelayThatRefusesWithoutCounting() {
    for (int i = 0; i < 4; i++) throttle.failed(throttle.begin("alice", null));
    assertThatThrownBy(() -> throttle.begin("alice", null)).isInstanceOfSatisfying(TryLaterException.class, e -> {
      assertThat(e.status()).isEqualTo(429);
      assertThat(e.retryAfterSeconds()).isBetween(1L, 30L);
    });
    // Other names and the kit (no account name) are not delayed.
    throttle.succeeded(throttle.begin("bob", null));
    throttle.succeeded(throttle.begin(null, null));
    throttle.forgetAccount("alice");
    throttle.succeeded(throttle.begin("alice", null));
  }

  @Test
  void aSuccessClearsTheAccountAndGivesTheAddressItsAttemptBack() {
    for (int i = 0; i < 3; i++) throttle.failed(throttle.begin("carol", "192.0.2.1"));
    throttle.succeeded(throttle.begin("carol", "192.0.2.1"));
    for (int i = 0; i < 3; i++) throttle.failed(throttle.begin("carol", "192.0.2.1")); // free again
    throttle.failed(throttle.begin("carol", "192.0.2.1"));
    assertThatThrownBy(() -> throttle.begin("carol", "192.0.2.1")).isInstanceOf(TryLaterException.class);
    // 30 free failures per address, successes paid back: people behind one NAT who type right never wait.
    for (int i = 0; i < 100; i++) throttle.succeeded(throttle.begin("user" + i, "198.51.100.1"));
    for (int i = 0; i < 30; i++) throttle.failed(throttle.begin("guess" + i, "198.51.100.1"));
    throttle.failed(throttle.begin("guess-last", "198.51.100.1"));
    assertThatThrownBy(() -> throttle.begin("dave", "198.51.100.1")).isInstanceOf(TryLaterException.class);
    throttle.succeeded(throttle.begin("dave", "198.51.100.2"));
  }

  @Test
  void ipv6AddressesShareTheirSlash64() {
    assertThat(LoginThrottle.addressKey("2001:db8:1:2:aaaa::1")).isEqualTo(LoginThrottle.addressKey("2001:db8:1:2:bbbb::9"))
        .isEqualTo("2001:0db8:0001:0002::/64");
    assertThat(LoginThrottle.addressKey("2001:db8:1:3::1")).isNotEqualTo(LoginThrottle.addressKey("2001:db8:1:2::1"));
    assertThat(LoginThrottle.addressKey("192.0.2.7")).isEqualTo("192.0.2.7");
    assertThat(LoginThrottle.addressKey(null)).isNull();
  }
}
