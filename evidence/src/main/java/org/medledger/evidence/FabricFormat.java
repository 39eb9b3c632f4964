package org.medledger.evidence;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeInvocationSpec;
import org.hyperledger.fabric.protos.peer.ChaincodeProposalPayload;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Transaction;

/**
 * Hyperledger Fabric's block and transaction messages, as a peer's qscc returns them
 * ({@code GetBlockByNumber}): how a block's hash and data hash are computed, and where a
 * transaction keeps its creator, signature, endorsements and chaincode arguments.
 */
final class FabricFormat {
  private FabricFormat() {}

  /** An identity as Fabric serializes it: MSP id and PEM certificate. */
  record Identity(String mspId, String certificatePem) {}

  /** An endorsement: the endorsing peer and its signature over the response payload ‖ endorser. */
  record Endorsed(Identity endorser, byte[] signed, byte[] signature) {}

  /**
   * A transaction found in a block: its index in the block, its validation code, the creator,
   * the creator's signature over {@code payload}, the endorsements and the chaincode arguments.
   */
  record Found(int index, int validationCode, String channel, Instant timestamp, Identity creator, byte[] payload,
      byte[] signature, List<Endorsed> endorsements, List<byte[]> args) {}

  static Block block(byte[] bytes) {
    try {
      return Block.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new BundleFormatException("it is not a readable Fabric block");
    }
  }

  static BlockHeader header(byte[] bytes) {
    try {
      return BlockHeader.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new BundleFormatException("its header is not a readable Fabric block header");
    }
  }

  /**
   * Fabric's block hash (protoutil.BlockHeaderHash): SHA-256 of the DER sequence {INTEGER number,
   * OCTET STRING previous hash, OCTET STRING data hash}; the next block's previous hash is it.
   */
  static byte[] hash(BlockHeader h) {
    return Verifying.sha256(headerBytes(h));
  }

  /** The DER bytes of a header that orderers sign and that hash to the block hash. */
  static byte[] headerBytes(BlockHeader h) {
    ByteArrayOutputStream seq = new ByteArrayOutputStream();
    der(seq, 0x02, integer(h.getNumber()));
    der(seq, 0x04, h.getPreviousHash().toByteArray());
    der(seq, 0x04, h.getDataHash().toByteArray());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    der(out, 0x30, seq.toByteArray());
    return out.toByteArray();
  }

  /** One orderer's signature on a block (metadata SIGNATURES): who, and over which bytes. */
  record OrdererSignature(Identity orderer, byte[] signed, byte[] signature) {}

  /**
   * The orderers' signatures in a block's metadata (Fabric 2.5, protoutil's block signature
   * check): each over {@code metadata value ‖ signature header ‖ DER(header)}. Signatures made
   * with an identifier header instead (BFT orderers) are not returned.
   */
  static List<OrdererSignature> ordererSignatures(BlockHeader h, org.hyperledger.fabric.protos.common.BlockMetadata md) {
    List<OrdererSignature> out = new ArrayList<>();
    if (md.getMetadataCount() <= BlockMetadataIndex.SIGNATURES_VALUE) {
      return out;
    }
    try {
      org.hyperledger.fabric.protos.common.Metadata m =
          org.hyperledger.fabric.protos.common.Metadata.parseFrom(md.getMetadata(BlockMetadataIndex.SIGNATURES_VALUE));
      byte[] header = headerBytes(h);
      for (org.hyperledger.fabric.protos.common.MetadataSignature s : m.getSignaturesList()) {
        if (s.getSignatureHeader().isEmpty()) {
          continue;
        }
        SignatureHeader sh = SignatureHeader.parseFrom(s.getSignatureHeader());
        byte[] signed = concat(concat(m.getValue().toByteArray(), s.getSignatureHeader().toByteArray()), header);
        out.add(new OrdererSignature(identity(sh.getCreator()), signed, s.getSignature().toByteArray()));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new BundleFormatException("its metadata are not readable");
    }
    return out;
  }

  static org.hyperledger.fabric.protos.common.BlockMetadata metadata(byte[] bytes) {
    try {
      return org.hyperledger.fabric.protos.common.BlockMetadata.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new BundleFormatException("its metadata are not readable");
    }
  }

  /** Fabric's data hash (protoutil.BlockDataHash): SHA-256 of the block's envelopes, concatenated. */
  static byte[] dataHash(Block b) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (ByteString d : b.getData().getDataList()) {
      all.writeBytes(d.toByteArray());
    }
    return Verifying.sha256(all.toByteArray());
  }

  private static byte[] integer(long v) {
    byte[] b = java.math.BigInteger.valueOf(v).toByteArray(); // minimal two's complement, as DER wants
    return b;
  }

  private static void der(ByteArrayOutputStream out, int tag, byte[] value) {
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      byte[] len = java.math.BigInteger.valueOf(n).toByteArray();
      int skip = len[0] == 0 ? 1 : 0;
      out.write(0x80 | (len.length - skip));
      out.write(len, skip, len.length - skip);
    }
    out.write(value, 0, n);
  }

  /** The transaction {@code txId} of a block, or null when the block holds none of that id. */
  static Found find(byte[] blockBytes, String txId) {
    Block b = block(blockBytes);
    byte[] filter = b.getMetadata().getMetadataCount() > BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE
        ? b.getMetadata().getMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE).toByteArray() : new byte[0];
    for (int i = 0; i < b.getData().getDataCount(); i++) {
      try {
        Envelope env = Envelope.parseFrom(b.getData().getData(i));
        Payload payload = Payload.parseFrom(env.getPayload());
        ChannelHeader ch = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
        if (!ch.getTxId().equals(txId)) {
          continue;
        }
        SignatureHeader sh = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
        Identity creator = identity(sh.getCreator());
        Transaction tx = Transaction.parseFrom(payload.getData());
        List<Endorsed> endorsements = new ArrayList<>();
        List<byte[]> args = new ArrayList<>();
        if (tx.getActionsCount() > 0) {
          ChaincodeActionPayload cap = ChaincodeActionPayload.parseFrom(tx.getActions(0).getPayload());
          byte[] prp = cap.getAction().getProposalResponsePayload().toByteArray();
          for (Endorsement e : cap.getAction().getEndorsementsList()) {
            byte[] signed = concat(prp, e.getEndorser().toByteArray());
            endorsements.add(new Endorsed(identity(e.getEndorser()), signed, e.getSignature().toByteArray()));
          }
          ChaincodeProposalPayload cpp = ChaincodeProposalPayload.parseFrom(cap.getChaincodeProposalPayload());
          ChaincodeInvocationSpec spec = ChaincodeInvocationSpec.parseFrom(cpp.getInput());
          for (ByteString a : spec.getChaincodeSpec().getInput().getArgsList()) {
            args.add(a.toByteArray());
          }
        }
        int code = i < filter.length ? filter[i] & 0xff : -1;
        Instant time = Instant.ofEpochSecond(ch.getTimestamp().getSeconds(), ch.getTimestamp().getNanos());
        return new Found(i, code, ch.getChannelId(), time, creator, env.getPayload().toByteArray(),
            env.getSignature().toByteArray(), endorsements, args);
      } catch (InvalidProtocolBufferException e) {
        continue; // not a transaction this verifier reads (e.g. a configuration envelope)
      }
    }
    return null;
  }

  private static Identity identity(ByteString serialized) throws InvalidProtocolBufferException {
    SerializedIdentity id = SerializedIdentity.parseFrom(serialized);
    return new Identity(id.getMspid(), id.getIdBytes().toStringUtf8());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
