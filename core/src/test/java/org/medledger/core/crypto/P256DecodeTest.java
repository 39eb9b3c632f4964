package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class P256DecodeTest {
  private static byte[] point(long d) {
    return P256.encodeCompressed(P256.publicPoint(BigInteger.valueOf(d)));
  }

  @Test
  void aPointDecodedAgainIsTheSamePointAndTheSecondDecodeIsRemembered() {
    byte[] p = point(7);
    long before = P256.decodedHits();
    assertThat(P256.decodePoint(p)).isEqualTo(P256.publicPoint(BigInteger.valueOf(7)));
    assertThat(P256.decodePoint(p.clone())).isEqualTo(P256.publicPoint(BigInteger.valueOf(7)));
    assertThat(P256.decodedHits()).isGreaterThan(before);
  }

  @Test
  void changingTheCallersBytesAfterwardsChangesNothingRemembered() {
    byte[] p = point(11);
    P256.decodePoint(p);
    byte[] q = point(13);
    System.arraycopy(q, 0, p, 0, p.length);
    assertThat(P256.decodePoint(point(11))).isEqualTo(P256.publicPoint(BigInteger.valueOf(11)));
    assertThat(P256.decodePoint(p)).isEqualTo(P256.publicPoint(BigInteger.valueOf(13)));
  }

  @Test
  void anInvalidPointIsRefusedEveryTime() {
    byte[] bad = point(5);
    bad[32] ^= 1; // another x: about half of them are not on the curve; find one that is not
    for (int i = 0; i < 64; i++) {
      try {
        P256.decodePoint(bad);
        bad[31] ^= (byte) (i + 1);
      } catch (CryptoException e) {
        break;
      }
    }
    assertThatThrownBy(() -> P256.decodePoint(bad)).isInstanceOf(CryptoException.class);
    assertThatThrownBy(() -> P256.decodePoint(bad)).isInstanceOf(CryptoException.class);
  }
}
