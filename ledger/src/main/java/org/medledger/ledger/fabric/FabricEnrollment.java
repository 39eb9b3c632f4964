package org.medledger.ledger.fabric;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.medledger.core.record.CertificateAttributes;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.embedded.EmbeddedCertificateAuthority;
import org.medledger.ledger.scenario.PaperScenario;

/**
 * Enrollment on a Fabric network without Fabric CA: the organisation's CA key that cryptogen
 * generated ({@code crypto-config/peerOrganizations/<org>/ca/}) signs the participant's own
 * public key into a client certificate shaped like Fabric CA's: {@code OU=client} (so the MSP's
 * NodeOUs classify it as a client) and Fabric CA's attribute extension (OID 1.2.3.4.5.6.7.8.1)
 * carrying {@code hf.EnrollmentID} and {@code medledger.role}, which the chaincode reads
 * through {@code ClientIdentity.getAttributeValue}. The participant's private key never leaves
 * the caller.
 *
 * <p>Whoever holds this object holds the organisations' CA keys: it belongs to the
 * organisation's registrar (tests, demo set-up), never to a portal user.
 */
public final class FabricEnrollment implements PaperScenario.Enrollment {
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Ca(X509Certificate certificate, PrivateKey key) {}

  private final FabricNetwork network;
  private final Map<String, Ca> cas = new ConcurrentHashMap<>();

  public FabricEnrollment(FabricNetwork network) {
    this.network = network;
  }

  @Override
  public LedgerIdentity enroll(String name, Role role, String mspId, KeyPair signingKeys, String displayName,
      String institution) {
    X509Certificate cert = issue(mspId, name, role.name().toLowerCase(java.util.Locale.ROOT), displayName, institution,
        signingKeys.getPublic());
    return new LedgerIdentity(mspId, cert, signingKeys.getPrivate());
  }

  /** Issues a client certificate of {@code mspId} for {@code publicKey} with the role attribute only. */
  public X509Certificate issue(String mspId, String name, String role, PublicKey publicKey) {
    return issue(mspId, name, role, null, null, publicKey);
  }

  /**
   * Issues a client certificate of {@code mspId} for {@code publicKey} with the role attribute
   * and, for a professional, medledger.name and medledger.institution (both or neither).
   */
  public X509Certificate issue(String mspId, String name, String role, String displayName, String institution,
      PublicKey publicKey) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("the certificate name must not be blank");
    }
    if ((displayName == null) != (institution == null)
        || (displayName != null && (displayName.isBlank() || institution.isBlank()))) {
      throw new IllegalArgumentException("a professional's certificate carries a non-blank name and institution, or neither");
    }
    Ca ca = cas.computeIfAbsent(mspId, this::loadCa);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.C, "US")
        .addRDN(BCStyle.O, mspId.endsWith("MSP") ? mspId.substring(0, mspId.length() - 3) : mspId)
        .addRDN(BCStyle.OU, "client")
        .addRDN(BCStyle.CN, name)
        .build();
    String json = "{\"attrs\":{\"hf.EnrollmentID\":" + jsonString(name) + ",\""
        + EmbeddedCertificateAuthority.ROLE_ATTRIBUTE + "\":" + jsonString(role)
        + (displayName == null ? "" : ",\"" + CertificateAttributes.NAME + "\":" + jsonString(displayName)
            + ",\"" + CertificateAttributes.INSTITUTION + "\":" + jsonString(institution))
        + "}}";
    try {
      Instant now = Instant.now();
      // Backdated for clock skew, but never before the CA's own start: Fabric's MSP verifies the
      // chain as of the certificate's notBefore (+1 s), so an earlier notBefore than the CA's
      // (cryptogen backdates its CA to the minute, minus 5 minutes) is refused as malformed.
      Instant notBefore = now.minus(Duration.ofMinutes(5));
      Instant caStart = ca.certificate().getNotBefore().toInstant();
      if (notBefore.isBefore(caStart)) notBefore = caStart;
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(),
          new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore),
          Date.from(now.plus(VALIDITY)), subject, publicKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()))
          // as Fabric CA does: the raw JSON bytes are the extension value
          .addExtension(new Extension(new ASN1ObjectIdentifier(EmbeddedCertificateAuthority.ATTRIBUTES_OID), false,
              json.getBytes(UTF_8)));
      byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())).getEncoded();
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("could not issue a certificate of " + mspId, e);
    }
  }

  /** The organisation's service user that cryptogen created (User1): for reads such as the height. */
  public static LedgerIdentity serviceUser(FabricNetwork network, String mspId) {
    FabricNetwork.Organisation o = network.organisation(mspId);
    return new LedgerIdentity(mspId, readCertificate(o.userCert()), readPrivateKey(o.userKey()));
  }

  /**
   * The organisation's administrator that cryptogen created ({@code Admin@<org>}, OU=admin):
   * the identity that may write the consortium policy (R9).
   */
  public static LedgerIdentity administrator(FabricNetwork network, String mspId) {
    Path msp = network.organisation(mspId).adminMsp();
    try (var certs = Files.list(msp.resolve("signcerts")); var keys = Files.list(msp.resolve("keystore"))) {
      Path cert = certs.filter(f -> f.toString().endsWith(".pem")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no administrator certificate in " + msp.resolve("signcerts")));
      Path key = keys.filter(Files::isRegularFile).findFirst()
          .orElseThrow(() -> new IllegalStateException("no administrator key in " + msp.resolve("keystore")));
      return new LedgerIdentity(mspId, readCertificate(cert), readPrivateKey(key));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the administrator of " + mspId + " in " + msp, e);
    }
  }

  private Ca loadCa(String mspId) {
    FabricNetwork.Organisation o = network.organisation(mspId);
    return new Ca(readCertificate(o.caCert()), readPrivateKey(o.caKey()));
  }

  static X509Certificate readCertificate(Path file) {
    try {
      return EmbeddedCertificateAuthority.parsePem(Files.readString(file, UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the certificate " + file, e);
    }
  }

  static PrivateKey readPrivateKey(Path file) {
    try (Reader r = Files.newBufferedReader(file, UTF_8); PEMParser p = new PEMParser(r)) {
      PemObject o = p.readPemObject();
      if (o == null || !"PRIVATE KEY".equals(o.getType())) {
        throw new IllegalArgumentException(file + " is not a PKCS#8 PEM private key");
      }
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(o.getContent()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the private key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " is not an EC private key", e);
    }
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
