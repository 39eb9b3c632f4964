package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The canonical, byte-exact encoding of blocks and of their frames in the block file. The format
 * is documented in docs/embedded-ledger.md; any change here must bump {@link #FORMAT_VERSION}.
 *
 * <pre>
 * frame  = magic "MLB1" | u32 bodyLength | u32 crc32c(magic|bodyLength) | body | sha256(body)
 * </pre>
 */
final class BlockCodec {
  private BlockCodec() {}

  static final int FORMAT_VERSION = 1;
  static final byte[] MAGIC = {'M', 'L', 'B', '1'};
  static final int HEADER_BYTES = 12;
  static final int HASH_BYTES = 32;
  /** Hyperledger Fabric's TxValidationCode.VALID. */
  static final int VALID = 0;

  /** One key of a transaction's write set; {@code value == null} is a delete. */
  record Write(String key, byte[] value) {
    boolean isDelete() {
      return value == null;
    }
  }

  /** A committed transaction as stored in a block. {@code eventName} is null without event. */
  record Tx(
      String txId,
      String creatorMspId,
      String creatorCertificatePem,
      Instant timestamp,
      List<byte[]> args,
      int validationCode,
      String eventName,
      byte[] eventPayload,
      List<Write> writes) {

    String function() {
      return args.isEmpty() ? "" : new String(args.get(0), UTF_8);
    }

    boolean hasEvent() {
      return eventName != null;
    }
  }

  record Block(long number, byte[] previousHash, Instant timestamp, List<Tx> transactions) {}

  /** A block's canonical body and its SHA-256. */
  record Encoded(byte[] body, byte[] hash) {}

  static Encoded encode(Block block) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT_VERSION);
      out.writeLong(block.number());
      if (block.previousHash().length != HASH_BYTES) {
        throw new IllegalArgumentException("previous hash must be 32 bytes");
      }
      out.write(block.previousHash());
      writeInstant(out, block.timestamp());
      out.writeInt(block.transactions().size());
      for (Tx tx : block.transactions()) {
        writeString(out, tx.txId());
        writeString(out, tx.creatorMspId());
        writeString(out, tx.creatorCertificatePem());
        writeInstant(out, tx.timestamp());
        out.writeInt(tx.args().size());
        for (byte[] arg : tx.args()) {
          writeBytes(out, arg);
        }
        out.writeByte(tx.validationCode());
        if (tx.hasEvent()) {
          out.writeByte(1);
          writeString(out, tx.eventName());
          writeBytes(out, tx.eventPayload() == null ? new byte[0] : tx.eventPayload());
        } else {
          out.writeByte(0);
        }
        out.writeInt(tx.writes().size());
        for (Write w : tx.writes()) {
          writeString(out, w.key());
          if (w.isDelete()) {
            out.writeByte(1);
          } else {
            out.writeByte(0);
            writeBytes(out, w.value());
          }
        }
      }
      out.flush();
      byte[] body = bytes.toByteArray();
      return new Encoded(body, sha256(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen on a byte array
    }
  }

  /** Parses a body whose hash was already checked. Throws {@link MalformedBlockException}. */
  static Block decode(byte[] body) {
    try {
      ByteBuffer in = ByteBuffer.wrap(body);
      int version = in.get() & 0xff;
      if (version != FORMAT_VERSION) {
        throw new MalformedBlockException("unknown block format version " + version);
      }
      long number = in.getLong();
      byte[] previous = new byte[HASH_BYTES];
      in.get(previous);
      Instant timestamp = readInstant(in);
      int txCount = readCount(in);
      List<Tx> txs = new ArrayList<>(txCount);
      for (int i = 0; i < txCount; i++) {
        String txId = readString(in);
        String msp = readString(in);
        String pem = readString(in);
        Instant txTime = readInstant(in);
        int argCount = readCount(in);
        List<byte[]> args = new ArrayList<>(argCount);
        for (int a = 0; a < argCount; a++) {
          args.add(readBytes(in));
        }
        int code = in.get() & 0xff;
        String eventName = null;
        byte[] eventPayload = null;
        int hasEvent = in.get();
        if (hasEvent == 1) {
          eventName = readString(in);
          eventPayload = readBytes(in);
        } else if (hasEvent != 0) {
          throw new MalformedBlockException("bad event flag");
        }
        int writeCount = readCount(in);
        List<Write> writes = new ArrayList<>(writeCount);
        for (int w = 0; w < writeCount; w++) {
          String key = readString(in);
          int op = in.get();
          if (op == 1) {
            writes.add(new Write(key, null));
          } else if (op == 0) {
            writes.add(new Write(key, readBytes(in)));
          } else {
            throw new MalformedBlockException("bad write operation");
          }
        }
        txs.add(new Tx(txId, msp, pem, txTime, Collections.unmodifiableList(args), code,
            eventName, eventPayload, Collections.unmodifiableList(writes)));
      }
      if (in.hasRemaining()) {
        throw new MalformedBlockException(in.remaining() + " unexpected trailing bytes");
      }
      return new Block(number, previous, timestamp, Collections.unmodifiableList(txs));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedBlockException("truncated or malformed content");
    }
  }

  /** The frame bytes written to the file for one encoded block. */
  static ByteBuffer frame(Encoded encoded) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + encoded.body().length + HASH_BYTES);
    buf.put(MAGIC).putInt(encoded.body().length).putInt(headerCrc(encoded.body().length));
    buf.put(encoded.body()).put(encoded.hash());
    return buf.flip();
  }

  static int headerCrc(int bodyLength) {
    CRC32C crc = new CRC32C();
    crc.update(MAGIC);
    crc.update(ByteBuffer.allocate(4).putInt(bodyLength).array());
    return (int) crc.getValue();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant readInstant(ByteBuffer in) {
    long seconds = in.getLong();
    int nanos = in.getInt();
    if (nanos < 0 || nanos > 999_999_999) {
      throw new MalformedBlockException("bad timestamp");
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(UTF_8));
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static int readCount(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new MalformedBlockException("bad count " + n);
    }
    return n;
  }

  private static byte[] readBytes(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new MalformedBlockException("bad length " + n);
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private static String readString(ByteBuffer in) {
    return new String(readBytes(in), UTF_8);
  }

  static final class MalformedBlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedBlockException(String message) {
      super(message);
    }
  }
}
