package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.medledger.core.testing.DeterministicRandom;

/** σ under a password, the recovery kit, and secrets that never print themselves. */
class SecretsTest {
  private static final Argon2Params CHEAP = Argon2Params.TEST_ONLY;
  private final DeterministicRandom random = new DeterministicRandom("secrets");

  private static boolean same(UserSecret a, UserSecret b) {
    return Arrays.equals(a.raw(), b.raw());
  }

  // ------------------------------------------------------------------ password wrap

  @Test
  void wrongPasswordIsReportedAsSuch() {
    try (UserSecret s = UserSecret.generate(random)) {
      byte[] w = PasswordWrap.wrap(s, "right".toCharArray(), CHEAP, random);
      assertThat(w).hasSize(PasswordWrap.WRAPPED_BYTES);
      try (UserSecret back = PasswordWrap.unwrap(w, "right".toCharArray())) {
        assertThat(same(back, s)).isTrue();
      }
      assertThatThrownBy(() -> PasswordWrap.unwrap(w, "Right".toCharArray()))
          .isInstanceOf(WrongPasswordException.class).hasMessage("wrong password");
      assertThatThrownBy(() -> PasswordWrap.unwrap(w, new char[0])).isInstanceOf(CryptoException.class);
      assertThatThrownBy(() -> PasswordWrap.wrap(s, new char[0], CHEAP, random)).isInstanceOf(CryptoException.class);
    }
  }

  @Test
  void rewrapKeepsSigmaAndRetiresTheOldPassword() {
    try (UserSecret s = UserSecret.generate(random)) {
      byte[] kappa0 = new byte[32];
      byte[] w1 = PasswordWrap.wrap(s, "old pw".toCharArray(), CHEAP, random);
      byte[] w2 = PasswordWrap.rewrap(w1, "old pw".toCharArray(), "new pw".toCharArray(), CHEAP, random);
      assertThat(w2).isNotEqualTo(w1);
      try (UserSecret back = PasswordWrap.unwrap(w2, "new pw".toCharArray())) {
        assertThat(same(back, s)).isTrue();
        assertThat(back.initialString(kappa0)).isEqualTo(s.initialString(kappa0));
        assertThat(back.signingKeyPair().publicKey()).isEqualTo(s.signingKeyPair().publicKey());
      }
      assertThatThrownBy(() -> PasswordWrap.unwrap(w2, "old pw".toCharArray())).isInstanceOf(WrongPasswordException.class);
      assertThatThrownBy(() -> PasswordWrap.rewrap(w1, "bad".toCharArray(), "x".toCharArray(), CHEAP, random))
          .isInstanceOf(WrongPasswordException.class);
    }
  }

  /** The one wrap under the product's real parameters (about a second): they are recorded in the blob. */
  @Test
  void productParametersAreRecordedInTheBlob() {
    try (UserSecret s = UserSecret.generate(random)) {
      byte[] w = PasswordWrap.wrap(s, "pw".toCharArray(), Argon2Params.RFC9106_SECOND, random);
      ByteBuffer b = ByteBuffer.wrap(w);
      assertThat(new byte[] {b.get(), b.get(), b.get(), b.get()}).isEqualTo(new byte[] {'M', 'L', 'W', 1});
      assertThat(b.get()).isEqualTo((byte) 3);
      assertThat(b.getInt()).isEqualTo(64 * 1024);
      assertThat(b.get()).isEqualTo((byte) 4);
      try (UserSecret back = PasswordWrap.unwrap(w, "pw".toCharArray())) {
        assertThat(same(back, s)).isTrue();
      }
    }
  }

  @Test
  void somethingElseIsNotMistakenForAWrongPassword() {
    assertThatThrownBy(() -> PasswordWrap.unwrap(new byte[PasswordWrap.WRAPPED_BYTES], "pw".toCharArray()))
        .isInstanceOf(CryptoException.class).isNotInstanceOf(WrongPasswordException.class)
        .hasMessageContaining("not a MedLedger wrapped secret");
    try (UserSecret s = UserSecret.generate(random)) {
      byte[] w = PasswordWrap.wrap(s, "pw".toCharArray(), CHEAP, random);
      byte[] v2 = w.clone();
      v2[3] = 2;
      assertThatThrownBy(() -> PasswordWrap.unwrap(v2, "pw".toCharArray())).hasMessageContaining("version");
      assertThatThrownBy(() -> PasswordWrap.unwrap(Arrays.copyOf(w, w.length - 1), "pw".toCharArray()))
          .isInstanceOf(CryptoException.class).isNotInstanceOf(WrongPasswordException.class);
    }
  }

