package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.medledger.core.testing.Wycheproof;
import org.medledger.core.testing.Wycheproof.Vector;

/**
 * Project Wycheproof's vectors (src/test/resources/wycheproof, Apache 2.0): every "valid" vector
 * must give the file's answer, every "invalid" one must be refused with a {@link CryptoException}
 * (or, for HMAC, a tag mismatch). "Acceptable" vectors may go either way, but if accepted the
 * answer must be right.
 */
class WycheproofTest {

  private static Stream<DynamicTest> each(String file, java.util.function.Consumer<Vector> check) {
    List<Vector> vs = Wycheproof.load(file);
    assertThat(vs).isNotEmpty();
    return vs.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> check.accept(v)));
  }

  @TestFactory
  Stream<DynamicTest> aesGcm() {
    return each("aes_gcm_test.json", v -> {
      int tagBits = (int) v.groupLong("tagSize");
      byte[] key = v.hex("key");
      byte[] iv = v.hex("iv");
      byte[] aad = v.hex("aad");
      byte[] msg = v.hex("msg");
      byte[] expected = concat(v.hex("ct"), v.hex("tag"));
      if (v.valid()) {
        assertThat(Bytes.hex(AesGcm.encrypt(key, iv, aad, msg, tagBits))).isEqualTo(Bytes.hex(expected));
        assertThat(AesGcm.decrypt(key, iv, aad, expected, tagBits)).isEqualTo(msg);
      } else {
        assertThat(v.invalid()).as("no 'acceptable' AES-GCM vectors expected").isTrue();
        assertThatThrownBy(() -> AesGcm.decrypt(key, iv, aad, expected, tagBits)).isInstanceOf(CryptoException.class);
        if (iv.length == 0) {
          assertThatThrownBy(() -> AesGcm.encrypt(key, iv, aad, msg, tagBits)).isInstanceOf(CryptoException.class);
        }
      }
    });
  }

  @TestFactory
  Stream<DynamicTest> ecdhP256EcPoint() {
    return each("ecdh_secp256r1_ecpoint_test.json", v -> ecdh(v, () -> P256.decodePoint(v.hex("public"))));
  }

  @TestFactory
  Stream<DynamicTest> ecdhP256SubjectPublicKeyInfo() {
    return each("ecdh_secp256r1_test.json", v -> ecdh(v, () -> P256.decodeSubjectPublicKeyInfo(v.hex("public"))));
  }

  private static void ecdh(Vector v, java.util.function.Supplier<ECPoint> decode) {
    BigInteger d = new BigInteger(1, v.hex("private"));
    byte[] shared;
    try {
      shared = P256.sharedSecret(d, decode.get());
    } catch (CryptoException e) {
      if (v.valid()) fail("valid vector refused: " + e.getMessage(), e);
      return;
    } catch (RuntimeException e) {
      fail("refused with " + e.getClass().getName() + " instead of a CryptoException", e);
      return;
    }
    if (v.invalid()) fail("invalid vector accepted");
    assertThat(Bytes.hex(shared)).isEqualTo(Bytes.hex(v.hex("shared")));
  }

  @TestFactory
  Stream<DynamicTest> hkdfSha256() {
    return each("hkdf_sha256_test.json", v -> {
      int size = (int) v.testLong("size");
      if (v.valid()) {
        assertThat(Bytes.hex(Hashes.hkdfSha256(v.hex("ikm"), v.hex("salt"), v.hex("info"), size)))
            .isEqualTo(Bytes.hex(v.hex("okm")));
      } else {
        assertThatThrownBy(() -> Hashes.hkdfSha256(v.hex("ikm"), v.hex("salt"), v.hex("info"), size))
            .isInstanceOf(IllegalArgumentException.class);
      }
    });
  }

  @TestFactory
  Stream<DynamicTest> hmacSha256() {
    return each("hmac_sha256_test.json", v -> {
      int tagBytes = (int) v.groupLong("tagSize") / 8;
      byte[] mac = Arrays.copyOf(Hashes.hmacSha256(v.hex("key"), v.hex("msg")), tagBytes);
      assertThat(Bytes.constantTimeEquals(mac, v.hex("tag"))).isEqualTo(v.valid());
    });
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return Bytes.concat(a, b);
  }
}
