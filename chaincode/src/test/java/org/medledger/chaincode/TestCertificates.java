package org.medledger.chaincode;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates for rule tests (the MSP's CA check is the ledger's business). */
final class TestCertificates {
  private static long serial = 1;

  private TestCertificates() {}

  static synchronized X509Certificate issue(String name, KeyPair keys) {
    try {
      X500Name subject = new X500Name("CN=" + name + ",OU=client,O=Test");
      var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(serial++),
          new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
          subject, keys.getPublic());
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
