package org.medledger.ledger.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.nio.file.OpenOption;
import java.util.Set;
import org.medledger.ledger.embedded.BlockCodec.Block;

/**
 * The append-only block file: framing, and telling a torn tail (a write that never finished,
 * dropped) from damage (refused, or for the last frame, quarantined). Frame 0 is the genesis,
 * frame {@code n + 1} is block {@code n}; what a frame means is checked by the scan's visitor
 * ({@link Replay}).
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

  /**
   * Opens the files the block file is made of. Production opens them owner-only ({@link
   * OwnerOnly#open}); a test may pass a layer that loses every byte not yet forced when it
   * simulates a power cut.
   */
  @FunctionalInterface
  interface Storage {
    FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException;

    Storage OWNER_ONLY = OwnerOnly::open;
  }

  static BlockFile open(Path dir, Storage storage) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    FileChannel ch = storage.open(file, java.util.EnumSet.of(StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE));
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
   * fdatasync on Linux: it flushes the data and the metadata needed to read it back (the new
   * file size, POSIX: "all data and the file attributes required to retrieve it") but not the
   * timestamps, which saves a second journal write per block. force(true) would buy nothing
   * the ledger reads back. See docs/embedded-ledger.md, "Durability".
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

  /** The (already verified) body of the frame that starts at {@code offset}, as stored. */
  byte[] body(long offset) throws IOException {
    ByteBuffer header = readFully(channel, offset, BlockCodec.HEADER_BYTES);
    header.position(4);
    int length = header.getInt();
    return readFully(channel, offset + BlockCodec.HEADER_BYTES, length).array();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Called for each frame whose header and hash are intact, in order; checks what it means.
   * Returns null when the frame is good, else why it is not (the scan stops there: that is not
   * damage but a forgery or a bad block, and is never quarantined).
   */
  @FunctionalInterface
  interface Visitor {
    String visit(long index, long offset, long frameEnd, byte[] body, byte[] hash)
        throws IOException;
  }

  /**
   * The result of a scan: how many frames verified, where the verified part ends, whether the
   * rest is a torn tail (a write that never finished, {@code tornBytes}), damage ({@code
   * badFrame}, {@code reason}; {@code damagedTail} when the damage is confined to the last frame
   * and may be quarantined), or a file of format 1.
   */
  record Scan(long frames, long validEnd, byte[] headHash, long tornBytes, Long badFrame,
      String reason, boolean damagedTail, boolean oldFormat) {
    boolean ok() {
      return badFrame == null;
    }
  }

  /**
   * Scans the frames of {@code [0, limit)} of {@code ch}. The torn-tail rule (documented in
   * docs/embedded-ledger.md): what follows the last good frame is an unfinished write, and is
   * dropped, only when (a) it is shorter than a frame header and is a prefix of the magic or all
   * zero, (b) its header is intact and announces a frame longer than what is left, (c) it is all
   * zero, or (d) its header is intact, the frame ends exactly at the end of the file, its hash
   * does not match, and it holds what a lost page write leaves: a whole 4 KiB-aligned page of
   * zeros, or zeros from a 4 KiB-aligned offset to the end of the file that cover the whole
   * stored hash. Anything else is damage.
   */
  static Scan scan(FileChannel ch, long limit, Visitor visitor) throws IOException {
    long pos = 0;
    long n = 0;
    byte[] prev = new byte[BlockCodec.HASH_BYTES];
    if (limit >= 4 && Arrays.equals(readFully(ch, 0, 4).array(), BlockCodec.MAGIC_V1)) {
      return new Scan(0, 0, prev, 0, 0L, "the block file is in format 1", false, true);
    }
    while (pos < limit) {
      long remaining = limit - pos;
      if (remaining < BlockCodec.HEADER_BYTES) {
        ByteBuffer partial = readFully(ch, pos, (int) remaining);
        if (isMagicPrefix(partial) || isZero(partial)) {
          return torn(n, pos, prev, remaining);
        }
        return damaged(n, pos, prev, "frame header damaged at byte offset " + pos, true);
      }
      ByteBuffer header = readFully(ch, pos, BlockCodec.HEADER_BYTES);
      byte[] magic = new byte[4];
      header.get(magic);
      int length = header.getInt();
      int crc = header.getInt();
      if (!Arrays.equals(magic, BlockCodec.MAGIC) || crc != BlockCodec.headerCrc(length)
          || length < 0 || length > MAX_BODY_BYTES) {
        if (isZeroRange(ch, pos, limit)) {
          return torn(n, pos, prev, remaining); // space allocated, never written
        }
        return damaged(n, pos, prev, "frame header damaged at byte offset " + pos
            + " (bytes changed, inserted or removed)", !frameHeaderAfter(ch, pos + 1, limit));
      }
      long frameEnd = pos + BlockCodec.HEADER_BYTES + length + BlockCodec.HASH_BYTES;
      if (frameEnd > limit) {
        return torn(n, pos, prev, remaining); // shorter than its header says: never finished
      }
      byte[] body = readFully(ch, pos + BlockCodec.HEADER_BYTES, length).array();
      byte[] stored = readFully(ch, pos + BlockCodec.HEADER_BYTES + length,
          BlockCodec.HASH_BYTES).array();
      byte[] hash = BlockCodec.sha256(body);
      if (!Arrays.equals(hash, stored)) {
        if (frameEnd == limit && lostPage(ch, pos, frameEnd)) {
          return torn(n, pos, prev, remaining);
        }
        return damaged(n, pos, prev, "contents do not match the block's hash (bytes changed)",
            frameEnd == limit);
      }
      if (visitor != null) {
        String why = visitor.visit(n, pos, frameEnd, body, hash);
        if (why != null) {
          return new Scan(n, pos, prev, 0, n, why, false, false);
        }
      }
      prev = hash;
      pos = frameEnd;
      n++;
    }
    return new Scan(n, pos, prev, 0, null, null, false, false);
  }

  private static Scan torn(long n, long pos, byte[] prev, long bytes) {
    return new Scan(n, pos, prev, bytes, null, null, false, false);
  }

  private static Scan damaged(long n, long pos, byte[] prev, String why, boolean lastFrame) {
    return new Scan(n, pos, prev, 0, n, why, lastFrame, false);
  }

  /**
   * Rule (d): a last frame whose hash does not match is a torn write only when it shows what a
   * lost page write leaves: a whole zero page at a 4 KiB-aligned file offset inside it, or zeros
   * from a 4 KiB-aligned offset to its end that include the whole stored hash (written last).
   */
  static boolean lostPage(FileChannel ch, long from, long to) throws IOException {
    long first = (from + PAGE - 1) / PAGE * PAGE;
    for (long page = first; page + PAGE <= to; page += PAGE) {
      if (isZero(readFully(ch, page, PAGE))) {
        return true;
      }
    }
    long lastPage = (to - 1) / PAGE * PAGE;
    return lastPage > from && lastPage <= to - BlockCodec.HASH_BYTES
        && isZeroRange(ch, lastPage, to);
  }

  /** Whether an intact frame header (magic and CRC) starts anywhere in {@code [from, limit)}. */
  private static boolean frameHeaderAfter(FileChannel ch, long from, long limit)
      throws IOException {
    final int chunk = 1 << 20;
    for (long at = from; at + BlockCodec.HEADER_BYTES <= limit; at += chunk) {
      int len = (int) Math.min(chunk + BlockCodec.HEADER_BYTES - 1, limit - at);
      ByteBuffer b = readFully(ch, at, len);
      for (int i = 0; i + BlockCodec.HEADER_BYTES <= len; i++) {
        if (b.get(i) == BlockCodec.MAGIC[0] && b.get(i + 1) == BlockCodec.MAGIC[1]
            && b.get(i + 2) == BlockCodec.MAGIC[2] && b.get(i + 3) == BlockCodec.MAGIC[3]
            && b.getInt(i + 8) == BlockCodec.headerCrc(b.getInt(i + 4))) {
          return true;
        }
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
