package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;
import org.medledger.ledger.embedded.BlockCodec.Block;
import org.medledger.ledger.embedded.BlockCodec.Tx;
import org.medledger.ledger.embedded.BlockCodec.Write;

/**
 * Issue 12, part 3: the embedded ledger's history is evidence. Each test is an attack by
 * someone who can write (and read) the ledger directory, including the ledger's own key, but
 * holds no submitter's key.
 */
class EvidenceTest {
  @TempDir Path dir;
  @TempDir Path elsewhere;
  LedgerIdentity doctor;
  SubmitResult first;

  @BeforeEach
  void oneBlock() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      doctor = Fixtures.doctor(ledger);
      first = ledger.submit(doctor, "put", b("k"), b("v"));
    }
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  Path blocks() {
    return dir.resolve(BlockFile.FILE_NAME);
  }

  /** [start, end) of every frame: the genesis, then block 0, 1, ... */
  List<long[]> frames() throws Exception {
    byte[] all = Files.readAllBytes(blocks());
    List<long[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < all.length) {
      int len = ByteBuffer.wrap(all, pos + 4, 4).getInt();
      int end = pos + BlockCodec.HEADER_BYTES + len + BlockCodec.HASH_BYTES;
      out.add(new long[] {pos, end});
      pos = end;
    }
    return out;
  }

  Block block(int n) throws Exception {
    long[] f = frames().get(n + 1);
    byte[] all = Files.readAllBytes(blocks());
    return BlockCodec.decode(Arrays.copyOfRange(all, (int) f[0] + BlockCodec.HEADER_BYTES,
        (int) f[1] - BlockCodec.HASH_BYTES));
  }

  byte[] lastHash() throws Exception {
    byte[] all = Files.readAllBytes(blocks());
    return Arrays.copyOfRange(all, all.length - BlockCodec.HASH_BYTES, all.length);
  }

  /** What the attacker can do: sign with the ledger's key, which lies in the directory. */
  void append(long number, List<Tx> txs) throws Exception {
    OrdererKey key = OrdererKey.load(dir.resolve(OrdererKey.KEY_FILE), null);
    appendSignedBy(number, txs, key::sign);
  }

  void appendSignedBy(long number, List<Tx> txs, BlockCodec.Signer signer) throws Exception {
    ByteBuffer frame = BlockCodec.frame(BlockCodec.encode(
        new Block(number, lastHash(), Instant.now(), txs, null), signer));
    Files.write(blocks(), Arrays.copyOf(frame.array(), frame.limit()), StandardOpenOption.APPEND);
  }

  Tx forged(String txId, String value, byte[] signature) {
    Tx real;
    try {
      real = block(0).transactions().get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return new Tx(txId, real.creatorMspId(), real.creatorCertificatePem(),
        Instant.ofEpochMilli(System.currentTimeMillis()), List.of(b("put"), b("k"), b(value)),
        signature, BlockCodec.VALID, "put", b("k=" + value), List.of(new Write("k", b(value))));
  }

  void assertRefused(long block, String txId, String why) {
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract());
    assertThat(report.valid()).as(report.toString()).isFalse();
    assertThat(report.firstBadBlock()).hasValue(block);
    assertThat(report.transactionId()).isEqualTo(txId);
    String at = txId.isEmpty() ? "block " + block + ": " : "block " + block + ", transaction "
        + txId + ": ";
    assertThat(report.reason()).startsWith(at).contains(why);
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class)
        .hasMessageStartingWith(at)
        .hasMessageContaining(why)
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(LedgerException.Kind.CORRUPTED);
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).quarantined()).isEmpty();
  }

  @Test
  void aTransactionAttributedToTheDoctorWithoutTheDoctorsKeyIsRefused() throws Exception {
    String txId = "f".repeat(64);
    KeyPair attacker = Fixtures.p256();
    Tx tx = forged(txId, "forged", null);
    byte[] proposal = BlockCodec.proposal(EmbeddedLedger.CHANNEL_ID,
        EmbeddedLedger.CHAINCODE_NAME, txId, tx.timestamp(), tx.creatorMspId(),
        tx.creatorCertificatePem(), tx.args());
    tx = forged(txId, "forged", OrdererKey.sign(attacker.getPrivate(), proposal));
    append(1, List.of(tx));
    assertRefused(1, txId, "creator's signature does not verify");
  }

  @Test
  void aBlockNotSignedByTheLedgerIsRefused() throws Exception {
    KeyPair other = Fixtures.p256();
    Tx copy = block(0).transactions().get(0);
    // a well-formed block whose only flaw is the signature on its header
    Block b0 = block(0);
    byte[] all = Files.readAllBytes(blocks());
    long[] genesis = frames().get(0);
    Files.write(blocks(), Arrays.copyOf(all, (int) genesis[1]));
    appendSignedBy(0, List.of(copy), data -> OrdererKey.sign(other.getPrivate(), data));
    assertThat(b0.transactions()).hasSize(1);
    assertRefused(0, "", "the ledger's signature on its header does not verify");
  }

  @Test
  void aWriteSetTheChaincodeDoesNotWriteIsRefused() throws Exception {
    // The doctor's real, signed proposal "put k v", stored with the write k = forged.
    Tx real = block(0).transactions().get(0);
    Tx changed = new Tx(real.txId(), real.creatorMspId(), real.creatorCertificatePem(),
        real.timestamp(), real.args(), real.signature(), BlockCodec.VALID, real.eventName(),
        real.eventPayload(), List.of(new Write("k", b("forged"))));
    rewriteBlock0(changed);
    assertRefused(0, real.txId(), "write set differs");
  }

  @Test
  void anEventTheChaincodeDoesNotEmitIsRefused() throws Exception {
    Tx real = block(0).transactions().get(0);
    Tx changed = new Tx(real.txId(), real.creatorMspId(), real.creatorCertificatePem(),
        real.timestamp(), real.args(), real.signature(), BlockCodec.VALID, real.eventName(),
        b("k=somebody else"), real.writes());
    rewriteBlock0(changed);
    assertRefused(0, real.txId(), "event differs");
  }

  void rewriteBlock0(Tx tx) throws Exception {
    byte[] all = Files.readAllBytes(blocks());
    long[] genesis = frames().get(0);
    Files.write(blocks(), Arrays.copyOf(all, (int) genesis[1]));
    append(0, List.of(tx));
  }

  @Test
  void aReplayedTransactionIsRefused() throws Exception {
    Tx real = block(0).transactions().get(0);
    append(1, List.of(real)); // the doctor's signature is genuine, but it was used already
    assertRefused(1, real.txId(), "appears earlier");
  }

  @Test
  void aCertificateFromACaThatIsNotTheMembersIsRefused() throws Exception {
    // Same MSP id, same CA name, another key: what an attacker's own "HospitalMSP" CA issues.
    EmbeddedCertificateAuthority fake = EmbeddedCertificateAuthority.openOrCreate(
        elsewhere.resolve("HospitalMSP"), "HospitalMSP");
    KeyPair kp = Fixtures.p256();
    LedgerIdentity impostor = new LedgerIdentity("HospitalMSP",
        fake.issue("dr-house", "doctor", kp.getPublic()), kp.getPrivate());
    String txId = "e".repeat(64);
    Instant t = Instant.ofEpochMilli(System.currentTimeMillis());
    String pem = EmbeddedCertificateAuthority.pem(impostor.certificate());
    List<byte[]> args = List.of(b("put"), b("k"), b("forged"));
    byte[] sig = OrdererKey.sign(kp.getPrivate(), BlockCodec.proposal(EmbeddedLedger.CHANNEL_ID,
        EmbeddedLedger.CHAINCODE_NAME, txId, t, "HospitalMSP", pem, args));
    append(1, List.of(new Tx(txId, "HospitalMSP", pem, t, args, sig, BlockCodec.VALID, "put",
        b("k=forged"), List.of(new Write("k", b("forged"))))));
    assertRefused(1, txId, "not issued by the CA of HospitalMSP");
  }

  @Test
  void blocksCutOffAtTheEndAreDetectedAgainstAnAnchor() throws Exception {
    LedgerHead head;
    LedgerHead middle;
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      middle = ledger.head().orElseThrow();
      ledger.submit(doctor, "put", b("k2"), b("v2"));
      head = ledger.head().orElseThrow();
      assertThat(ledger.verify(head).valid()).isTrue();
    }
    assertThat(head.blockNumber()).isEqualTo(1);
    assertThat(head.signed()).isTrue();
    assertThat(LedgerHead.parse(head.toText())).isEqualTo(head);
    String grouped = head.blockNumber() + ": " + head.blockHashHex().replaceAll("(.{8})", "$1 ");
    assertThat(LedgerHead.parse(grouped)).isEqualTo(LedgerHead.of(1, head.blockHashHex()));
    assertThat(EmbeddedLedger.verify(dir, new KvContract(), head).valid()).isTrue();
    assertThat(EmbeddedLedger.verify(dir, new KvContract(), middle).valid()).isTrue();

    // cut block 1 off: the chain alone still verifies, the anchor does not
    long[] b1 = frames().get(2);
    byte[] all = Files.readAllBytes(blocks());
    Files.write(blocks(), Arrays.copyOf(all, (int) b1[0]));
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).valid()).isTrue();
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract(), head);
    assertThat(report.valid()).isFalse();
    assertThat(report.reason()).contains("cut off at the end");
    assertThat(report.firstBadBlock()).hasValue(1);
    // a plain anchor written down by hand does the same
    report = EmbeddedLedger.verify(dir, new KvContract(),
        LedgerHead.parse(head.blockNumber() + ":" + head.blockHashHex()));
    assertThat(report.valid()).isFalse();
  }

  @Test
  void aRewrittenHistoryOrAForgedAnchorIsDetected() throws Exception {
    LedgerHead head;
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      head = ledger.head().orElseThrow();
    }
    LedgerHead other = LedgerHead.of(0, "ab".repeat(32));
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract(), other);
    assertThat(report.valid()).isFalse();
    assertThat(report.reason()).contains("block 0: its hash differs from the anchor");
    byte[] sig = HexFormat.of().parseHex(head.signatureHex());
    sig[sig.length - 1] ^= 1;
    LedgerHead badSig = new LedgerHead(0, head.blockHashHex(), HexFormat.of().formatHex(sig));
    report = EmbeddedLedger.verify(dir, new KvContract(), badSig);
    assertThat(report.valid()).isFalse();
    assertThat(report.reason()).contains("anchor's signature does not verify");
    assertThatThrownBy(() -> LedgerHead.parse("12:nothex"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block number");
  }

  @Test
  void aFormatOneBlockFileIsRefusedWithWhatToDo() throws Exception {
    Path old = elsewhere.resolve("old");
    Files.createDirectories(old);
    byte[] v1 = new byte[64];
    System.arraycopy(BlockCodec.MAGIC_V1, 0, v1, 0, 4);
    Files.write(old.resolve(BlockFile.FILE_NAME), v1);
    assertThatThrownBy(() -> EmbeddedLedger.open(old, new KvContract()))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("format 1")
        .hasMessageContaining("recreated");
    assertThat(Files.readAllBytes(old.resolve(BlockFile.FILE_NAME))).isEqualTo(v1);
    assertThat(EmbeddedLedger.verify(old, new KvContract()).reason()).contains("format 1");
  }

  @Test
  void timestampsHaveMillisecondPrecision() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      for (int i = 0; i < 5; i++) {
        SubmitResult r = ledger.submit(doctor, "put", b("t" + i), b("v"));
        Instant t = ledger.transaction(doctor, r.transactionId()).orElseThrow().timestamp();
        assertThat(t.getNano() % 1_000_000).isZero();
      }
      String info = new String(ledger.evaluate(doctor, "txInfo"), UTF_8);
      Instant seen = Instant.parse(info.split("\\|")[2]);
      assertThat(seen.getNano() % 1_000_000).isZero();
    }
  }

  @Test
  void theLedgersKeyIsOwnerOnlyAndRecordedInTheGenesis() throws Exception {
    Path key = dir.resolve(OrdererKey.KEY_FILE);
    if (OwnerOnly.posix(key)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
    }
    long[] g = frames().get(0);
    byte[] all = Files.readAllBytes(blocks());
    byte[][] signed = new byte[1][];
    BlockCodec.Genesis genesis = BlockCodec.decodeGenesis(Arrays.copyOfRange(all,
        (int) g[0] + BlockCodec.HEADER_BYTES, (int) g[1] - BlockCodec.HASH_BYTES), signed);
    var cert = EmbeddedCertificateAuthority.parsePem(genesis.ordererCertificatePem());
    OrdererKey.load(dir.resolve(OrdererKey.KEY_FILE), cert); // the key on disk is the genesis's
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerHead head = ledger.head().orElseThrow();
      assertThat(OrdererKey.verify(cert, BlockCodec.checkpoint(EmbeddedLedger.CHANNEL_ID,
          head.blockNumber(), HexFormat.of().parseHex(head.blockHashHex())),
          HexFormat.of().parseHex(head.signatureHex()))).isTrue();
    }
    Files.delete(key);
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class).hasMessageContaining("orderer-key.pem is missing");
  }

  @Test
  void theCommandLineCheckTakesAnAnchor() throws Exception {
    LedgerHead head;
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      head = ledger.head().orElseThrow();
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream print = new java.io.PrintStream(out, true, UTF_8);
    assertThat(VerifyLedger.run(new String[] {dir.toString(), head.toText()}, new KvContract(),
        print, print)).isZero();
    assertThat(out.toString(UTF_8)).contains("ledger verified: 1 blocks");
    out.reset();
    assertThat(VerifyLedger.run(new String[] {dir.toString(), "5:" + head.blockHashHex()},
        new KvContract(), print, print)).isEqualTo(1);
    assertThat(out.toString(UTF_8)).contains("cut off at the end");
    assertThat(VerifyLedger.run(new String[] {dir.toString(), "nonsense"}, new KvContract(),
        print, print)).isEqualTo(2);
  }

  @Test
  void aDamagedGenesisIsRefusedNeverQuarantined() throws Exception {
    long[] g = frames().get(0);
    byte[] bytes = Files.readAllBytes(blocks());
    bytes[(int) g[0] + BlockCodec.HEADER_BYTES + 20] ^= 0x01;
    Files.write(blocks(), bytes);
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract());
    assertThat(report.valid()).isFalse();
    assertThat(report.firstBadBlock()).isEmpty();
    assertThat(report.reason()).startsWith("the genesis: ");
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class).hasMessageStartingWith("the genesis: ");
    assertThat(Files.readAllBytes(blocks())).isEqualTo(bytes);
    // the genesis alone (no block yet) is not quarantined either
    Files.write(blocks(), Arrays.copyOf(bytes, (int) g[1]));
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class).hasMessageStartingWith("the genesis: ");
  }

  @Test
  void aBlockFileEmptiedOrDeletedIsARemovedHistoryNotANewLedger() throws Exception {
    Files.write(blocks(), new byte[0]);
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class).hasMessageContaining("history was removed");
    Files.delete(blocks());
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class).hasMessageContaining("history was removed");
  }

  @Test
  void aFirstOpenInterruptedBeforeOrAfterTheGenesisIsFinished() throws Exception {
    // before: the key is on disk under its temporary name, no genesis
    Path fresh = elsewhere.resolve("fresh");
    Files.createDirectories(fresh);
    Files.copy(dir.resolve(OrdererKey.KEY_FILE), fresh.resolve(OrdererKey.PENDING_FILE));
    try (EmbeddedLedger ledger = EmbeddedLedger.open(fresh, new KvContract())) {
      LedgerIdentity d = Fixtures.doctor(ledger);
      ledger.submit(d, "put", b("k"), b("v"));
    }
    assertThat(fresh.resolve(OrdererKey.KEY_FILE)).exists();
    assertThat(fresh.resolve(OrdererKey.PENDING_FILE)).doesNotExist();
    // after: the genesis is on disk, the key not yet renamed
    Files.move(fresh.resolve(OrdererKey.KEY_FILE), fresh.resolve(OrdererKey.PENDING_FILE));
    try (EmbeddedLedger ledger = EmbeddedLedger.open(fresh, new KvContract())) {
      assertThat(ledger.height()).isEqualTo(1);
      assertThat(ledger.verify().valid()).isTrue();
    }
    assertThat(fresh.resolve(OrdererKey.KEY_FILE)).exists();
    assertThat(fresh.resolve(OrdererKey.PENDING_FILE)).doesNotExist();
  }
}
