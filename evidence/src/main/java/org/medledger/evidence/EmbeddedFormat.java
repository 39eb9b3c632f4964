package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The embedded ledger's block format (format 2, docs/embedded-ledger.md "Block file format,
 * byte for byte"), read here from its documentation rather than from the ledger module's code,
 * so the verifier checks the ledger without trusting the program that wrote it.
 */
public final class EmbeddedFormat {
  private EmbeddedFormat() {}

  static final int VERSION = 2;
  static final int KIND_GENESIS = 0;
  static final int KIND_BLOCK = 1;
  /** version, kind, number, previous hash, millis, data hash. */
  public static final int HEADER_BYTES = 1 + 1 + 8 + 32 + 8 + 32;

  /** The genesis: who signs the blocks. {@code signed} is what its self-signature covers. */
  record Genesis(String channel, Instant created, String ordererPem, byte[] signed, byte[] signature) {}

  /** A block header's fields; {@code bytes} are the exact 82 bytes the ledger signed. */
  public record Header(long number, byte[] previousHash, Instant timestamp, byte[] dataHash, byte[] bytes) {}

  /** A transaction as the block stores it. */
  record Tx(String txId, String mspId, String certificatePem, Instant timestamp, List<byte[]> args,
      byte[] signature, int validationCode) {}

  /** A whole block: its header, the ledger's signature over it, its data and transactions. */
  record Block(Header header, byte[] signature, byte[] data, List<Tx> transactions) {}

  static Genesis genesis(byte[] body) {
    try {
      ByteBuffer in = ByteBuffer.wrap(body);
      kind(in, KIND_GENESIS);
      String channel = string(in);
      Instant created = Instant.ofEpochMilli(in.getLong());
      String pem = string(in);
      byte[] signed = Arrays.copyOf(body, in.position());
      byte[] sig = bytes(in);
      end(in);
      return new Genesis(channel, created, pem, signed, sig);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new BundleFormatException("it is truncated or malformed");
    }
  }

  public static Header header(byte[] header) {
    if (header.length != HEADER_BYTES) {
      throw new BundleFormatException("a block header is " + header.length + " bytes, not " + HEADER_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(header);
    kind(in, KIND_BLOCK);
    long number = in.getLong();
    byte[] previous = new byte[32];
    in.get(previous);
    Instant time = Instant.ofEpochMilli(in.getLong());
    byte[] dataHash = new byte[32];
    in.get(dataHash);
    return new Header(number, previous, time, dataHash, header.clone());
  }

  /** Splits a block body into header, signature and data; the data are parsed. */
  static Block block(byte[] body) {
    try {
      if (body.length < HEADER_BYTES) {
        throw new BundleFormatException("it is shorter than a block header");
      }
      Header h = header(Arrays.copyOf(body, HEADER_BYTES));
      ByteBuffer in = ByteBuffer.wrap(body);
      in.position(HEADER_BYTES);
      byte[] sig = bytes(in);
      byte[] data = Arrays.copyOfRange(body, in.position(), body.length);
      return new Block(h, sig, data, transactions(data));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new BundleFormatException("it is truncated or malformed");
    }
  }

  /**
   * The transactions of a block's data. Data whose bytes were changed may not parse; the
   * caller checks the data hash first, so a parse failure then means the ledger wrote it so.
   */
  static List<Tx> transactions(byte[] data) {
    try {
      ByteBuffer in = ByteBuffer.wrap(data);
      int count = count(in);
      List<Tx> txs = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String id = string(in);
        String msp = string(in);
        String pem = string(in);
        Instant time = Instant.ofEpochMilli(in.getLong());
        int argc = count(in);
        List<byte[]> args = new ArrayList<>(argc);
        for (int a = 0; a < argc; a++) {
          args.add(bytes(in));
        }
        byte[] sig = bytes(in);
        int code = in.get() & 0xff;
        int hasEvent = in.get();
        if (hasEvent == 1) {
          string(in);
          bytes(in);
        } else if (hasEvent != 0) {
          throw new IllegalArgumentException("event flag");
        }
        int writes = count(in);
        for (int w = 0; w < writes; w++) {
          string(in);
          int op = in.get();
          if (op == 0) {
            bytes(in);
          } else if (op != 1) {
            throw new IllegalArgumentException("write op");
          }
        }
        txs.add(new Tx(id, msp, pem, time, List.copyOf(args), sig, code));
      }
      end(in);
      return txs;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null; // unreadable: reported by the caller with the block's number
    }
  }

  /** What a submitter signed (docs/embedded-ledger.md "Signatures"): "MLPR" ‖ channel ‖ … ‖ args. */
  static byte[] proposal(String channel, String chaincode, Tx tx) {
    return write(out -> {
      out.write(new byte[] {'M', 'L', 'P', 'R'});
      str(out, channel);
      str(out, chaincode);
      str(out, tx.txId());
      out.writeLong(tx.timestamp().toEpochMilli());
      str(out, tx.mspId());
      str(out, tx.certificatePem());
      out.writeInt(tx.args().size());
      for (byte[] a : tx.args()) {
        out.writeInt(a.length);
        out.write(a);
      }
    });
  }

  /** A signed checkpoint's bytes: "MLCP" ‖ channel ‖ u64 block ‖ hash. */
  static byte[] checkpoint(String channel, long block, byte[] hash) {
    return write(out -> {
      out.write(new byte[] {'M', 'L', 'C', 'P'});
      str(out, channel);
      out.writeLong(block);
      out.write(hash);
    });
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Body b) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      b.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static void kind(ByteBuffer in, int kind) {
    int v = in.get() & 0xff;
    int k = in.get() & 0xff;
    if (v != VERSION || k != kind) {
      throw new BundleFormatException("not a block of the embedded ledger's format 2 (version " + v + ", kind " + k + ")");
    }
  }

  private static void end(ByteBuffer in) {
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("trailing bytes");
    }
  }

  private static int count(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("count");
    }
    return n;
  }

  private static byte[] bytes(ByteBuffer in) {
    byte[] b = new byte[count(in)];
    in.get(b);
    return b;
  }

  private static String string(ByteBuffer in) {
    return new String(bytes(in), UTF_8);
  }
}
