package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;

/** Tamper evidence: any change to a complete block is reported with that block's number. */
class TamperTest {
  @TempDir Path dir;
  Path blocks;
  LedgerIdentity doctor;

  @BeforeEach
  void tenBlocks() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      doctor = Fixtures.doctor(ledger);
      for (int i = 0; i < 10; i++) {
        ledger.submit(doctor, "put", ("k" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
      }
      assertThat(ledger.height()).isEqualTo(10);
    }
    blocks = dir.resolve(BlockFile.FILE_NAME);
  }

  /** Frame boundaries [start, end) of every block in the file. */
  List<long[]> frames() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
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

  void assertRefusedAt(long block, String why) {
    VerificationReport report = EmbeddedLedger.verify(dir);
    assertThat(report.valid()).isFalse();
    assertThat(report.firstBadBlock()).hasValue(block);
    assertThat(report.reason()).startsWith("block " + block + ":").contains(why);
    assertThatThrownBy(() -> EmbeddedLedger.open(dir, new KvContract()))
        .isInstanceOf(LedgerException.class)
        .hasMessageStartingWith("block " + block + ":")
        .extracting(e -> ((LedgerException) e).kind()).isEqualTo(LedgerException.Kind.CORRUPTED);
  }

  @Test
  void intactLedgerVerifies() {
    VerificationReport report = EmbeddedLedger.verify(dir);
    assertThat(report.valid()).as(report.toString()).isTrue();
    assertThat(report.blocksVerified()).isEqualTo(10);
    assertThat(report.firstBadBlock()).isEmpty();
  }

  @Test
  void flippedByteInsideABlockBodyIsReportedForThatBlock() throws Exception {
    for (int victim : new int[] {0, 4, 9}) {
      byte[] original = Files.readAllBytes(blocks);
      long[] f = frames().get(victim);
      byte[] bytes = original.clone();
      int at = (int) (f[0] + BlockCodec.HEADER_BYTES + 40); // inside the body
      bytes[at] ^= 0x01;
      Files.write(blocks, bytes);
      assertRefusedAt(victim, "bytes changed");
      Files.write(blocks, original);
    }
  }

  @Test
  void everySingleByteFlipIsDetectedAtItsBlock() throws Exception {
    byte[] original = Files.readAllBytes(blocks);
    List<long[]> frames = frames();
    int victim = 6;
    long[] f = frames.get(victim);
    for (long at = f[0]; at < f[1]; at += 7) { // header, body and stored hash
      byte[] bytes = original.clone();
      bytes[(int) at] ^= (byte) 0x80;
      Files.write(blocks, bytes);
      VerificationReport report = EmbeddedLedger.verify(dir);
      assertThat(report.firstBadBlock()).as("flip at byte %d", at).hasValue(victim);
    }
    Files.write(blocks, original);
    assertThat(EmbeddedLedger.verify(dir).valid()).isTrue();
  }

  @Test
  void removedBlockIsReported() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    long[] f = frames().get(3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(all, 0, (int) f[0]);
    out.write(all, (int) f[1], all.length - (int) f[1]);
    Files.write(blocks, out.toByteArray());
    assertRefusedAt(3, "removed");
  }

  @Test
  void insertedBlockIsReported() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    long[] copy = frames().get(2);
    long[] after = frames().get(4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(all, 0, (int) after[1]);
    out.write(all, (int) copy[0], (int) (copy[1] - copy[0])); // a copy of block 2 as block 5
    out.write(all, (int) after[1], all.length - (int) after[1]);
    Files.write(blocks, out.toByteArray());
    assertRefusedAt(5, "inserted");
  }

  @Test
  void reorderedBlocksAreReported() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    long[] b7 = frames().get(7);
    long[] b8 = frames().get(8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(all, 0, (int) b7[0]);
    out.write(all, (int) b8[0], (int) (b8[1] - b8[0]));
    out.write(all, (int) b7[0], (int) (b7[1] - b7[0]));
    out.write(all, (int) b8[1], all.length - (int) b8[1]);
    Files.write(blocks, out.toByteArray());
    assertRefusedAt(7, "removed");
  }

  @Test
  void incompleteTrailingFrameIsATornWriteAndIsRemovedOnOpen() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    long[] last = frames().get(9);
    // the first half of a copy of the last frame: what a crash mid-write leaves
    byte[] torn = Arrays.copyOfRange(all, (int) last[0], (int) (last[0] + (last[1] - last[0]) / 2));
    byte[] bytes = Arrays.copyOf(all, all.length + torn.length);
    System.arraycopy(torn, 0, bytes, all.length, torn.length);
    Files.write(blocks, bytes);
    assertThat(EmbeddedLedger.verify(dir).tornBytes()).isEqualTo(torn.length);
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      assertThat(ledger.height()).isEqualTo(10);
      assertThat(ledger.verify().valid()).isTrue();
      assertThat(ledger.submit(doctor, "put", "k".getBytes(UTF_8), "v".getBytes(UTF_8))
          .blockNumber()).isEqualTo(10);
    }
    assertThat(EmbeddedLedger.verify(dir).blocksVerified()).isEqualTo(11);
    assertThat(EmbeddedLedger.verify(dir).tornBytes()).isZero();
  }

  @Test
  void zeroFilledTailIsATornWrite() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    Files.write(blocks, Arrays.copyOf(all, all.length + 5000));
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      assertThat(ledger.height()).isEqualTo(10);
    }
    assertThat(Files.size(blocks)).isEqualTo(all.length);
  }

  @Test
  void garbageAfterTheLastBlockIsNotMistakenForATornWrite() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    byte[] bytes = Arrays.copyOf(all, all.length + 100);
    Arrays.fill(bytes, all.length, bytes.length, (byte) 0x55);
    Files.write(blocks, bytes);
    assertRefusedAt(10, "header damaged");
  }
}
