package org.medledger.ledger.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.Metadata;
import org.medledger.core.crypto.Argon2Params;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.RecoveryKit;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Role;
import org.medledger.evidence.Bundle;
import org.medledger.evidence.BundleBuilder;
import org.medledger.evidence.BundleVerifier;
import org.medledger.evidence.LedgerProof;
import org.medledger.evidence.VerifyBundle;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.scenario.PaperScenario.Participant;

/**
 * Issue 15, the evidence bundle, on whichever ledger the scenario runs on (embedded: every
 * build; Fabric: the Fabric tier): a lawyer exports a treatment, the standalone verifier accepts
 * the bundle without a secret, with the lawyer's recovery code and with their password, and
 * names what fails when a byte of a record, a block, a header, a certificate or a signature is
 * changed.
 */
final class EvidenceBundleChecks {
  private final LedgerGateway ledger;
  private final PaperScenario.Enrollment enrollment;
  private final SecureRandom random;
  private final Path tmp;

  EvidenceBundleChecks(LedgerGateway ledger, PaperScenario.Enrollment enrollment, SecureRandom random, Path tmp) {
    this.ledger = ledger;
    this.enrollment = enrollment;
    this.random = random;
    this.tmp = tmp;
  }

  void run() throws Exception {
    MedLedgerClient client = new MedLedgerClient(ledger);
    PaperScenario scenario = new PaperScenario(client, enrollment, random);
    String tag = Long.toHexString(random.nextLong()); // names unique on a shared Fabric channel
    Participant patient = scenario.participant("Eva " + tag, Role.PATIENT, "HospitalMSP");
    Participant doctor = scenario.participant("Dr Evi " + tag, Role.DOCTOR, "HospitalMSP");
    Participant pharmacist = scenario.participant("Phil " + tag, Role.PHARMACIST, "PharmacyMSP");
    Participant lawyer = scenario.participant("Lou " + tag, Role.LAWYER, "LawFirmMSP");
    Participant outsider = scenario.participant("Otto " + tag, Role.LAWYER, "LawFirmMSP");
    byte[] message = "diagnosis: appendicitis".getBytes(UTF_8);
    PaperScenario.Treatment t = scenario.run(new PaperScenario.Selection(patient, doctor, List.of(),
        List.of(pharmacist), List.of(), List.of(lawyer)), message);
    // Someone else's transaction after the treatment: the chain to the head passes a block that
    // holds none of its records, which the bundle carries by its header only.
    scenario.participant("Ian " + tag, Role.INSURER, "InsurerMSP");

    List<BundleBuilder.Item> items = new ArrayList<>();
    List<String> txIds = new ArrayList<>();
    for (MedLedgerClient.Stored s : t.stored()) {
      LedgerRecord r = RecordCodec.parse(s.value());
      byte[] content = r instanceof ProcessRecord p ? TreatmentProtocol.read(lawyer.secret(), p) : null;
      items.add(new BundleBuilder.Item(s.transactionId(), r.type().label(), content));
      txIds.add(s.transactionId());
    }
    LedgerProof proof = ledger.proof(lawyer.identity(), txIds);
    boolean fabric = proof instanceof LedgerProof.Fabric;
    if (fabric) {
      assertThat(proof.authorities()).as("the orderers' CA, to check their signatures").containsKey("OrdererMSP");
    }
    byte[] wrapped = PasswordWrap.wrap(lawyer.secret(), "correct horse".toCharArray(), Argon2Params.TEST_ONLY, random);
    Bundle built = BundleBuilder.build(new BundleBuilder.Export(t.kappa0Hex(), Instant.now(),
        new BundleBuilder.Exporter("Lou", "Lawyer", "Weber & Partners"), wrapped, proof, items,
        "%PDF-1.7 stand-in".getBytes(UTF_8)));
    Path file = tmp.resolve("evidence.zip");
    Files.write(file, built.toZip());
    // Kept for a person to try the command on (target/evidence-sample-<ledger>.zip, and the
    // test lawyer's recovery code beside it): ./medledger verify-bundle ledger/target/…
    String kind = fabric ? "fabric" : "embedded";
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "evidence-sample-" + kind + ".zip"), built.toZip());
    Files.writeString(Path.of("target", "evidence-sample-" + kind + ".recovery-code.txt"),
        RecoveryKit.encode(lawyer.secret()) + "\n");
    Bundle bundle = Bundle.read(file);

    // It verifies: integrity and signatures without any secret, decryption with a member's.
    assertThat(problems(bundle)).isEmpty();
    assertThat(BundleVerifier.verify(bundle, lawyer.secret()).problems()).isEmpty();
    assertThat(BundleVerifier.verify(bundle, BundleVerifier.secretFromPassword(bundle, "correct horse".toCharArray()))
        .problems()).isEmpty();
    assertThat(cli(file.toString(), "--recovery-code", RecoveryKit.encode(lawyer.secret()))).isZero();
    Path pw = tmp.resolve("password.txt");
    Files.writeString(pw, "correct horse\n");
    assertThat(cli(file.toString(), "--password-file", pw.toString())).isZero();

    Map<String, Object> manifest = bundle.manifest();

    // What the expert brings from outside: the organisations' own CA certificates and a block
    // hash written down earlier. A CA of the same name with another key, or another hash, fails.
    List<X509Certificate> realCas = new ArrayList<>();
    for (String pem : proof.authorities().values()) realCas.add(certificate(pem.getBytes(UTF_8)));
    long headBlock = lastBlock(manifest);
    List<Map<String, Object>> chain = blocks(manifest);
    String headHashHex = fabric ? hex(fabricHash(BlockHeader.parseFrom(
        bundle.entry((String) chain.get(chain.size() - 1).get("header")))))
        : (String) chain.get(chain.size() - 1).get("hash");
    byte[] headHash = HexFormat.of().parseHex(headHashHex);
    assertThat(BundleVerifier.verify(bundle, null, new BundleVerifier.Trust(realCas, headBlock, headHash)).problems())
        .isEmpty();
    assertThat(cli(file.toString(), "--anchor", headBlock + ":" + headHashHex)).isZero();
    X509Certificate hospital = certificate(proof.authorities().get("HospitalMSP").getBytes(UTF_8));
    X509Certificate impostor = selfSigned(hospital.getSubjectX500Principal().getEncoded());
    assertThat(BundleVerifier.verify(bundle, null, new BundleVerifier.Trust(List.of(impostor), -1, null)).problems())
        .containsExactly("the bundle's certificate authority " + hospital.getSubjectX500Principal().getName()
            + " is not the one you gave (a different key or certificate: the bundle was not made on that organisation's"
            + " ledger)");
    byte[] otherHash = headHash.clone();
    otherHash[0] ^= 1;
    assertThat(BundleVerifier.verify(bundle, null, new BundleVerifier.Trust(List.of(), headBlock, otherHash)).problems())
        .containsExactly("block " + headBlock + ": its hash is not the anchor's (the history was rewritten up to it, or"
            + " the bundle is from another ledger)");
    assertThat(BundleVerifier.verify(bundle, null, new BundleVerifier.Trust(List.of(), headBlock + 5, headHash))
        .problems()).containsExactly("the anchor names block " + (headBlock + 5) + ", which is not in the bundle's chain");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> records = (List<Map<String, Object>>) manifest.get("records");
    assertThat(records).hasSize(t.stored().size());
    Map<String, Object> txd = records.stream().filter(r -> r.get("type").equals("txd")).findFirst().orElseThrow();
    String txdLabel = label(txd);
    long txdBlock = (Long) txd.get("block");

    // Someone who is not a member cannot check decryption, and is told so.
    assertThat(BundleVerifier.verify(bundle, outsider.secret()).problems())
        .contains(txdLabel + ": it cannot be decrypted with this secret (not a member's secret, or the record was altered)");
    assertThat(cli(file.toString(), "--recovery-code", RecoveryKit.encode(outsider.secret()))).isEqualTo(1);

    // A record: every byte of the consent, changed one at a time, is named.
    Map<String, Object> txtc = records.get(0);
    String txtcFile = (String) txtc.get("file");
    byte[] consent = bundle.entry(txtcFile);
    for (int i = 0; i < consent.length; i++) {
      List<String> p = problems(bundle.with(txtcFile, flip(consent, i)));
      assertThat(p).as("byte %d of the consent", i)
          .contains(label(txtc) + ": its bytes differ from what transaction " + shortId(txtc) + " stored in block "
              + txtc.get("block") + " (bytes changed)");
    }
    // The diagnosis's content, with the secret: the shown text is not what the ledger holds.
    String content = (String) txd.get("content");
    assertThat(BundleVerifier.verify(bundle.with(content, "diagnosis: nothing".getBytes(UTF_8)), lawyer.secret())
        .problems()).containsExactly(txdLabel + ": its decrypted content differs from " + content + " (bytes changed)");

    // The block holding the diagnosis: a byte of the record inside it.
    String blockFile = blockEntry(manifest, txdBlock, "block");
    byte[] block = bundle.entry(blockFile);
    int at = indexOf(block, bundle.entry((String) txd.get("file")));
    assertThat(at).isNotNegative();
    assertThat(problems(bundle.with(blockFile, flip(block, at + 40)))).contains(
        "block " + txdBlock + ": its transactions do not hash to the data hash in its header (bytes changed)",
        txdLabel + ": block " + txdBlock + ", which holds it, is not in the bundle or failed its checks");

    // A header: the head's block, carried by its header only; every byte is named.
    long head = lastBlock(manifest);
    String headerFile = blockEntry(manifest, head, "header");
    byte[] header = bundle.entry(headerFile);
    for (int i = 0; i < header.length; i++) {
      List<String> p = problems(bundle.with(headerFile, flip(header, i)));
      assertThat(p).as("byte %d of the head's header", i).isNotEmpty()
          .allSatisfy(x -> assertThat(x).matches("(block " + head + "|the head \\(block " + head + "\\)): .*"));
    }
    byte[] previous = fabric ? BlockHeader.parseFrom(header).getPreviousHash().toByteArray()
        : java.util.Arrays.copyOfRange(header, 10, 42);
    assertThat(problems(bundle.with(headerFile, flip(header, indexOf(header, previous) + 5)))).contains(
        "block " + head + ": its previous-block hash is not the hash of block " + (head - 1)
            + " (the chain between them is broken)");

    // A certificate: the pharmacy's CA.
    String ca = "authorities/PharmacyMSP.pem";
    byte[] pem = bundle.entry(ca);
    int mid = pem.length / 2;
    while (!Character.isLetter(pem[mid])) mid++;
    byte[] changed = pem.clone();
    changed[mid] = (byte) (pem[mid] == 'A' ? 'B' : 'A');
    List<String> p = problems(bundle.with(ca, changed));
    assertThat(p).anyMatch(x -> x.startsWith("the certificate authority of PharmacyMSP (" + ca + "): "));
    Map<String, Object> txm = records.stream().filter(r -> r.get("type").equals("txm")).findFirst().orElseThrow();
    assertThat(p).contains(label(txm) + ": the bundle has no valid certificate authority of PharmacyMSP, which issued"
        + " its submitter's certificate");

    // A signature: the ledger's (embedded) or the orderer's (Fabric) on the head's header.
    if (fabric) {
      String metaFile = blockEntry(manifest, head, "metadata");
      byte[] meta = bundle.entry(metaFile);
      byte[] sig = Metadata.parseFrom(BlockMetadata.parseFrom(meta).getMetadata(0)).getSignatures(0).getSignature()
          .toByteArray();
      assertThat(problems(bundle.with(metaFile, flip(meta, indexOf(meta, sig) + sig.length - 1)))).contains(
          "block " + head + ": the orderer's signature on its header does not verify (bytes changed)");
    } else {
      String sigFile = blockEntry(manifest, head, "signature");
      byte[] sig = bundle.entry(sigFile);
      assertThat(problems(bundle.with(sigFile, flip(sig, sig.length - 1)))).containsExactly(
          "block " + head + ": the ledger's signature on its header does not verify (bytes changed)");
      String m = new String(bundle.entry(Bundle.MANIFEST), UTF_8);
      @SuppressWarnings("unchecked")
      String headSig = (String) ((Map<String, Object>) ((Map<String, Object>) manifest.get("ledger")).get("head"))
          .get("signature");
      String other = headSig.substring(0, headSig.length() - 2) + (headSig.endsWith("00") ? "01" : "00");
      assertThat(problems(bundle.with(Bundle.MANIFEST, m.replace(headSig, other).getBytes(UTF_8)))).containsExactly(
          "the head (block " + head + "): the ledger's signature does not verify (bytes changed)");
    }
  }

  private static X509Certificate certificate(byte[] pem) throws Exception {
    return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(pem));
  }

  /** A CA certificate with the given subject and a key of its own: an impostor organisation. */
  private X509Certificate selfSigned(byte[] subject) throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"), random);
    java.security.KeyPair k = g.generateKeyPair();
    org.bouncycastle.asn1.x500.X500Name name = org.bouncycastle.asn1.x500.X500Name.getInstance(subject);
    var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
        java.util.Date.from(Instant.now().minusSeconds(60)), java.util.Date.from(Instant.now().plusSeconds(3600)), name,
        k.getPublic());
    return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
        b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
  }

  /** Fabric's block hash, SHA-256 of DER{number, previous hash, data hash}, as BouncyCastle encodes it. */
  private static byte[] fabricHash(BlockHeader h) throws Exception {
    org.bouncycastle.asn1.ASN1EncodableVector v = new org.bouncycastle.asn1.ASN1EncodableVector();
    v.add(new org.bouncycastle.asn1.ASN1Integer(h.getNumber()));
    v.add(new org.bouncycastle.asn1.DEROctetString(h.getPreviousHash().toByteArray()));
    v.add(new org.bouncycastle.asn1.DEROctetString(h.getDataHash().toByteArray()));
    return java.security.MessageDigest.getInstance("SHA-256")
        .digest(new org.bouncycastle.asn1.DERSequence(v).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER));
  }

  private static List<String> problems(Bundle b) {
    return BundleVerifier.verify(b, null).problems();
  }

  private static int cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return VerifyBundle.run(args, new PrintStream(out, true, UTF_8), new PrintStream(out, true, UTF_8));
  }

  private static String label(Map<String, Object> r) {
    return "record " + r.get("number") + " (" + r.get("title") + ", tx " + shortId(r) + ")";
  }

  private static String shortId(Map<String, Object> r) {
    return ((String) r.get("transaction")).substring(0, 8) + "…";
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> blocks(Map<String, Object> manifest) {
    return (List<Map<String, Object>>) ((Map<String, Object>) manifest.get("ledger")).get("blocks");
  }

  private static long lastBlock(Map<String, Object> manifest) {
    List<Map<String, Object>> b = blocks(manifest);
    return (Long) b.get(b.size() - 1).get("number");
  }

  private static String blockEntry(Map<String, Object> manifest, long number, String key) {
    Map<String, Object> b = blocks(manifest).stream().filter(x -> x.get("number").equals(number)).findFirst()
        .orElseThrow();
    assertThat(b).as("block %d in the manifest", number).containsKey(key);
    return (String) b.get(key);
  }

  private static byte[] flip(byte[] b, int i) {
    byte[] c = b.clone();
    c[i] ^= 0x01;
    return c;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
