package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** Known answers from the standards: RFC 9106 (Argon2id), the GCM specification, RFC 5903. */
class KnownAnswerTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  private static byte[] filled(int n, int b) {
    byte[] out = new byte[n];
    Arrays.fill(out, (byte) b);
    return out;
  }

  // ------------------------------------------------------------------ RFC 9106 §5.3

  @Test
  void argon2idMatchesRfc9106Section5_3() {
    byte[] tag = PasswordWrap.argon2id(
        filled(32, 0x01), filled(16, 0x02), filled(8, 0x03), filled(12, 0x04), new Argon2Params(3, 32, 4), 32);
    assertThat(Bytes.hex(tag)).isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  @Test
  void argon2idDependsOnEveryInput() {
    Argon2Params p = new Argon2Params(3, 32, 4);
    byte[] base = PasswordWrap.argon2id(filled(32, 1), filled(16, 2), filled(8, 3), filled(12, 4), p, 32);
    assertThat(PasswordWrap.argon2id(filled(32, 9), filled(16, 2), filled(8, 3), filled(12, 4), p, 32)).isNotEqualTo(base);
    assertThat(PasswordWrap.argon2id(filled(32, 1), filled(16, 9), filled(8, 3), filled(12, 4), p, 32)).isNotEqualTo(base);
    assertThat(PasswordWrap.argon2id(filled(32, 1), filled(16, 2), filled(8, 3), filled(12, 4), new Argon2Params(2, 32, 4), 32))
        .isNotEqualTo(base);
  }

  // ------------------------------------------------------------------ GCM specification (McGrew & Viega), AES-256 cases

  private static final byte[] K15 = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  private static final byte[] IV15 = hex("cafebabefacedbaddecaf888");
  private static final String P15 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  private static final String C15 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

  @Test
  void gcmTestCase13EmptyPlaintext() {
    byte[] out = AesGcm.encrypt(new byte[32], new byte[12], new byte[0], new byte[0], 128);
    assertThat(Bytes.hex(out)).isEqualTo("530f8afbc74536b9a963b4f1c4cb738b");
  }

  @Test
  void gcmTestCase14OneZeroBlock() {
    byte[] out = AesGcm.encrypt(new byte[32], new byte[12], new byte[0], new byte[16], 128);
    assertThat(Bytes.hex(out)).isEqualTo("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919");
    assertThat(AesGcm.decrypt(new byte[32], new byte[12], new byte[0], out, 128)).isEqualTo(new byte[16]);
  }

  @Test
  void gcmTestCase15FourBlocks() {
    byte[] out = AesGcm.encrypt(K15, IV15, new byte[0], hex(P15), 128);
    assertThat(Bytes.hex(out)).isEqualTo(C15 + "b094dac5d93471bdec1a502270e3cc6c");
  }

  @Test
  void gcmTestCase16WithAssociatedData() {
    byte[] aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    byte[] p = hex(P15.substring(0, 120));
    byte[] out = AesGcm.encrypt(K15, IV15, aad, p, 128);
    assertThat(Bytes.hex(out)).isEqualTo(C15.substring(0, 120) + "76fc6ece0f4e1768cddf8853bb2d551b");
    assertThat(AesGcm.decrypt(K15, IV15, aad, out, 128)).isEqualTo(p);
    byte[] otherAad = aad.clone();
    otherAad[0] ^= 1;
    assertThatThrownBy(() -> AesGcm.decrypt(K15, IV15, otherAad, out, 128))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  /** Both GHASH multipliers (short and long inputs) agree with the JDK's own AES-GCM. */
  @Test
  void gcmAgreesWithTheJdkOnBothSidesOfTheTableThreshold() throws Exception {
    java.util.Random r = new java.util.Random(1);
    for (int len : new int[] {0, 1, 16, 2047, 2048, 2049, 70_000}) {
      byte[] key = new byte[32];
      byte[] iv = new byte[12];
      byte[] aad = new byte[len % 50];
      byte[] msg = new byte[len];
      r.nextBytes(key);
      r.nextBytes(iv);
      r.nextBytes(aad);
      r.nextBytes(msg);
      javax.crypto.Cipher jdk = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      jdk.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"),
          new javax.crypto.spec.GCMParameterSpec(128, iv));
      jdk.updateAAD(aad);
      byte[] expected = jdk.doFinal(msg);
      assertThat(AesGcm.encrypt(key, iv, aad, msg, 128)).as("length %d", len).isEqualTo(expected);
      assertThat(AesGcm.decrypt(key, iv, aad, expected, 128)).isEqualTo(msg);
      expected[expected.length - 1] ^= 1;
      assertThatThrownBy(() -> AesGcm.decrypt(key, iv, aad, expected, 128)).isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void sealRefusesKeysThatAreNotAes256() {
    assertThatThrownBy(() -> AesGcm.seal(new byte[16], new byte[0], new byte[1])).isInstanceOf(CryptoException.class);
    assertThatThrownBy(() -> AesGcm.open(new byte[32], new byte[0], new byte[AesGcm.OVERHEAD - 1]))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  // ------------------------------------------------------------------ RFC 5903 §8.1 (256-bit random ECP group)

  private static final BigInteger I = new BigInteger("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433", 16);
  private static final String GIX = "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180";
  private static final String GIY = "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3";
  private static final BigInteger R = new BigInteger("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53", 16);
  private static final String GRX = "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63";
  private static final String GRY = "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB";
  private static final String GIRX = "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE";

  @Test
  void ecdhMatchesRfc5903Section8_1() {
    ECPoint gi = P256.decodePoint(hex("04" + GIX + GIY));
    ECPoint gr = P256.decodePoint(hex("04" + GRX + GRY));
    assertThat(P256.publicPoint(I)).isEqualTo(gi);
    assertThat(P256.publicPoint(R)).isEqualTo(gr);
    assertThat(Bytes.hex(P256.sharedSecret(I, gr))).isEqualToIgnoringCase(GIRX);
    assertThat(Bytes.hex(P256.sharedSecret(R, gi))).isEqualToIgnoringCase(GIRX);
    // The compressed form the records use decodes to the same point.
    assertThat(P256.decodePoint(P256.encodeCompressed(gi))).isEqualTo(gi);
  }

  @Test
  void ecdhRefusesOffCurveAndInfinity() {
    byte[] off = hex("04" + GIX + GRY);
    assertThatThrownBy(() -> P256.decodePoint(off)).isInstanceOf(CryptoException.class);
    assertThatThrownBy(() -> P256.decodePoint(new byte[] {0})).isInstanceOf(CryptoException.class)
        .hasMessageContaining("infinity");
    assertThatThrownBy(() -> P256.decodePoint(new byte[0])).isInstanceOf(CryptoException.class);
    assertThatThrownBy(() -> P256.sharedSecret(BigInteger.ZERO, P256.decodePoint(hex("04" + GIX + GIY))))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void signaturesAreDeterministicAndVerify() {
    byte[] m = "message".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] s1 = P256.sign(I, m);
    assertThat(P256.sign(I, m)).isEqualTo(s1);
    assertThat(P256.verify(P256.publicPoint(I), m, s1)).isTrue();
    assertThat(P256.verify(P256.publicPoint(R), m, s1)).isFalse();
    byte[] m2 = m.clone();
    m2[0] ^= 1;
    assertThat(P256.verify(P256.publicPoint(I), m2, s1)).isFalse();
    assertThat(P256.verify(P256.publicPoint(I), m, new byte[] {0x30, 0})).isFalse();
  }
}
