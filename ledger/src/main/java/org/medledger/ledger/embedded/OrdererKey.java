package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;

/**
 * The ledger's own key: it signs every block header (the orderer's role on Fabric) and the
 * checkpoints exported for anchoring. Created at the ledger's first open as an ECDSA P-256 key
 * in {@code <ledger>/orderer-key.pem} (PKCS#8 PEM, owner-only, forced to disk before the genesis
 * that names it); its self-signed certificate is recorded in the genesis, so a copy of the block
 * file alone is enough to check every block signature.
 */
final class OrdererKey {
  static final String KEY_FILE = "orderer-key.pem";
  /**
   * Where the key waits at the first open until the genesis naming it is on disk: a key under
   * its final name without a genesis then means the history was removed, not a crash.
   */
  static final String PENDING_FILE = "orderer-key.pem.new";
  private static final Duration VALIDITY = Duration.ofDays(20 * 365);

  private final PrivateKey key;
  private final X509Certificate certificate;

  private OrdererKey(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** ECDSA P-256 / SHA-256, DER. */
  byte[] sign(byte[] data) {
    return OrdererKey.sign(key, data);
  }

  static byte[] sign(PrivateKey key, byte[] data) {
    if (key instanceof java.security.interfaces.ECPrivateKey ec
        && ec.getParams().getOrder().equals(P256.DOMAIN.getN())) {
      // BouncyCastle's P-256, deterministic (RFC 6979): several times faster than the JDK's
      // provider, and this runs for every submitted transaction and every block.
      try {
        return P256.sign(ec.getS(), data);
      } catch (CryptoException | IllegalArgumentException e) {
        throw new IllegalStateException("cannot sign with an ECDSA P-256 key", e);
      }
    }
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with an ECDSA P-256 key", e);
    }
  }

  /** True when {@code signature} is {@code certificate}'s key's ECDSA-SHA256 signature. */
  static boolean verify(X509Certificate certificate, byte[] data, byte[] signature) {
    try {
      return P256.verify(P256.fromJcaPublicKey(certificate.getPublicKey()), data, signature);
    } catch (CryptoException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Creates the key in {@code file} (owner-only, forced) and a self-signed certificate. */
  static OrdererKey create(Path file) throws IOException {
    Path dir = file.getParent();
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair kp = g.generateKeyPair();
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      OwnerOnly.createFile(tmp);
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(
              kp.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.WRITE))) {
        ByteBuffer b = ByteBuffer.wrap(pem.getBytes(UTF_8));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      FileCheckpoint.forceDirectory(dir);
      return new OrdererKey(kp.getPrivate(), selfSigned(kp));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the ledger's signing key", e);
    }
  }

  /**
   * Loads the key from {@code file} and pairs it with the certificate recorded in the genesis
   * (null: no genesis yet).
   */
  static OrdererKey load(Path file, X509Certificate certificate) throws IOException {
    PrivateKey key;
    try (PEMParser p = new PEMParser(new StringReader(Files.readString(file, UTF_8)))) {
      PemObject o = p.readPemObject();
      if (o == null || !"PRIVATE KEY".equals(o.getType())) {
        throw new IOException(file + " is not a PKCS#8 PEM key");
      }
      key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(o.getContent()));
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " cannot be read as an ECDSA key", e);
    }
    if (certificate != null) {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      if (!verify(certificate, probe, sign(key, probe))) {
        throw new IOException(file + " is not the key whose certificate the ledger's genesis"
            + " records");
      }
    }
    return new OrdererKey(key, certificate);
  }

  /** A key created but whose genesis was never written: make its certificate now. */
  OrdererKey withNewCertificate() {
    try {
      java.security.interfaces.ECPrivateKey ec = (java.security.interfaces.ECPrivateKey) key;
      java.security.PublicKey pub = P256.toJcaPublicKey(P256.publicPoint(ec.getS()));
      return new OrdererKey(key, selfSigned(new KeyPair(pub, key)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException
        | ClassCastException e) {
      throw new IllegalStateException("cannot certify the ledger's signing key", e);
    }
  }

  private static X509Certificate selfSigned(KeyPair kp)
      throws OperatorCreationException, GeneralSecurityException, IOException {
    X500Principal name = new X500Principal("CN=orderer, OU=" + EmbeddedLedger.CHANNEL_ID
        + ", O=MedLedger embedded ledger");
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
        new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), name,
        kp.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
        .getEncoded();
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(der));
  }
}
