package org.medledger.chaincode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.medledger.core.record.CertificateAttributes;

/** Self-signed certificates for rule tests (the MSP's CA check is the ledger's business). */
final class TestCertificates {
  private static long serial = 1;

  private TestCertificates() {}

  /** A client certificate whose CA signed the name and an institution, as for professionals. */
  static X509Certificate issue(String name, KeyPair keys) {
    return issue(name, keys, "client", "{\"attrs\":{\"" + CertificateAttributes.NAME + "\":\"" + name + "\",\""
        + CertificateAttributes.INSTITUTION + "\":\"Test Clinic\"}}");
  }

  /** An administrator's certificate (OU=admin), without attributes. */
  static X509Certificate admin(String name, KeyPair keys) {
    return issue(name, keys, "admin", null);
  }

  /** {@code attributesJson} is the attribute extension's text, or null for none. */
  static synchronized X509Certificate issue(String name, KeyPair keys, String ou, String attributesJson) {
    try {
      X500Name subject = new X500Name("CN=" + name + ",OU=" + ou + ",O=Test");
      var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(serial++),
          new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
          subject, keys.getPublic());
      if (attributesJson != null) {
        builder.addExtension(new ASN1ObjectIdentifier(CertificateAttributes.OID), false,
            attributesJson.getBytes(StandardCharsets.UTF_8));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
