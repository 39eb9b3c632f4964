package org.medledger.evidence;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/** Hashes, certificates and ECDSA signatures as the verifier checks them (JDK providers only). */
final class Verifying {
  private Verifying() {}

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** A PEM or DER X.509 certificate, or null when the bytes are not one. */
  static X509Certificate certificate(byte[] bytes) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(bytes));
    } catch (CertificateException | RuntimeException e) {
      return null;
    }
  }

  /** ECDSA (DER) with SHA-256, as X.509, Fabric and the embedded ledger sign. */
  static boolean signatureValid(PublicKey key, byte[] data, byte[] signature) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(key);
      s.update(data);
      return s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Whether {@code cert} carries a valid signature by {@code issuer}'s key. */
  static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static boolean validAt(X509Certificate cert, Instant t) {
    try {
      cert.checkValidity(Date.from(t));
      return true;
    } catch (CertificateException e) {
      return false;
    }
  }

  /** SHA-256 of a certificate's DER. */
  static byte[] fingerprintBytes(X509Certificate cert) {
    try {
      return sha256(cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      return new byte[0];
    }
  }

  /** "SHA-256 fingerprint 3F:A9:…" of a certificate's DER, as browsers and openssl print it. */
  static String fingerprint(X509Certificate cert) {
    try {
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(cert.getEncoded()));
    } catch (java.security.cert.CertificateEncodingException e) {
      return "?";
    }
  }
}