  /**
   * Any flipped bit in salt, nonce, ciphertext or tag, or in the cost parameters (kept cheap:
   * t, p and the low bits of m), fails to unwrap.
   */
  @Property(tries = 40)
  void anyFlippedBitOfAWrappedSecretIsDetected(@ForAll("wrapBits") int bit) {
    byte[] w = wrapped();
    byte[] t = w.clone();
    t[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThatThrownBy(() -> PasswordWrap.unwrap(t, "pw".toCharArray())).isInstanceOf(CryptoException.class);
  }

  private byte[] wrappedCache;

  private byte[] wrapped() {
    if (wrappedCache == null) {
      try (UserSecret s = UserSecret.generate(new DeterministicRandom("wrap bits"))) {
        wrappedCache = PasswordWrap.wrap(s, "pw".toCharArray(), CHEAP, new DeterministicRandom("wrap bits"));
      }
    }
    return wrappedCache;
  }

  @Provide
  Arbitrary<Integer> wrapBits() {
    Arbitrary<Integer> cost = Arbitraries.oneOf(
        Arbitraries.integers().between(4 * 8, 5 * 8 - 1), // t
        Arbitraries.integers().between(8 * 8, 8 * 8 + 1).map(i -> i), // m, bits 8..9 of the low byte's neighbour
        Arbitraries.integers().between(8 * 8 + 8, 8 * 8 + 15), // m, low byte
        Arbitraries.integers().between(9 * 8, 10 * 8 - 1)); // p
    Arbitrary<Integer> rest = Arbitraries.integers().between(10 * 8, PasswordWrap.WRAPPED_BYTES * 8 - 1);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, cost), net.jqwik.api.Tuple.of(4, rest));
  }

  // ------------------------------------------------------------------ recovery kit

  @Property(tries = 50)
  void recoveryKitRoundTrips(@ForAll long seed) {
    try (UserSecret s = UserSecret.generate(new DeterministicRandom("kit " + seed))) {
      String text = RecoveryKit.encode(s);
      assertThat(text).startsWith("MLRK1-").matches("MLRK1(-[A-Z2-7]{1,4})+");
      try (UserSecret a = RecoveryKit.decode(text);
          UserSecret b = RecoveryKit.decode(RecoveryKit.qrPayload(s));
          UserSecret c = RecoveryKit.decode("  " + text.toLowerCase().replace("-", " ") + "\n")) {
        assertThat(same(a, s)).isTrue();
        assertThat(same(b, s)).isTrue();
        assertThat(same(c, s)).isTrue();
      }
    }
  }

  /** Any single mistyped character is caught (checksum, or for the last one, its unused bits). */
  @Property(tries = 200)
  void aMistypedCharacterIsDetected(@ForAll long seed, @ForAll @IntRange(min = 0, max = 57) int position,
      @ForAll @IntRange(min = 1, max = 31) int shift) {
    try (UserSecret s = UserSecret.generate(new DeterministicRandom("typo " + seed))) {
      String body = RecoveryKit.encode(s).substring(RecoveryKit.PREFIX.length()).replace("-", "");
      assertThat(body).hasSize(58);
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
      char wrong = alphabet.charAt((alphabet.indexOf(body.charAt(position)) + shift) % 32);
      String typo = RecoveryKit.PREFIX + body.substring(0, position) + wrong + body.substring(position + 1);
      assertThatThrownBy(() -> RecoveryKit.decode(typo)).isInstanceOf(CryptoException.class)
          .hasMessageContaining("recovery code");
    }
  }

  @Test
  void swappedMissingOrExtraCharactersAreDetected() {
    try (UserSecret s = UserSecret.generate(random)) {
      String body = RecoveryKit.encode(s).substring(RecoveryKit.PREFIX.length()).replace("-", "");
      for (int i = 0; i + 1 < body.length(); i++) {
        if (body.charAt(i) == body.charAt(i + 1)) continue;
        String swapped = body.substring(0, i) + body.charAt(i + 1) + body.charAt(i) + body.substring(i + 2);
        assertThatThrownBy(() -> RecoveryKit.decode(RecoveryKit.PREFIX + swapped)).isInstanceOf(CryptoException.class);
      }
      for (String bad : List.of(body.substring(1), body.substring(0, body.length() - 1), body + "A", body + "Q",
          "A" + body, body.replace(body.charAt(3), '1'))) {
        assertThatThrownBy(() -> RecoveryKit.decode(RecoveryKit.PREFIX + bad)).as(bad).isInstanceOf(CryptoException.class);
      }
      assertThatThrownBy(() -> RecoveryKit.decode("MLRK2-" + body)).hasMessageContaining("MLRK1-");
      assertThatThrownBy(() -> RecoveryKit.decode(null)).isInstanceOf(CryptoException.class);
    }
  }

  // ------------------------------------------------------------------ nothing secret in toString

  @Property(tries = 30)
  void secretsNeverShowTheirBytes(@ForAll long seed) {
    DeterministicRandom r = new DeterministicRandom("toString " + seed);
    try (UserSecret s = UserSecret.generate(r)) {
      byte[] raw = s.raw();
      assertNoBytes(s.toString(), raw);
      assertNoBytes(String.valueOf(s), raw);
      List<byte[]> members = List.of(s.initialString(new byte[32]), new byte[] {1, 2, 3});
      Siff.Built b = Siff.build(members, r);
      byte[] key = b.key().bytes();
      assertNoBytes(b.key().toString(), key);
      assertNoBytes(b.toString(), key);
      assertNoBytes(b.tag().toString(), key);
      assertNoBytes(SiffKey.of(raw).toString(), raw);
      EcKeyPair kp = s.signingKeyPair();
      assertNoBytes(kp.toString(), raw);
      assertThat(kp.toString()).contains(Bytes.hex(kp.publicKey()));
      assertThat(kp.toString()).doesNotContain(kp.toJca().getPrivate().getEncoded().length > 0
          ? HexFormat.of().formatHex(((java.security.interfaces.ECPrivateKey) kp.toJca().getPrivate()).getS().toByteArray())
          : "-");
    }
  }

  @Test
  void closeWipes() {
    UserSecret s = UserSecret.generate(random);
    s.close();
    assertThat(s.raw()).containsOnly(0);
    SiffKey k = SiffKey.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
        24, 25, 26, 27, 28, 29, 30, 31, 32});
    k.close();
    assertThat(k.bytes()).containsOnly(0);
  }

  private static void assertNoBytes(String text, byte[] secret) {
    String hex = HexFormat.of().formatHex(secret);
    assertThat(text.toLowerCase()).doesNotContain(hex).doesNotContain(hex.substring(0, 16));
    assertThat(text).doesNotContain(Arrays.toString(secret)).doesNotContain(Base64.getEncoder().encodeToString(secret))
        .doesNotContain(RecoveryKit.base32(secret).substring(0, 16));
  }
}
