package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.UserSecret;

class CertificateKeysTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static X509Certificate cert(String name) {
    return TestCertificates.issue(name, UserSecret.generate(RANDOM).signingKeyPair().toJca());
  }

  private static byte[] parsedKey(X509Certificate c) {
    return P256.encodeCompressed(P256.fromJcaPublicKey(c.getPublicKey()));
  }

  @Test
  void theKeyOfACertificateIsTheKeyItCarriesFirstTimeAndAgain() throws Exception {
    CertificateKeys keys = new CertificateKeys(8);
    X509Certificate a = cert("a");
    X509Certificate b = cert("b");
    assertThat(keys.compressedKey(a.getEncoded())).isEqualTo(parsedKey(a));
    assertThat(keys.compressedKey(b.getEncoded())).isEqualTo(parsedKey(b));
    assertThat(keys.compressedKey(a.getEncoded())).isEqualTo(parsedKey(a));
    assertThat(keys.hits()).isEqualTo(1);
  }

  @Test
  void aCallerChangingTheReturnedBytesDoesNotChangeTheCache() throws Exception {
    CertificateKeys keys = new CertificateKeys(8);
    X509Certificate a = cert("a");
    keys.compressedKey(a.getEncoded())[1] ^= 1;
    assertThat(keys.compressedKey(a.getEncoded())).isEqualTo(parsedKey(a));
  }

  @Test
  void theCacheIsKeyedByTheExactBytes() throws Exception {
    CertificateKeys keys = new CertificateKeys(8);
    byte[] der = cert("a").getEncoded();
    keys.compressedKey(der);
    byte[] changed = der.clone();
    changed[changed.length - 1] ^= 1; // the signature's last byte: still parses, a different certificate
    keys.compressedKey(changed);
    assertThat(keys.hits()).isZero();
    assertThat(keys.size()).isEqualTo(2);
  }

  @Test
  void itHoldsAtMostItsBound() throws Exception {
    CertificateKeys keys = new CertificateKeys(3);
    X509Certificate first = cert("first");
    keys.compressedKey(first.getEncoded());
    for (int i = 0; i < 5; i++) keys.compressedKey(cert("c" + i).getEncoded());
    assertThat(keys.size()).isEqualTo(3);
    assertThat(keys.compressedKey(first.getEncoded())).isEqualTo(parsedKey(first)); // parsed again
    assertThat(keys.hits()).isZero();
  }

  @Test
  void bytesThatAreNoP256CertificateFailEveryTimeAndAreNotKept() {
    CertificateKeys keys = new CertificateKeys(8);
    byte[] junk = {0x30, 0x03, 0x02, 0x01, 0x01};
    assertThatThrownBy(() -> keys.compressedKey(junk)).isInstanceOf(CryptoException.class);
    assertThatThrownBy(() -> keys.compressedKey(junk)).isInstanceOf(CryptoException.class);
    assertThat(keys.size()).isZero();
  }
}
