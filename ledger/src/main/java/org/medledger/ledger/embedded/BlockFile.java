package org.medledger.ledger.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.medledger.ledger.embedded.BlockCodec.Block;
import org.medledger.ledger.embedded.BlockCodec.MalformedBlockException;

/**
 * The append-only block file: framing, torn-tail detection and the hash-chain check. Blocks are
 * numbered by their position; block {@code n} links to the SHA-256 of block {@code n-1}.
 */
final class BlockFile implements AutoCloseable {
  static final String FILE_NAME = "blocks.mlb";
  /** Frames larger than this are refused as damage, not read into memory. */
  static final int MAX_BODY_BYTES = 256 * 1024 * 1024;
  private static final int PAGE = 4096;

  private final FileChannel channel;

  private BlockFile(FileChannel channel) {
    this.channel = channel;
  }

  static BlockFile open(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    FileChannel ch = OwnerOnly.open(file, java.util.EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE));
    return new BlockFile(ch);
  }

  FileChannel channel() {
    return channel;
  }

  long size() throws IOException {
    return channel.size();
  }

  /**
   * The frame did not reach the file, and the file was cut back to the size it had before the
   * write was attempted: every block before it is intact, and the next frame can be written at
   * the same position.
   */
  static final class NotWrittenException extends IOException {
    private static final long serialVersionUID = 1L;

    NotWrittenException(Throwable cause) {
      super("the block was not written (" + describe(cause) + "); the file was cut back", cause);
    }
  }

  /** Failures injected by tests; production uses {@link #NO_FAULTS}. */
  interface Faults {
    /** Before the frame is written; may write part of it itself and then throw. */
    default void beforeWrite(FileChannel ch, long position, ByteBuffer frame) throws IOException {}

    default void beforeForce() throws IOException {}

    default void beforeTruncate() throws IOException {}
  }

  static final Faults NO_FAULTS = new Faults() {};

  private volatile Faults faults = NO_FAULTS;

  void injectFaults(Faults f) {
    faults = f == null ? NO_FAULTS : f;
  }

  /**
   * Writes {@code frame} at {@code position} and forces it to the disk. force(false) is
   * fdatasync: it flushes the data and the metadata needed to read it back (the new file size)
   * but not timestamps, which saves a second journal write per block.
   *
   * <p>A failing write (disk full, an Error thrown on the way) is undone: the file is truncated
   * back to {@code position} and forced, then {@link NotWrittenException} says the ledger may
   * go on. Without that cut, a shorter next block would leave the torn rest of this frame
   * behind it, and the next start would see damage instead of a torn tail. If the cut itself
   * fails, or if the fsync fails (after a failed fsync Linux may drop the dirty pages and report
   * success the next time, so nothing written since the last good fsync can be trusted), a plain
   * {@link IOException} is thrown and the caller must stop writing.
   */
  void appendAndForce(long position, ByteBuffer frame) throws IOException {
    try {
      faults.beforeWrite(channel, position, frame);
      long at = position;
      while (frame.hasRemaining()) {
        at += channel.write(frame, at);
      }
    } catch (IOException | RuntimeException | Error e) {
      try {
        faults.beforeTruncate();
        truncate(position);
        if (channel.size() != position) {
          throw new IOException("the block file is " + channel.size() + " bytes after cutting it"
              + " back to " + position);
        }
      } catch (IOException | RuntimeException | Error t) {
        IOException stop = new IOException("a block write failed (" + describe(e)
            + ") and the file could not be cut back (" + describe(t) + ")", e);
        stop.addSuppressed(t);
        throw stop;
      }
      throw new NotWrittenException(e);
    }
    faults.beforeForce();
    channel.force(false);
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  void truncate(long size) throws IOException {
    channel.truncate(size);
    channel.force(true);
  }

  /** Reads the (already verified) block whose frame starts at {@code offset}. */
  Block read(long offset) throws IOException {
    ByteBuffer header = readFully(channel, offset, BlockCodec.HEADER_BYTES);
    header.position(4);
    int length = header.getInt();
    return BlockCodec.decode(readFully(channel, offset + BlockCodec.HEADER_BYTES, length).array());
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Called for each block that passed every check, in order. */
  @FunctionalInterface
  interface Visitor {
    void visit(long offset, long frameEnd, Block block, byte[] hash) throws IOException;
  }

  /**
   * The result of a scan: how many blocks verified, where the verified part ends, whether the
   * rest is an incomplete trailing frame (a write that was never acknowledged) or damage.
   */
  record Scan(long blocks, long validEnd, byte[] headHash, long tornBytes, Long badBlock,
      String reason) {
    boolean ok() {
      return badBlock == null;
    }
  }

  /** Verifies frames, hashes and links of {@code [0, limit)} of {@code ch}. */
  static Scan scan(FileChannel ch, long limit, Visitor visitor) throws IOException {
    long pos = 0;
    long n = 0;
    byte[] prev = new byte[BlockCodec.HASH_BYTES];
    while (pos < limit) {
      long remaining = limit - pos;
      if (remaining < BlockCodec.HEADER_BYTES) {
        ByteBuffer partial = readFully(ch, pos, (int) remaining);
        if (isMagicPrefix(partial) || isZero(partial)) {
          return new Scan(n, pos, prev, remaining, null, null);
        }
        return bad(n, pos, prev, "frame header damaged at byte offset " + pos);
      }
      ByteBuffer header = readFully(ch, pos, BlockCodec.HEADER_BYTES);
      byte[] magic = new byte[4];
      header.get(magic);
      int length = header.getInt();
      int crc = header.getInt();
      if (!Arrays.equals(magic, BlockCodec.MAGIC) || crc != BlockCodec.headerCrc(length)
          || length < 0 || length > MAX_BODY_BYTES) {
        if (isZeroRange(ch, pos, limit)) {
          return new Scan(n, pos, prev, remaining, null, null); // space allocated, never written
        }
        return bad(n, pos, prev, "frame header damaged at byte offset " + pos
            + " (bytes changed, inserted or removed)");
      }
      long frameEnd = pos + BlockCodec.HEADER_BYTES + length + BlockCodec.HASH_BYTES;
      if (frameEnd > limit) {
        return new Scan(n, pos, prev, remaining, null, null); // torn: never acknowledged
      }
      byte[] body = readFully(ch, pos + BlockCodec.HEADER_BYTES, length).array();
      byte[] stored = readFully(ch, pos + BlockCodec.HEADER_BYTES + length,
          BlockCodec.HASH_BYTES).array();
      byte[] hash = BlockCodec.sha256(body);
      if (!Arrays.equals(hash, stored)) {
        if (frameEnd == limit && looksUnwritten(ch, pos, frameEnd, stored)) {
          return new Scan(n, pos, prev, remaining, null, null);
        }
        return bad(n, pos, prev, "contents do not match the block's hash (bytes changed)");
      }
      Block block;
      try {
        block = BlockCodec.decode(body);
      } catch (MalformedBlockException e) {
        return bad(n, pos, prev, "malformed content: " + e.getMessage());
      }
      if (block.number() != n) {
        return bad(n, pos, prev, block.number() > n
            ? "found block " + block.number() + " where block " + n
                + " was expected (a block was removed)"
            : "found block " + block.number() + " where block " + n
                + " was expected (a block was inserted or duplicated)");
      }
      if (!Arrays.equals(block.previousHash(), prev)) {
        return bad(n, pos, prev, "its previous-block hash does not match block " + (n - 1)
            + " (a block was changed, inserted or removed before it)");
      }
      if (visitor != null) {
        visitor.visit(pos, frameEnd, block, hash);
      }
      prev = hash;
      pos = frameEnd;
      n++;
    }
    return new Scan(n, pos, prev, 0, null, null);
  }

  private static Scan bad(long n, long pos, byte[] prev, String why) {
    return new Scan(n, pos, prev, 0, n, "block " + n + ": " + why);
  }

  /**
   * A last frame whose hash does not match is a torn write, not tampering, only when it shows
   * the signature of a crash: its hash (written last) is zero, or it holds a whole zero page
   * that the file system allocated but never wrote.
   */
  private static boolean looksUnwritten(FileChannel ch, long from, long to, byte[] storedHash)
      throws IOException {
    if (isZero(ByteBuffer.wrap(storedHash))) {
      return true;
    }
    long page = (from + PAGE - 1) / PAGE * PAGE;
    for (; page + PAGE <= to; page += PAGE) {
      if (isZero(readFully(ch, page, PAGE))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isMagicPrefix(ByteBuffer b) {
    for (int i = 0; i < Math.min(b.limit(), 4); i++) {
      if (b.get(i) != BlockCodec.MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isZero(ByteBuffer b) {
    for (int i = 0; i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isZeroRange(FileChannel ch, long from, long to) throws IOException {
    for (long p = from; p < to; p += PAGE) {
      if (!isZero(readFully(ch, p, (int) Math.min(PAGE, to - p)))) {
        return false;
      }
    }
    return true;
  }

  static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    long at = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, at);
      if (r < 0) {
        throw new IOException("unexpected end of block file at byte " + at);
      }
      at += r;
    }
    return buf.flip();
  }
}
