package org.medledger.ledger.fabric;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.medledger.core.record.CertificateAttributes;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.embedded.EmbeddedCertificateAuthority;
import org.medledger.ledger.scenario.PaperScenario;

/**
 * Enrollment through each organisation's Fabric CA (fabric-ca-server 1.5, REST API): the
 * organisation's registrar registers the participant as a client with the attributes
 * {@code medledger.role} and, for professionals, {@code medledger.name} and {@code
 * medledger.institution} (all in the enrollment certificate), then the participant enrolls with a
 * certificate request signed by its own key, so the private key never leaves the caller. The
 * CA signs with the organisation's CA key, the one its MSP trusts.
 *
 * <p>The registrar's password is read from the file that {@code fabric/network.sh} wrote; whoever
 * holds this object acts as the organisations' registrar (tests, demo set-up).
 */
public final class FabricCaEnrollment implements PaperScenario.Enrollment {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern CERT = Pattern.compile("\"Cert\"\\s*:\\s*\"([A-Za-z0-9+/=]+)\"");
  private static final Pattern SUCCESS = Pattern.compile("\"success\"\\s*:\\s*true");
  private static final BigInteger P256_N = ECNamedCurveTable.getByName("secp256r1").getN();

  private record Registrar(X509Certificate certificate, String certificatePem, PrivateKey key) {}

  private final FabricNetwork network;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<String, Registrar> registrars = new ConcurrentHashMap<>();

  public FabricCaEnrollment(FabricNetwork network) {
    this.network = network;
  }

  /** True when the network runs a Fabric CA for {@code mspId}. */
  public static boolean available(FabricNetwork network, String mspId) {
    return network.organisation(mspId).fabricCaUrl().isPresent();
  }

  @Override
  public LedgerIdentity enroll(String name, Role role, String mspId, KeyPair signingKeys, String displayName,
      String institution) {
    if ((displayName == null) != (institution == null)
        || (displayName != null && (displayName.isBlank() || institution.isBlank()))) {
      throw new IllegalArgumentException("a professional's certificate carries a non-blank name and institution, or neither");
    }
    String url = network.organisation(mspId).fabricCaUrl()
        .orElseThrow(() -> new IllegalStateException("the network runs no Fabric CA for " + mspId));
    Registrar registrar = registrars.computeIfAbsent(mspId, this::enrollRegistrar);
    // Enrollment ids are unique per CA (and become the certificate's CN): the name plus a random suffix.
    String id = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-" + hex(6);
    String secret = hex(16);
    String body = "{\"id\":" + json(id) + ",\"type\":\"client\",\"secret\":" + json(secret)
        + ",\"max_enrollments\":1,\"attrs\":[" + attr(EmbeddedCertificateAuthority.ROLE_ATTRIBUTE,
            role.name().toLowerCase(Locale.ROOT))
        + (displayName == null ? "" : "," + attr(CertificateAttributes.NAME, displayName) + ","
            + attr(CertificateAttributes.INSTITUTION, institution))
        + "]}";
    String path = "/api/v1/register";
    String token = token(registrar, "POST", path, body.getBytes(UTF_8));
    post(url + path, body, token, "register " + id + " at the Fabric CA of " + mspId);
    X509Certificate cert = enrollWith(url, id, secret, signingKeys, mspId);
    return new LedgerIdentity(mspId, cert, signingKeys.getPrivate());
  }

  /** One enrollment attribute that goes into the certificate (ecert). */
  private static String attr(String name, String value) {
    return "{\"name\":" + json(name) + ",\"value\":" + json(value) + ",\"ecert\":true}";
  }

  private Registrar enrollRegistrar(String mspId) {
    FabricNetwork.Organisation o = network.organisation(mspId);
    try {
      String secret = Files.readString(o.fabricCaRegistrarSecretFile().orElseThrow(), UTF_8).trim();
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair keys = g.generateKeyPair();
      X509Certificate cert = enrollWith(o.fabricCaUrl().orElseThrow(), "registrar", secret, keys, mspId);
      return new Registrar(cert, pem(cert), keys.getPrivate());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the registrar's secret of " + mspId, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private X509Certificate enrollWith(String url, String id, String secret, KeyPair keys, String mspId) {
    String csr = csr(id, keys);
    String body = "{\"certificate_request\":" + json(csr) + "}";
    String basic = "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(UTF_8));
    String answer = post(url + "/api/v1/enroll", body, basic, "enroll " + id + " at the Fabric CA of " + mspId);
    Matcher m = CERT.matcher(answer);
    if (!m.find()) {
      throw new IllegalStateException("the Fabric CA of " + mspId + " returned no certificate for " + id);
    }
    return EmbeddedCertificateAuthority.parsePem(new String(Base64.getDecoder().decode(m.group(1)), UTF_8));
  }

  private String post(String url, String body, String authorization, String what) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", authorization)
        .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8)).build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(UTF_8));
      if (r.statusCode() / 100 != 2 || !SUCCESS.matcher(r.body()).find()) {
        throw new IllegalStateException("could not " + what + ": HTTP " + r.statusCode() + " " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException("could not " + what + " (is the network's Fabric CA running?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }

  /**
   * Fabric CA's token authentication: base64(cert PEM) "." base64(ECDSA signature over
   * method "." base64(uri) "." base64(body) "." base64(cert PEM)), the signature with low S as
   * Fabric's BCCSP requires.
   */
  static String token(Registrar registrar, String method, String uri, byte[] body) {
    Base64.Encoder b64 = Base64.getEncoder();
    String b64cert = b64.encodeToString(registrar.certificatePem().getBytes(UTF_8));
    String payload = method + "." + b64.encodeToString(uri.getBytes(UTF_8)) + "." + b64.encodeToString(body) + "." + b64cert;
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(registrar.key());
      s.update(payload.getBytes(UTF_8));
      return b64cert + "." + b64.encodeToString(lowS(s.sign()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not sign the Fabric CA token", e);
    }
  }

  private static byte[] lowS(byte[] der) throws IOException {
    ASN1Sequence seq = ASN1Sequence.getInstance(der);
    BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
    BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
    if (s.compareTo(P256_N.shiftRight(1)) <= 0) return der;
    return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(P256_N.subtract(s))}).getEncoded();
  }

  private static String csr(String id, KeyPair keys) {
    try {
      PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(req);
      }
      return out.toString();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("could not build a certificate request", e);
    }
  }

  private static String pem(X509Certificate cert) {
    return EmbeddedCertificateAuthority.pem(cert);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }
}
