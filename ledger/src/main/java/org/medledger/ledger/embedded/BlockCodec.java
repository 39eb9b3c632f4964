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
 * The canonical, byte-exact encoding of the genesis, of blocks and of their frames in the block
 * file, and of the bytes that are signed (a transaction's proposal, a block's header, a
 * checkpoint). The format is documented in docs/embedded-ledger.md; any change here must bump
 * {@link #FORMAT_VERSION}.
 *
 * <pre>
 * frame  = magic "MLB2" | u32 bodyLength | u32 crc32c(magic|bodyLength) | body | sha256(body)
 * </pre>
 */
final class BlockCodec {
  private BlockCodec() {}

  static final int FORMAT_VERSION = 2;
  static final byte[] MAGIC = {'M', 'L', 'B', '2'};
  /** The magic of format 1 (blocks without signatures), refused with a message saying what to do. */
  static final byte[] MAGIC_V1 = {'M', 'L', 'B', '1'};
  static final int KIND_GENESIS = 0;
  static final int KIND_BLOCK = 1;
  static final int HEADER_BYTES = 12;
  static final int HASH_BYTES = 32;
  /** Hyperledger Fabric's TxValidationCode.VALID. */
  static final int VALID = 0;
  /** Domain separation: a signature over one kind of bytes is never valid for another. */
  private static final byte[] PROPOSAL_TAG = {'M', 'L', 'P', 'R'};
  private static final byte[] CHECKPOINT_TAG = {'M', 'L', 'C', 'P'};

  /** One key of a transaction's write set; {@code value == null} is a delete. */
  record Write(String key, byte[] value) {
    boolean isDelete() {
      return value == null;
    }
  }

  /**
   * A committed transaction as stored in a block. {@code eventName} is null without event.
   * {@code signature} is the creator's ECDSA P-256 / SHA-256 signature (DER) over {@link
   * #proposal}; {@code timestamp} has millisecond precision.
   */
  record Tx(
      String txId,
      String creatorMspId,
      String creatorCertificatePem,
      Instant timestamp,
      List<byte[]> args,
      byte[] signature,
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

  /**
   * A block. {@code signature} is the ledger's (orderer's) signature over {@link #header}; null
   * before it is signed.
   */
  record Block(long number, byte[] previousHash, Instant timestamp, List<Tx> transactions,
      byte[] signature) {}

  /** What the file's first frame holds: who signs the blocks. */
  record Genesis(String channelId, Instant created, String ordererCertificatePem,
      byte[] signature) {}

  /** A block's canonical body and its SHA-256. */
  record Encoded(byte[] body, byte[] hash) {}

  /** A decoded block with the exact header bytes its signature covers. */
  record Decoded(Block block, byte[] header) {}

  /** Signs bytes with the ledger's key. */
  @FunctionalInterface
  interface Signer {
    byte[] sign(byte[] data);
  }

  /**
   * The bytes a submitter signs, as Fabric's signed proposal binds channel, chaincode, function
   * and arguments, transaction id, timestamp and creator: {@code "MLPR" | str channel | str
   * chaincode | str txId | i64 millis | str creatorMspId | str creatorCertificatePem | u32
   * argCount | bytes* }.
   */
  static byte[] proposal(String channelId, String chaincode, String txId, Instant timestamp,
      String creatorMspId, String creatorPem, List<byte[]> args) {
    return bytes(out -> {
      out.write(PROPOSAL_TAG);
      writeString(out, channelId);
      writeString(out, chaincode);
      writeString(out, txId);
      out.writeLong(timestamp.toEpochMilli());
      writeString(out, creatorMspId);
      writeString(out, creatorPem);
      out.writeInt(args.size());
      for (byte[] a : args) {
        writeBytes(out, a);
      }
    });
  }

  /** The bytes of a signed checkpoint: {@code "MLCP" | str channel | u64 blockNumber | hash}. */
  static byte[] checkpoint(String channelId, long blockNumber, byte[] blockHash) {
    return bytes(out -> {
      out.write(CHECKPOINT_TAG);
      writeString(out, channelId);
      out.writeLong(blockNumber);
      out.write(blockHash);
    });
  }

  /** The genesis body, signed by the key whose certificate it holds (self-signed). */
  static Encoded encodeGenesis(Genesis g, Signer signer) {
    byte[] signed = genesisSigned(g);
    byte[] sig = g.signature() != null ? g.signature() : signer.sign(signed);
    byte[] body = bytes(out -> {
      out.write(signed);
      writeBytes(out, sig);
    });
    return new Encoded(body, sha256(body));
  }

  private static byte[] genesisSigned(Genesis g) {
    return bytes(out -> {
      out.writeByte(FORMAT_VERSION);
      out.writeByte(KIND_GENESIS);
      writeString(out, g.channelId());
      out.writeLong(g.created().toEpochMilli());
      writeString(out, g.ordererCertificatePem());
    });
  }

  /** Parses a genesis body; also returns the bytes its signature covers. */
  static Genesis decodeGenesis(byte[] body, byte[][] signedOut) {
    try {
      ByteBuffer in = ByteBuffer.wrap(body);
      checkVersion(in, KIND_GENESIS);
      String channel = readString(in);
      Instant created = readMillis(in);
      String pem = readString(in);
      int signedEnd = in.position();
      byte[] sig = readBytes(in);
      if (in.hasRemaining()) {
        throw new MalformedBlockException(in.remaining() + " unexpected trailing bytes");
      }
      signedOut[0] = java.util.Arrays.copyOf(body, signedEnd);
      return new Genesis(channel, created, pem, sig);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedBlockException("truncated or malformed content");
    }
  }

  /**
   * Encodes a block: {@code header = u8 version | u8 kind 1 | u64 number | previousHash | i64
   * millis | dataHash}, {@code body = header | bytes signature | data}, where {@code data = u32
   * txCount | tx*} and {@code dataHash = SHA-256(data)}. The block's own signature is kept when
   * it has one (re-encoding a stored block), else made by {@code signer}.
   */
  static Encoded encode(Block block, Signer signer) {
    if (block.previousHash().length != HASH_BYTES) {
      throw new IllegalArgumentException("previous hash must be 32 bytes");
    }
    byte[] data = bytes(out -> {
      out.writeInt(block.transactions().size());
      for (Tx tx : block.transactions()) {
        writeTx(out, tx);
      }
    });
    byte[] header = header(block.number(), block.previousHash(), block.timestamp(), sha256(data));
    byte[] sig = block.signature() != null ? block.signature() : signer.sign(header);
    byte[] body = bytes(out -> {
      out.write(header);
      writeBytes(out, sig);
      out.write(data);
    });
    return new Encoded(body, sha256(body));
  }

  static byte[] header(long number, byte[] previousHash, Instant timestamp, byte[] dataHash) {
    return bytes(out -> {
      out.writeByte(FORMAT_VERSION);
      out.writeByte(KIND_BLOCK);
      out.writeLong(number);
      out.write(previousHash);
      out.writeLong(timestamp.toEpochMilli());
      out.write(dataHash);
    });
  }

  private static void writeTx(DataOutputStream out, Tx tx) throws IOException {
    writeString(out, tx.txId());
    writeString(out, tx.creatorMspId());
    writeString(out, tx.creatorCertificatePem());
    out.writeLong(tx.timestamp().toEpochMilli());
    out.writeInt(tx.args().size());
    for (byte[] arg : tx.args()) {
      writeBytes(out, arg);
    }
    writeBytes(out, tx.signature());
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

  /** Parses a block body whose hash was already checked. Throws {@link MalformedBlockException}. */
  static Block decode(byte[] body) {
    return decodeWithHeader(body).block();
  }

  static Decoded decodeWithHeader(byte[] body) {
    try {
      ByteBuffer in = ByteBuffer.wrap(body);
      checkVersion(in, KIND_BLOCK);
      long number = in.getLong();
      byte[] previous = new byte[HASH_BYTES];
      in.get(previous);
      Instant timestamp = readMillis(in);
      byte[] dataHash = new byte[HASH_BYTES];
      in.get(dataHash);
      byte[] header = java.util.Arrays.copyOf(body, in.position());
      byte[] signature = readBytes(in);
      int dataStart = in.position();
      if (!java.util.Arrays.equals(dataHash, sha256(java.util.Arrays.copyOfRange(body, dataStart,
          body.length)))) {
        throw new MalformedBlockException("its transactions do not match the data hash in its"
            + " header");
      }
      int txCount = readCount(in);
      List<Tx> txs = new ArrayList<>(txCount);
      for (int i = 0; i < txCount; i++) {
        String txId = readString(in);
        String msp = readString(in);
        String pem = readString(in);
        Instant txTime = readMillis(in);
        int argCount = readCount(in);
        List<byte[]> args = new ArrayList<>(argCount);
        for (int a = 0; a < argCount; a++) {
          args.add(readBytes(in));
        }
        byte[] txSignature = readBytes(in);
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
        txs.add(new Tx(txId, msp, pem, txTime, Collections.unmodifiableList(args), txSignature,
            code, eventName, eventPayload, Collections.unmodifiableList(writes)));
      }
      if (in.hasRemaining()) {
        throw new MalformedBlockException(in.remaining() + " unexpected trailing bytes");
      }
      return new Decoded(new Block(number, previous, timestamp,
          Collections.unmodifiableList(txs), signature), header);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedBlockException("truncated or malformed content");
    }
  }

  private static void checkVersion(ByteBuffer in, int kind) {
    int version = in.get() & 0xff;
    if (version != FORMAT_VERSION) {
      throw new MalformedBlockException("unknown block format version " + version);
    }
    int k = in.get() & 0xff;
    if (k != kind) {
      throw new MalformedBlockException(k == KIND_GENESIS ? "a second genesis"
          : k == KIND_BLOCK ? "a block where the genesis belongs" : "unknown kind " + k);
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

  private static Instant readMillis(ByteBuffer in) {
    try {
      return Instant.ofEpochMilli(in.getLong());
    } catch (java.time.DateTimeException e) {
      throw new MalformedBlockException("bad timestamp");
    }
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] bytes(Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      DataOutputStream out = new DataOutputStream(bytes);
      body.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen on a byte array
    }
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
