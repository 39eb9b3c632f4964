package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.math.ec.ECFieldElement;
import org.junit.jupiter.api.Test;
import org.medledger.core.testing.DeterministicRandom;

/** SIFF as docs/protocol.md §SIFF specifies it, and the paper's literal reading refused. */
class SiffTest {
  private static final BigInteger P = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);

  private static List<byte[]> strings(int k, DeterministicRandom r) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      byte[] s = new byte[32];
      r.nextBytes(s);
      out.add(s);
    }
    return out;
  }

  @Test
  void everyMemberGetsTheKeyForEveryKFrom1To50() {
    DeterministicRandom r = new DeterministicRandom("siff k=1..50");
    for (int k = 1; k <= 50; k++) {
      List<byte[]> s = strings(k, r);
      Siff.Built b = Siff.build(s, r);
      assertThat(b.tag().members()).isEqualTo(k);
      assertThat(b.tag().encoded()).hasSize((k + 1) * SiffTag.COEFFICIENT_BYTES);
      for (byte[] x : s) {
        try (SiffKey got = Siff.evaluate(b.tag(), x)) {
          assertThat(got.sameAs(b.key())).as("k=%d", k).isTrue();
        }
      }
      // Through the public encoding as a reader gets it from the ledger.
      SiffTag parsed = SiffTag.parse(b.tag().encoded());
      assertThat(parsed).isEqualTo(b.tag());
      try (SiffKey got = Siff.evaluate(parsed, s.get(k - 1))) {
        assertThat(got.sameAs(b.key())).isTrue();
      }
    }
  }

  @Property(tries = 60)
  void roundTripAndNonMember(@ForAll @IntRange(min = 1, max = 50) int k, @ForAll long seed) {
    DeterministicRandom r = new DeterministicRandom("siff property " + seed);
    List<byte[]> s = strings(k + 1, r);
    byte[] outsider = s.remove(k);
    Siff.Built b = Siff.build(s, r);
    for (byte[] x : s) {
      try (SiffKey got = Siff.evaluate(b.tag(), x)) {
        assertThat(got.sameAs(b.key())).isTrue();
      }
    }
    try (SiffKey got = Siff.evaluate(b.tag(), outsider)) {
      assertThat(got.sameAs(b.key())).as("a non-member must not get the key").isFalse();
    }
    // A member's string with one bit flipped is a non-member too.
    byte[] near = s.get(0).clone();
    near[near.length - 1] ^= 1;
    try (SiffKey got = Siff.evaluate(b.tag(), near)) {
      assertThat(got.sameAs(b.key())).isFalse();
    }
  }

  @Property(tries = 30)
  void theTagDoesNotContainTheKey(@ForAll @IntRange(min = 1, max = 12) int k, @ForAll long seed) {
    DeterministicRandom r = new DeterministicRandom("tag-key " + seed);
    Siff.Built b = Siff.build(strings(k, r), r);
    byte[] key = b.key().bytes();
    byte[] enc = b.tag().encoded();
    for (int i = 0; i + 32 <= enc.length; i++) {
      assertThat(Arrays.equals(enc, i, i + 32, key, 0, 32)).as("key bytes at offset %d of the tag", i).isFalse();
    }
    // Two builds over the same members give unrelated keys and tags.
    DeterministicRandom r2 = new DeterministicRandom("tag-key other " + seed);
    Siff.Built b2 = Siff.build(strings(k, new DeterministicRandom("tag-key " + seed)), r2);
    assertThat(b2.key().sameAs(b.key())).isFalse();
    assertThat(b2.tag()).isNotEqualTo(b.tag());
  }

  /**
   * The paper read literally: k points (β_j, y) with one right-hand side and no extra point. The
   * only interpolating polynomial of degree &lt; k is the constant y, so the tag would be the key.
   */
  @Test
  void theLiteralSameRightHandSideConstructionIsRefused() {
    DeterministicRandom r = new DeterministicRandom("literal");
    for (int k = 1; k <= 50; k++) {
      ECFieldElement[] xs = new ECFieldElement[k];
      ECFieldElement[] ys = new ECFieldElement[k];
      byte[] u = new byte[64];
      r.nextBytes(u);
      ECFieldElement y = Siff.fe(new BigInteger(1, u));
      for (int j = 0; j < k; j++) {
        byte[] s = new byte[32];
        r.nextBytes(s);
        xs[j] = Siff.hashToField(s);
        ys[j] = y;
      }
      int kk = k;
      assertThatThrownBy(() -> Siff.fromPoints(xs, ys))
          .as("k=%d", kk)
          .isInstanceOf(CryptoException.class)
          .hasMessageContaining("constant polynomial");
    }
  }

  @Test
  void differentRightHandSidesInterpolateEveryPoint() {
    DeterministicRandom r = new DeterministicRandom("interp");
    int n = 7;
    ECFieldElement[] xs = new ECFieldElement[n];
    ECFieldElement[] ys = new ECFieldElement[n];
    for (int j = 0; j < n; j++) {
      byte[] s = new byte[66];
      r.nextBytes(s);
      xs[j] = Siff.hashToField(s);
      ys[j] = Siff.hashToField(Arrays.copyOf(s, 10));
    }
    SiffTag tag = Siff.fromPoints(xs, ys);
    assertThat(tag.members()).isEqualTo(n - 1);
    // Independent check with BigInteger Horner.
    for (int j = 0; j < n; j++) {
      assertThat(hornerModP(tag, xs[j].toBigInteger())).isEqualTo(ys[j].toBigInteger());
    }
  }

  @Test
  void equalBetasAreRefused() {
    byte[] s = new byte[32];
    byte[] t = new byte[32];
    t[0] = 1;
    DeterministicRandom r = new DeterministicRandom("equal");
    assertThatThrownBy(() -> Siff.build(List.of(s, t, s.clone()), r))
        .isInstanceOf(CryptoException.class).hasMessageContaining("same point");
    ECFieldElement x = Siff.hashToField(s);
    ECFieldElement[] xs = {x, Siff.hashToField(t), x};
    ECFieldElement[] ys = {Siff.fe(BigInteger.ONE), Siff.fe(BigInteger.TWO), Siff.fe(BigInteger.TEN)};
    assertThatThrownBy(() -> Siff.fromPoints(xs, ys)).isInstanceOf(CryptoException.class).hasMessageContaining("same point");
  }

  @Test
  void buildRefusesNoMembersAndTooMany() {
    DeterministicRandom r = new DeterministicRandom("sizes");
    assertThatThrownBy(() -> Siff.build(List.of(), r)).isInstanceOf(CryptoException.class);
    assertThatThrownBy(() -> Siff.build(strings(SiffTag.MAX_MEMBERS + 1, r), r)).isInstanceOf(CryptoException.class);
  }

  @Test
  void hashToFieldMatchesItsDefinition() {
    byte[] s = "initial string".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] both = Bytes.concat(Hashes.sha512(Siff.DST, new byte[] {0}, s), Hashes.sha512(Siff.DST, new byte[] {1}, s));
    assertThat(Siff.hashToField(s).toBigInteger()).isEqualTo(new BigInteger(1, both).mod(P));
  }

  @Test
  void evaluateIsHornerModPThenLow256Bits() {
    DeterministicRandom r = new DeterministicRandom("eval");
    Siff.Built b = Siff.build(strings(4, r), r);
    byte[] other = "not a member".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    BigInteger v = hornerModP(b.tag(), Siff.hashToField(other).toBigInteger());
    BigInteger low = v.mod(BigInteger.ONE.shiftLeft(256));
    try (SiffKey k = Siff.evaluate(b.tag(), other)) {
      assertThat(new BigInteger(1, k.bytes())).isEqualTo(low);
    }
  }

  // ------------------------------------------------------------------ SiffTag.parse

  @Test
  void parseRefusesCoefficientsAtOrAboveP() {
    DeterministicRandom r = new DeterministicRandom("parse");
    byte[] enc = Siff.build(strings(3, r), r).tag().encoded();
    for (BigInteger bad : List.of(P, P.add(BigInteger.ONE), BigInteger.ONE.shiftLeft(528).subtract(BigInteger.ONE))) {
      for (int i = 0; i < 4; i++) {
        byte[] e = enc.clone();
        System.arraycopy(P256.fixed(bad, 66), 0, e, i * 66, 66);
        assertThatThrownBy(() -> SiffTag.parse(e)).isInstanceOf(CryptoException.class).hasMessageContaining("coefficient " + i);
      }
    }
    // p − 1 is a field element and accepted.
    byte[] e = enc.clone();
    System.arraycopy(P256.fixed(P.subtract(BigInteger.ONE), 66), 0, e, 66, 66);
    assertThat(SiffTag.parse(e).members()).isEqualTo(3);
  }

  @Test
  void parseRefusesConstantPolynomials() {
    for (int n = 2; n <= 5; n++) {
      byte[] e = new byte[n * 66];
      e[65] = 42; // a_0 = 42, a_1..a_k = 0
      assertThatThrownBy(() -> SiffTag.parse(e)).isInstanceOf(CryptoException.class).hasMessageContaining("constant");
    }
  }

  @Test
  void parseRefusesBadLengths() {
    for (int len : new int[] {0, 1, 65, 66, 67, 131, 66 * (SiffTag.MAX_MEMBERS + 2)}) {
      byte[] e = new byte[len];
      if (len >= 2 * 66) e[2 * 66 - 1] = 1;
      assertThatThrownBy(() -> SiffTag.parse(e)).as("length %d", len).isInstanceOf(CryptoException.class);
    }
    assertThatThrownBy(() -> SiffTag.parse(null)).isInstanceOf(CryptoException.class);
    byte[] max = new byte[66 * (SiffTag.MAX_MEMBERS + 1)];
    max[2 * 66 - 1] = 1;
    assertThat(SiffTag.parse(max).members()).isEqualTo(SiffTag.MAX_MEMBERS);
  }

  static BigInteger hornerModP(SiffTag tag, BigInteger x) {
    byte[] enc = tag.encoded();
    int n = enc.length / 66;
    BigInteger acc = BigInteger.ZERO;
    for (int i = n - 1; i >= 0; i--) {
      acc = acc.multiply(x).add(new BigInteger(1, Arrays.copyOfRange(enc, i * 66, (i + 1) * 66))).mod(P);
    }
    return acc;
  }
}
