package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.medledger.core.testing.DeterministicRandom;

/** AES-GCM as the records and the txtr token use it: any flipped bit anywhere is detected. */
class TamperTest {
  private static final SiffKey KEY = SiffKey.of(filled(7));
  private static final RecordCipher.Context CTX =
      new RecordCipher.Context(filled(1), filled(2), 0x04, 0x0123456789abcdefL, 3);

  private static byte[] filled(int b) {
    byte[] out = new byte[32];
    java.util.Arrays.fill(out, (byte) b);
    return out;
  }

  private static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[(bit / 8) % c.length] ^= (byte) (1 << (bit % 8));
    return c;
  }

  @Property(tries = 200)
  void aFlippedBitInNonceCiphertextOrTagIsDetected(@ForAll @Size(max = 300) byte[] msg, @ForAll int bit) {
    byte[] box = RecordCipher.seal(KEY, CTX, msg);
    assertThat(box).hasSize(RecordCipher.paddedLength(msg.length) + AesGcm.OVERHEAD);
    assertThat(RecordCipher.open(KEY, CTX, box)).isEqualTo(msg);
    int b = Math.floorMod(bit, box.length * 8);
    assertThatThrownBy(() -> RecordCipher.open(KEY, CTX, flip(box, b))).isInstanceOf(AuthenticationFailedException.class);
    // The GCM tag itself: the last 16 bytes.
    int t = (box.length - AesGcm.TAG_BYTES) * 8 + Math.floorMod(bit, AesGcm.TAG_BYTES * 8);
    assertThatThrownBy(() -> RecordCipher.open(KEY, CTX, flip(box, t))).isInstanceOf(AuthenticationFailedException.class);
  }

  @Property(tries = 200)
  void aFlippedBitInTheAssociatedDataIsDetected(@ForAll @IntRange(min = 0, max = 4) int field, @ForAll int bit) {
    byte[] box = RecordCipher.seal(KEY, CTX, "msg".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    RecordCipher.Context other = switch (field) {
      case 0 -> new RecordCipher.Context(flip(CTX.kappa0(), Math.floorMod(bit, 256)), CTX.tagHash(), CTX.recordType(),
          CTX.senderIndex(), CTX.sequence());
      case 1 -> new RecordCipher.Context(CTX.kappa0(), flip(CTX.tagHash(), Math.floorMod(bit, 256)), CTX.recordType(),
          CTX.senderIndex(), CTX.sequence());
      case 2 -> new RecordCipher.Context(CTX.kappa0(), CTX.tagHash(), CTX.recordType() ^ (1 << Math.floorMod(bit, 8)),
          CTX.senderIndex(), CTX.sequence());
      case 3 -> new RecordCipher.Context(CTX.kappa0(), CTX.tagHash(), CTX.recordType(),
          CTX.senderIndex() ^ (1L << Math.floorMod(bit, 64)), CTX.sequence());
      default -> new RecordCipher.Context(CTX.kappa0(), CTX.tagHash(), CTX.recordType(), CTX.senderIndex(),
          CTX.sequence() ^ (1 << Math.floorMod(bit, 32)));
    };
    assertThat(other.associatedData()).isNotEqualTo(CTX.associatedData());
    assertThatThrownBy(() -> RecordCipher.open(KEY, other, box)).isInstanceOf(AuthenticationFailedException.class);
    // And with the raw AEAD: the same box under a changed AD byte.
    byte[] k = filled(9);
    byte[] ad = CTX.associatedData();
    byte[] sealed = AesGcm.seal(k, ad, new byte[5]);
    assertThatThrownBy(() -> AesGcm.open(k, flip(ad, Math.floorMod(bit, ad.length * 8)), sealed))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void anotherKeyCannotOpen() {
    byte[] box = RecordCipher.seal(KEY, CTX, new byte[10]);
    assertThatThrownBy(() -> RecordCipher.open(SiffKey.of(filled(8)), CTX, box)).isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> RecordCipher.open(KEY, CTX, new byte[AesGcm.OVERHEAD - 1]))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Property(tries = 60)
  void theTxtrTokenOpensOnlyForItsDoctorTreatmentAndIndexes(@ForAll int bit) {
    DeterministicRandom r = new DeterministicRandom("token");
    try (UserSecret x = UserSecret.generate(r); UserSecret d = UserSecret.generate(r); UserSecret o = UserSecret.generate(r)) {
      byte[] kappa0 = filled(5);
      EcKeyPair ex = x.ephemeralKeyPair(kappa0);
      EcKeyPair ed = d.ephemeralKeyPair(filled(6));
      byte[] s = x.initialString(kappa0);
      byte[] cx = TokenWrap.wrap(s, ex, ed.publicPoint(), kappa0, 11, 22);
      assertThat(cx).hasSize(TokenWrap.WRAPPED_BYTES);
      assertThat(TokenWrap.unwrap(cx, ed, ex.publicPoint(), kappa0, 11, 22)).isEqualTo(s);
      int b = Math.floorMod(bit, cx.length * 8);
      assertThatThrownBy(() -> TokenWrap.unwrap(flip(cx, b), ed, ex.publicPoint(), kappa0, 11, 22))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> TokenWrap.unwrap(cx, ed, ex.publicPoint(), flip(kappa0, Math.floorMod(bit, 256)), 11, 22))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> TokenWrap.unwrap(cx, ed, ex.publicPoint(), kappa0, 12, 22))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> TokenWrap.unwrap(cx, ed, ex.publicPoint(), kappa0, 11, 23))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> TokenWrap.unwrap(cx, o.ephemeralKeyPair(filled(6)), ex.publicPoint(), kappa0, 11, 22))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> TokenWrap.unwrap(java.util.Arrays.copyOf(cx, 59), ed, ex.publicPoint(), kappa0, 11, 22))
          .isInstanceOf(CryptoException.class);
    }
  }

  @Test
  void userSecretDerivationsAreStableAndSeparated() {
    DeterministicRandom r = new DeterministicRandom("derive");
    try (UserSecret x = UserSecret.generate(r)) {
      byte[] k1 = filled(1);
      assertThat(x.initialString(k1)).isEqualTo(Hashes.hmacSha256(x.raw(), k1));
      assertThat(x.initialString(k1)).isNotEqualTo(x.initialString(filled(2)));
      assertThat(x.ephemeralKeyPair(k1).publicKey()).isEqualTo(x.ephemeralKeyPair(k1.clone()).publicKey());
      assertThat(x.ephemeralKeyPair(k1).publicKey()).isNotEqualTo(x.ephemeralKeyPair(filled(2)).publicKey());
      assertThat(x.signingKeyPair().publicKey()).isNotEqualTo(x.ephemeralKeyPair(new byte[0]).publicKey());
    }
    assertThatThrownBy(() -> UserSecret.of(new byte[31])).isInstanceOf(CryptoException.class);
  }
}
