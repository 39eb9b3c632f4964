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

/**
 * Tamper evidence: any change to a complete block is reported with that block's number; a
 * damaged last block is moved aside (quarantined) and reported, never silently cut off.
 */
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

  /** Frame boundaries [start, end) of every block in the file (after the genesis frame). */
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
    return out.subList(1, out.size());
  }

  void assertQuarantinedAt(long block, String why) throws Exception {
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract());
    assertThat(report.valid()).isFalse();
    assertThat(report.firstBadBlock()).hasValue(block);
    assertThat(report.reason()).startsWith("block " + block + ":").contains(why)
        .contains("moves it aside");
    long size = Files.size(blocks);
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      assertThat(ledger.height()).isEqualTo(block);
      VerificationReport after = ledger.verify();
      assertThat(after.valid()).as("a quarantined block is reported until it is dealt with")
          .isFalse();
      assertThat(after.quarantined()).hasSize(1);
      assertThat(after.reason()).contains(after.quarantined().get(0));
    }
    Path kept = dir.resolve(EmbeddedLedger.verify(dir, new KvContract()).quarantined().get(0));
    assertThat(kept.getFileName().toString()).startsWith("blocks.mlb.quarantined-" + block + "-");
    assertThat(Files.size(kept) + Files.size(blocks)).as("nothing is lost").isEqualTo(size);
    Files.delete(kept); // the operator examined it
  }

  void assertRefusedAt(long block, String why) {
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract());
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
    VerificationReport report = EmbeddedLedger.verify(dir, new KvContract());
    assertThat(report.valid()).as(report.toString()).isTrue();
    assertThat(report.blocksVerified()).isEqualTo(10);
    assertThat(report.firstBadBlock()).isEmpty();
  }

  @Test
  void flippedByteInsideABlockBodyIsReportedForThatBlock() throws Exception {
    for (int victim : new int[] {0, 4}) {
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
  void aFlippedByteInTheLastBlockQuarantinesIt() throws Exception {
    byte[] original = Files.readAllBytes(blocks);
    long[] f = frames().get(9);
    byte[] bytes = original.clone();
    bytes[(int) (f[0] + BlockCodec.HEADER_BYTES + 40)] ^= 0x01;
    Files.write(blocks, bytes);
    assertQuarantinedAt(9, "bytes changed");
    assertThat(Files.readAllBytes(blocks)).isEqualTo(java.util.Arrays.copyOf(original,
        (int) f[0]));
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
      VerificationReport report = EmbeddedLedger.verify(dir, new KvContract());
      assertThat(report.firstBadBlock()).as("flip at byte %d", at).hasValue(victim);
    }
    Files.write(blocks, original);
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).valid()).isTrue();
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
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).tornBytes()).isEqualTo(torn.length);
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      assertThat(ledger.height()).isEqualTo(10);
      assertThat(ledger.verify().valid()).isTrue();
      assertThat(ledger.submit(doctor, "put", "k".getBytes(UTF_8), "v".getBytes(UTF_8))
          .blockNumber()).isEqualTo(10);
    }
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).blocksVerified()).isEqualTo(11);
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).tornBytes()).isZero();
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
  void garbageAfterTheLastBlockIsNotMistakenForATornWriteAndIsQuarantined() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    byte[] bytes = Arrays.copyOf(all, all.length + 100);
    Arrays.fill(bytes, all.length, bytes.length, (byte) 0x55);
    Files.write(blocks, bytes);
    assertQuarantinedAt(10, "header damaged");
  }

  @Test
  void aDamagedHeaderFollowedByBlocksIsRefusedNotQuarantined() throws Exception {
    byte[] bytes = Files.readAllBytes(blocks);
    bytes[(int) frames().get(8)[0] + 5] ^= 0x40; // block 8's length; block 9 follows
    Files.write(blocks, bytes);
    assertRefusedAt(8, "header damaged");
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).quarantined()).isEmpty();
  }

  /**
   * The torn-tail rule (d): a complete last frame whose hash does not match is an unfinished
   * write only when a 4 KiB-aligned zero run covers its stored hash (or a whole page); a zero
   * stored hash elsewhere is damage and is quarantined, not cut off.
   */
  @Test
  void aLastFrameWithALostPageIsATornWriteButAZeroedHashAloneIsNot() throws Exception {
    byte[] all = Files.readAllBytes(blocks);
    long[] last = frames().get(9);
    // pad block 9's frame with a value long enough to end past a page boundary
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      ledger.submit(doctor, "put", "big".getBytes(UTF_8), "x".repeat(9000).getBytes(UTF_8));
    }
    byte[] grown = Files.readAllBytes(blocks);
    int start = all.length;
    int end = grown.length;
    int page = (start + 4095) / 4096 * 4096;
    assertThat(page + 4096).isLessThanOrEqualTo(end);
    byte[] lost = grown.clone();
    Arrays.fill(lost, page, page + 4096, (byte) 0); // a page that never reached the disk
    Files.write(blocks, lost);
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      assertThat(ledger.height()).isEqualTo(10);
    }
    assertThat(Files.size(blocks)).isEqualTo(all.length);
    assertThat(EmbeddedLedger.verify(dir, new KvContract()).quarantined()).isEmpty();
    int lastPage = (end - 1) / 4096 * 4096;
    if (lastPage > start && lastPage <= end - BlockCodec.HASH_BYTES) {
      lost = grown.clone();
      Arrays.fill(lost, lastPage, end, (byte) 0); // the last, partial page never written
      Files.write(blocks, lost);
      try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
        assertThat(ledger.height()).isEqualTo(10);
      }
      assertThat(EmbeddedLedger.verify(dir, new KvContract()).quarantined()).isEmpty();
    }

    Files.write(blocks, all);
    byte[] zeroHash = all.clone();
    Arrays.fill(zeroHash, (int) last[1] - BlockCodec.HASH_BYTES, (int) last[1], (byte) 0);
    if ((last[1] - BlockCodec.HASH_BYTES) % 4096 != 0) { // else it would be rule (d)
      Files.write(blocks, zeroHash);
      assertQuarantinedAt(9, "bytes changed");
    }
  }
}
