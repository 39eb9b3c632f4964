package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.Metadata;
import org.hyperledger.fabric.protos.common.MetadataSignature;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeInput;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeSpec;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Txtc;

/**
 * The Fabric half of the verifier without a network: a two-block chain built here from
 * Fabric's own messages (a block holding a Store of a txtc, with the creator's signature, one
 * endorsement and an orderer's signature, then a block carried by its header and metadata).
 * The bundle verifies, and a changed byte of the record, of the block, of the next header or
 * of the orderer's signature is named. The real network's bundle is checked by
 * FabricPaperScenarioIT (the Fabric tier).
 */
class FabricBundleTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CHANNEL = "medledger";
  private static Bundle bundle;
  private static String txId;
  private static byte[] record;

  @BeforeAll
  static void chain() throws Exception {
    KeyPair hospitalCa = keys();
    KeyPair ordererCa = keys();
    X509Certificate hospitalRoot = cert("CN=ca.hospital,O=Hospital", hospitalCa, "CN=ca.hospital,O=Hospital", hospitalCa, true);
    X509Certificate ordererRoot = cert("CN=ca.orderer,O=Orderer", ordererCa, "CN=ca.orderer,O=Orderer", ordererCa, true);
    KeyPair client = keys();
    KeyPair peer = keys();
    KeyPair orderer = keys();
    byte[] clientId = identity("HospitalMSP", cert("CN=dr-house,O=Hospital", client, "CN=ca.hospital,O=Hospital", hospitalCa, false));
    byte[] peerId = identity("HospitalMSP", cert("CN=peer0,O=Hospital", peer, "CN=ca.hospital,O=Hospital", hospitalCa, false));
    byte[] ordererId = identity("OrdererMSP", cert("CN=orderer0,O=Orderer", orderer, "CN=ca.orderer,O=Orderer", ordererCa, false));

    UserSecret patient = UserSecret.generate(RANDOM);
    UserSecret doctor = UserSecret.generate(RANDOM);
    long doctorIndex = org.medledger.core.record.ParticipantIndex.of(doctor.signingKeyPair().publicKey());
    Consent consent = TreatmentProtocol.consent(patient, List.of(), List.of(), List.of(), List.of(), doctorIndex, RANDOM);
    Txtc txtc = TreatmentProtocol.open(doctor, consent);
    record = RecordCodec.encode(txtc);
    txId = "1a2b3c4d5e6f" + "0".repeat(52);

    ByteString spec = ChaincodeInvocationSpec.newBuilder().setChaincodeSpec(ChaincodeSpec.newBuilder()
        .setInput(ChaincodeInput.newBuilder().addArgs(ByteString.copyFromUtf8("Store")).addArgs(ByteString.copyFrom(record))))
        .build().toByteString();
    ByteString proposalPayload = ChaincodeProposalPayload.newBuilder().setInput(spec).build().toByteString();
    ByteString responsePayload = ByteString.copyFromUtf8("the proposal response payload");
    Endorsement endorsement = Endorsement.newBuilder().setEndorser(ByteString.copyFrom(peerId))
        .setSignature(ByteString.copyFrom(sign(peer.getPrivate(), concat(responsePayload.toByteArray(), peerId)))).build();
    ByteString signatureHeader = SignatureHeader.newBuilder().setCreator(ByteString.copyFrom(clientId))
        .setNonce(ByteString.copyFrom(new byte[24])).build().toByteString();
    Transaction tx = Transaction.newBuilder().addActions(TransactionAction.newBuilder().setHeader(signatureHeader)
        .setPayload(ChaincodeActionPayload.newBuilder().setChaincodeProposalPayload(proposalPayload)
            .setAction(ChaincodeEndorsedAction.newBuilder().setProposalResponsePayload(responsePayload)
                .addEndorsements(endorsement)).build().toByteString())).build();
    Instant now = Instant.now();
    ByteString payload = Payload.newBuilder().setHeader(Header.newBuilder()
        .setChannelHeader(ChannelHeader.newBuilder().setType(3).setTxId(txId).setChannelId(CHANNEL)
            .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond())).build().toByteString())
        .setSignatureHeader(signatureHeader)).setData(tx.toByteString()).build().toByteString();
    ByteString envelope = Envelope.newBuilder().setPayload(payload)
        .setSignature(ByteString.copyFrom(sign(client.getPrivate(), payload.toByteArray()))).build().toByteString();

    BlockHeader h5 = BlockHeader.newBuilder().setNumber(5).setPreviousHash(ByteString.copyFrom(new byte[32]))
        .setDataHash(ByteString.copyFrom(Verifying.sha256(envelope.toByteArray()))).build();
    Block b5 = Block.newBuilder().setHeader(h5).setData(BlockData.newBuilder().addData(envelope))
        .setMetadata(metadata(h5, ordererId, orderer.getPrivate(), new byte[] {0})).build();
    BlockHeader h6 = BlockHeader.newBuilder().setNumber(6).setPreviousHash(ByteString.copyFrom(bcHash(h5)))
        .setDataHash(ByteString.copyFrom(Verifying.sha256(new byte[0]))).build();
    BlockMetadata m6 = metadata(h6, ordererId, orderer.getPrivate(), new byte[0]);

    LedgerProof proof = new LedgerProof.Fabric(CHANNEL, List.of(
        new LedgerProof.FabricBlock(5, b5.toByteArray(), h5.toByteArray(), b5.getMetadata().toByteArray()),
        new LedgerProof.FabricBlock(6, null, h6.toByteArray(), m6.toByteArray())),
        Map.of("HospitalMSP", pem(hospitalRoot), "OrdererMSP", pem(ordererRoot)));
    bundle = Bundle.read(BundleBuilder.build(new BundleBuilder.Export(Verifying.hex(RecordCodec.kappa(record)),
        now, new BundleBuilder.Exporter("Frank", "Lawyer", ""), null, proof,
        List.of(new BundleBuilder.Item(txId, "Treatment opened", null)), null)).toZip());
  }

  @Test
  void fabricsBlockHashIsTheDerOfItsHeaderAsBouncyCastleEncodesIt() {
    for (long n : new long[] {0, 1, 127, 128, 255, 256, 1L << 40}) {
      BlockHeader h = BlockHeader.newBuilder().setNumber(n).setPreviousHash(ByteString.copyFrom(new byte[32]))
          .setDataHash(ByteString.copyFrom(new byte[] {1, 2})).build();
      assertThat(FabricFormat.hash(h)).as("block %d", n).isEqualTo(bcHash(h));
    }
  }

  @Test
  void theChainVerifiesAndEachChangedPartIsNamed() throws Exception {
    assertThat(BundleVerifier.verify(bundle, null).problems()).isEmpty();
    String label = "record 1 (treatment opened, tx 1a2b3c4d…)";

    byte[] r = bundle.entry("records/01-txtc");
    r[r.length - 1] ^= 1;
    assertThat(BundleVerifier.verify(bundle.with("records/01-txtc", r), null).problems())
        .contains(label + ": its bytes differ from what transaction 1a2b3c4d… stored in block 5 (bytes changed)");

    byte[] block = bundle.entry("ledger/block-5.pb");
    int at = indexOf(block, record);
    block[at + 20] ^= 1;
    assertThat(BundleVerifier.verify(bundle.with("ledger/block-5.pb", block), null).problems()).contains(
        "block 5: its transactions do not hash to the data hash in its header (bytes changed)",
        label + ": block 5, which holds it, is not in the bundle or failed its checks");

    byte[] header = bundle.entry("ledger/header-6.pb");
    for (int i = 0; i < header.length; i++) {
      byte[] h = header.clone();
      h[i] ^= 1;
      assertThat(BundleVerifier.verify(bundle.with("ledger/header-6.pb", h), null).problems()).as("byte %d", i)
          .isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("block 6: "));
    }

    byte[] meta = bundle.entry("ledger/metadata-6.pb");
    byte[] sig = Metadata.parseFrom(BlockMetadata.parseFrom(meta).getMetadata(0)).getSignatures(0).getSignature()
        .toByteArray();
    meta[indexOf(meta, sig) + sig.length - 1] ^= 1; // the last byte of the orderer's signature
    assertThat(BundleVerifier.verify(bundle.with("ledger/metadata-6.pb", meta), null).problems())
        .containsExactly("block 6: the orderer's signature on its header does not verify (bytes changed)");
  }

  private static BlockMetadata metadata(BlockHeader h, byte[] ordererId, PrivateKey key, byte[] filter) throws Exception {
    ByteString value = ByteString.copyFromUtf8("orderer block metadata");
    ByteString sigHeader = SignatureHeader.newBuilder().setCreator(ByteString.copyFrom(ordererId)).build().toByteString();
    byte[] signed = concat(concat(value.toByteArray(), sigHeader.toByteArray()), bcDer(h));
    Metadata signatures = Metadata.newBuilder().setValue(value).addSignatures(MetadataSignature.newBuilder()
        .setSignatureHeader(sigHeader).setSignature(ByteString.copyFrom(sign(key, signed)))).build();
    return BlockMetadata.newBuilder().addMetadata(signatures.toByteString()).addMetadata(ByteString.EMPTY)
        .addMetadata(ByteString.copyFrom(filter)).build();
  }

  private static byte[] bcDer(BlockHeader h) {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(h.getNumber()));
    v.add(new DEROctetString(h.getPreviousHash().toByteArray()));
    v.add(new DEROctetString(h.getDataHash().toByteArray()));
    try {
      return new DERSequence(v).getEncoded(ASN1Encoding.DER);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bcHash(BlockHeader h) {
    return Verifying.sha256(bcDer(h));
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate cert(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean ca)
      throws Exception {
    Date from = Date.from(Instant.now().minusSeconds(3600));
    Date to = Date.from(Instant.now().plusSeconds(86_400));
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(RANDOM.nextLong() & Long.MAX_VALUE),
        from, to, new X500Name(subject), subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static String pem(X509Certificate c) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(c);
    }
    return w.toString();
  }

  private static byte[] identity(String msp, X509Certificate c) throws Exception {
    return SerializedIdentity.newBuilder().setMspid(msp).setIdBytes(ByteString.copyFrom(pem(c), UTF_8)).build().toByteArray();
  }

  private static byte[] sign(PrivateKey key, byte[] data) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(data);
    return s.sign();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
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
}
