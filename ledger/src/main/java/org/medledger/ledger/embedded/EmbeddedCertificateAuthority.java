package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The certificate authority of one organisation (one MSP) in embedded mode, standing in for
 * Fabric CA: an ECDSA P-256 key and a self-signed CA certificate kept in a directory readable by
 * the owner only, issuing client certificates shaped like Fabric CA's, including its attribute
 * extension, so {@code ClientIdentity.getAttributeValue("medledger.role")} works unchanged.
 *
 * <p>Files: {@code ca-cert.pem} (the CA certificate) and {@code ca-key.pem} (PKCS#8, mode 0600).
 */
public final class EmbeddedCertificateAuthority {
  /** Fabric CA's certificate extension holding enrollment attributes as JSON. */
  public static final String ATTRIBUTES_OID = "1.2.3.4.5.6.7.8.1";
  /** The attribute naming a MedLedger role: patient, family, doctor, pharmacist, insurer, lawyer (Role names, lower case). */
  public static final String ROLE_ATTRIBUTE = "medledger.role";
  static final String CERT_FILE = "ca-cert.pem";
  static final String KEY_FILE = "ca-key.pem";
  private static final Pattern MSP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Duration CA_VALIDITY = Duration.ofDays(20 * 365);
  private static final Duration CLIENT_VALIDITY = Duration.ofDays(5 * 365);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String mspId;
  private final String organisation;
  private final X509Certificate caCertificate;
  private final PrivateKey caKey;

  private EmbeddedCertificateAuthority(String mspId, X509Certificate caCertificate,
      PrivateKey caKey) {
    this.mspId = mspId;
    this.organisation = organisationOf(mspId);
    this.caCertificate = caCertificate;
    this.caKey = caKey;
  }

  /**
   * Loads the CA kept in {@code dir}, or creates it (key, self-signed certificate) when the
   * directory holds none.
   *
   * @param mspId the organisation's MSP id, e.g. {@code "HospitalMSP"}
   */
  public static EmbeddedCertificateAuthority openOrCreate(Path dir, String mspId) {
    checkMspId(mspId);
    try {
      if (Files.exists(dir.resolve(CERT_FILE)) && Files.exists(dir.resolve(KEY_FILE))) {
        return load(dir, mspId);
      }
      return create(dir, mspId);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open the certificate authority of " + mspId
          + " in " + dir, e);
    }
  }

  public String mspId() {
    return mspId;
  }

  /** The self-signed CA certificate (what Fabric's MSP configuration calls a root cert). */
  public X509Certificate certificate() {
    return caCertificate;
  }

  /**
   * Issues a client certificate for {@code publicKey} (P-256): subject {@code CN=<name>,
   * OU=client, O=<organisation>}, the Fabric CA attributes {@code hf.EnrollmentID} and {@code
   * medledger.role}.
   */
  public X509Certificate issue(String name, String role, PublicKey publicKey) {
    return issue(name, role, null, null, publicKey);
  }

  /**
   * As {@link #issue(String, String, PublicKey)}, and for a professional the display name and
   * institution the organisation vouches for, as the attributes {@code medledger.name} and
   * {@code medledger.institution} (both or neither).
   */
  public X509Certificate issue(String name, String role, String displayName, String institution,
      PublicKey publicKey) {
    Objects.requireNonNull(name, "name");
    if ((displayName == null) != (institution == null)) {
      throw new IllegalArgumentException("a display name and an institution go together");
    }
    Objects.requireNonNull(role, "role");
    if (!(publicKey instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new IllegalArgumentException("the public key must be an ECDSA P-256 key");
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("the certificate name must not be blank");
    }
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, organisation)
        .addRDN(BCStyle.OU, "client")
        .addRDN(BCStyle.CN, name)
        .build();
    String json = "{\"attrs\":{\"hf.EnrollmentID\":" + jsonString(name) + ",\""
        + ROLE_ATTRIBUTE + "\":" + jsonString(role)
        + (displayName == null ? "" : ",\"medledger.name\":" + jsonString(displayName)
            + ",\"medledger.institution\":" + jsonString(institution))
        + "}}";
    try {
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate,
          serial(), Date.from(now.minus(Duration.ofMinutes(5))),
          Date.from(now.plus(CLIENT_VALIDITY)), subject, publicKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false,
              ext.createSubjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false,
              ext.createAuthorityKeyIdentifier(caCertificate))
          // Fabric CA puts the raw JSON bytes in the extension value (no inner DER wrapping).
          .addExtension(new Extension(new ASN1ObjectIdentifier(ATTRIBUTES_OID), false,
              json.getBytes(UTF_8)));
      return sign(b);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("could not issue a certificate", e);
    }
  }

  /** True when {@code certificate} was issued (signed) by this CA and is valid today. */
  public boolean issued(X509Certificate certificate) {
    if (!certificate.getIssuerX500Principal().equals(caCertificate.getSubjectX500Principal())) {
      return false;
    }
    // ecdsa-with-SHA256 only, verified with BouncyCastle's P-256 (several times faster than
    // the JDK provider, and this runs for every new submitter).
    if (!"1.2.840.10045.4.3.2".equals(certificate.getSigAlgOID())) {
      return false;
    }
    try {
      certificate.checkValidity();
      org.bouncycastle.math.ec.ECPoint caKey =
          org.medledger.core.crypto.P256.fromJcaPublicKey(caCertificate.getPublicKey());
      return org.medledger.core.crypto.P256.verify(caKey, certificate.getTBSCertificate(), certificate.getSignature());
    } catch (GeneralSecurityException | org.medledger.core.crypto.CryptoException e) {
      return false;
    }
  }

  /** PEM text of a certificate, as Fabric puts it in a SerializedIdentity. */
  public static String pem(X509Certificate certificate) {
    try {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(certificate);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a PEM certificate. */
  public static X509Certificate parsePem(String pem) {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      PemObject o = p.readPemObject();
      if (o == null || !"CERTIFICATE".equals(o.getType())) {
        throw new IllegalArgumentException("not a PEM certificate");
      }
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(o.getContent()));
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate", e);
    }
  }

  @Override
  public String toString() {
    return "EmbeddedCertificateAuthority[" + mspId + "]"; // never the key
  }

  static void checkMspId(String mspId) {
    if (mspId == null || !MSP_ID.matcher(mspId).matches()) {
      throw new IllegalArgumentException(
          "an MSP id is 1 to 64 letters, digits, '.', '_' or '-', e.g. HospitalMSP");
    }
  }

  static String organisationOf(String mspId) {
    return mspId.endsWith("MSP") && mspId.length() > 3
        ? mspId.substring(0, mspId.length() - 3) : mspId;
  }

  private static EmbeddedCertificateAuthority load(Path dir, String mspId) throws IOException {
    X509Certificate cert = parsePem(Files.readString(dir.resolve(CERT_FILE), UTF_8));
    PrivateKey key;
    try (PEMParser p = new PEMParser(Files.newBufferedReader(dir.resolve(KEY_FILE), UTF_8))) {
      PemObject o = p.readPemObject();
      if (o == null || !"PRIVATE KEY".equals(o.getType())) {
        throw new IOException("the CA key file of " + mspId + " is not a PKCS#8 PEM key");
      }
      key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(o.getContent()));
    } catch (GeneralSecurityException e) {
      throw new IOException("the CA key file of " + mspId + " cannot be read", e);
    }
    return new EmbeddedCertificateAuthority(mspId, cert, key);
  }

  private static EmbeddedCertificateAuthority create(Path dir, String mspId) throws IOException {
    try {
      createPrivateDirectories(dir);
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair kp = g.generateKeyPair();
      String org = organisationOf(mspId);
      X500Principal name = new X500Principal("CN=ca." + org.toLowerCase(java.util.Locale.ROOT)
          + ", O=" + org);
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_VALIDITY)), name,
          kp.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false,
              ext.createSubjectKeyIdentifier(kp.getPublic()));
      X509Certificate cert = signWith(b, kp.getPrivate());
      // Key first, so a CA certificate on disk always has its key.
      writePrivate(dir.resolve(KEY_FILE),
          "-----BEGIN PRIVATE KEY-----\n"
              + java.util.Base64.getMimeEncoder(64, "\n".getBytes(UTF_8))
                  .encodeToString(kp.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n");
      writePrivate(dir.resolve(CERT_FILE), pem(cert));
      return new EmbeddedCertificateAuthority(mspId, cert, kp.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not create the CA of " + mspId, e);
    }
  }

  private X509Certificate sign(X509v3CertificateBuilder b)
      throws OperatorCreationException, CertificateException, IOException {
    return signWith(b, caKey);
  }

  private static X509Certificate signWith(X509v3CertificateBuilder b, PrivateKey key)
      throws OperatorCreationException, CertificateException, IOException {
    byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)).getEncoded();
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(der));
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    OwnerOnly.createDirectories(dir); // "ca" and "ca/<MSP>" alike
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      if (supportsPosix(file)) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      throw new IOException("temporary CA file is in use: " + tmp, e);
    }
    Files.writeString(tmp, content, UTF_8);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static boolean supportsPosix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
