package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.medledger.ledger.embedded.BlockCodec.Block;
import org.medledger.ledger.embedded.BlockCodec.Decoded;
import org.medledger.ledger.embedded.BlockCodec.Genesis;
import org.medledger.ledger.embedded.BlockCodec.MalformedBlockException;
import org.medledger.ledger.embedded.BlockCodec.Tx;
import org.medledger.ledger.embedded.BlockCodec.Write;

/**
 * Replays the block file as evidence: the genesis's self-signature; for every block its number,
 * its link, the ledger's signature on its header; for every transaction that its creator's
 * certificate was issued by the CA of the MSP it names and was valid at the transaction's time,
 * that the creator signed the proposal, that its id is new, and that the chaincode, run again
 * against the replayed state, accepts it and writes exactly the stored write set and event. The
 * world state is rebuilt from these re-executions. {@code open} and {@code verify} both run it.
 */
final class Replay {
  /** Receives every block that passed, in order (open builds its index from them). */
  @FunctionalInterface
  interface Sink {
    void block(long offset, long frameEnd, Block block, byte[] hash);
  }

  /**
   * What the replay found.
   *
   * @param blocks blocks that passed, from block 0
   * @param genesisOk whether the genesis passed
   * @param headHash hash of the last good block (of the genesis when there is none)
   * @param validEnd where the good part of the file ends
   * @param tornBytes bytes of a torn tail (an unfinished write)
   * @param reason why the replay stopped ("block 7: ...", "the genesis: ..."), null when it did
   *     not
   * @param badBlock the block that failed, -1 for the genesis, null when none failed
   * @param badTransaction the transaction that failed, null when none (or none in particular)
   * @param damagedTail the failure is damage confined to the last frame (may be quarantined)
   * @param oldFormat the file is of format 1
   * @param ordererCertificate the ledger's certificate, from the genesis (null without one)
   * @param genesisEnd where the genesis frame ends
   * @param genesisHash the genesis frame's hash, which block 0 links to
   */
  record Result(long blocks, boolean genesisOk, byte[] headHash, long validEnd, long tornBytes,
      String reason, Long badBlock, String badTransaction, boolean damagedTail,
      boolean oldFormat, X509Certificate ordererCertificate, long genesisEnd,
      byte[] genesisHash) {
    boolean ok() {
      return reason == null;
    }
  }

  private final Path caRoot;
  private final ContractDispatcher dispatcher;
  private final String peerMspId;
  private final WorldState state;
  private final Sink sink;
  private final Set<String> txIds = new HashSet<>();
  private final Map<String, X509Certificate> authorities = new HashMap<>();
  private final Map<String, X509Certificate> creators = new HashMap<>();
  private X509Certificate orderer;
  private byte[] previous;
  private String badTransaction;
  private long genesisEnd;
  private byte[] genesisHash;

  private Replay(Path caRoot, ContractDispatcher dispatcher, String peerMspId, WorldState state,
      Sink sink) {
    this.caRoot = caRoot;
    this.dispatcher = dispatcher;
    this.peerMspId = peerMspId;
    this.state = state;
    this.sink = sink;
  }

  /** Replays {@code [0, limit)} of {@code ch} into {@code state}. */
  static Result run(FileChannel ch, long limit, Path caRoot, ContractDispatcher dispatcher,
      String peerMspId, WorldState state, Sink sink) throws IOException {
    Replay r = new Replay(caRoot, dispatcher, peerMspId, state, sink);
    BlockFile.Scan scan = BlockFile.scan(ch, limit, r::visit);
    long frames = scan.frames();
    long blocks = Math.max(0, frames - 1);
    String reason = scan.reason();
    Long bad = scan.badFrame() == null ? null : scan.badFrame() - 1;
    if (reason != null && !reason.startsWith("block ") && !reason.startsWith("the genesis")) {
      reason = (bad == -1 ? "the genesis: " : "block " + bad + ": ") + reason;
    }
    return new Result(blocks, frames > 0, scan.headHash(), scan.validEnd(), scan.tornBytes(),
        reason, bad, scan.ok() ? null : r.badTransaction, scan.damagedTail(), scan.oldFormat(),
        r.orderer, r.genesisEnd, r.genesisHash);
  }

  private String visit(long index, long offset, long frameEnd, byte[] body, byte[] hash) {
    String why = index == 0 ? genesis(body) : block(index - 1, offset, frameEnd, body, hash);
    if (why == null) {
      previous = hash;
      if (index == 0) {
        genesisEnd = frameEnd;
        genesisHash = hash;
      }
    }
    return why;
  }

  private String genesis(byte[] body) {
    byte[][] signed = new byte[1][];
    Genesis g;
    try {
      g = BlockCodec.decodeGenesis(body, signed);
    } catch (MalformedBlockException e) {
      return "the genesis: malformed content: " + e.getMessage();
    }
    if (!EmbeddedLedger.CHANNEL_ID.equals(g.channelId())) {
      return "the genesis: it names channel '" + g.channelId() + "', not '"
          + EmbeddedLedger.CHANNEL_ID + "'";
    }
    X509Certificate cert;
    try {
      cert = EmbeddedCertificateAuthority.parsePem(g.ordererCertificatePem());
    } catch (IllegalArgumentException e) {
      return "the genesis: the ledger's certificate cannot be read";
    }
    if (!OrdererKey.verify(cert, signed[0], g.signature())) {
      return "the genesis: its signature does not verify with the certificate it records";
    }
    orderer = cert;
    return null;
  }

  private String block(long n, long offset, long frameEnd, byte[] body, byte[] hash) {
    String at = "block " + n + ": ";
    Decoded d;
    try {
      d = BlockCodec.decodeWithHeader(body);
    } catch (MalformedBlockException e) {
      return at + "malformed content: " + e.getMessage();
    }
    Block block = d.block();
    if (block.number() != n) {
      return at + (block.number() > n
          ? "found block " + block.number() + " where block " + n
              + " was expected (a block was removed)"
          : "found block " + block.number() + " where block " + n
              + " was expected (a block was inserted or duplicated)");
    }
    if (!Arrays.equals(block.previousHash(), previous)) {
      return at + "its previous-block hash does not match " + (n == 0 ? "the genesis"
          : "block " + (n - 1)) + " (a block was changed, inserted or removed before it)";
    }
    if (!OrdererKey.verify(orderer, d.header(), block.signature())) {
      return at + "the ledger's signature on its header does not verify (the block was not"
          + " made by this ledger's key)";
    }
    WorldState.Overlay overlay = new WorldState.Overlay(state.committed);
    for (Tx tx : block.transactions()) {
      String why = transaction(tx, overlay);
      if (why != null) {
        badTransaction = tx.txId();
        return "block " + n + ", transaction " + tx.txId() + ": " + why;
      }
    }
    for (Tx tx : block.transactions()) {
      state.apply(tx.writes());
    }
    if (sink != null) {
      sink.block(offset, frameEnd, block, hash);
    }
    return null;
  }

  private String transaction(Tx tx, WorldState.Overlay overlay) {
    if (tx.validationCode() != BlockCodec.VALID) {
      return "validation code " + tx.validationCode() + " (only valid transactions are stored)";
    }
    if (!txIds.add(tx.txId())) {
      return "its id appears earlier in the ledger (a transaction was replayed)";
    }
    String member = member(tx);
    if (member != null) {
      return member;
    }
    byte[] proposal = BlockCodec.proposal(EmbeddedLedger.CHANNEL_ID,
        EmbeddedLedger.CHAINCODE_NAME, tx.txId(), tx.timestamp(), tx.creatorMspId(),
        tx.creatorCertificatePem(), tx.args());
    if (!OrdererKey.verify(creators.get(tx.creatorCertificatePem()), proposal, tx.signature())) {
      return "its creator's signature does not verify (the creator did not submit it)";
    }
    byte[] creator = SerializedIdentity.newBuilder()
        .setMspid(tx.creatorMspId())
        .setIdBytes(ByteString.copyFromUtf8(tx.creatorCertificatePem()))
        .build()
        .toByteArray();
    EmbeddedStub stub = new EmbeddedStub(EmbeddedLedger.CHANNEL_ID, tx.txId(), tx.args(),
        tx.timestamp(), creator, peerMspId, overlay);
    ContractDispatcher.Outcome outcome;
    try {
      outcome = dispatcher.invoke(stub);
    } catch (RuntimeException | Error e) {
      return "the chaincode failed when run again (" + e.getClass().getSimpleName() + ")";
    }
    if (!outcome.ok()) {
      return "the chaincode refuses it when run again: " + outcome.error();
    }
    List<Write> writes = stub.writeSet();
    if (!sameWrites(writes, tx.writes())) {
      return "its stored write set differs from what the chaincode writes when run again";
    }
    ChaincodeEvent ev = stub.getEvent();
    boolean sameEvent = ev == null ? !tx.hasEvent()
        : tx.hasEvent() && ev.getEventName().equals(tx.eventName())
            && Arrays.equals(ev.getPayload().toByteArray(), tx.eventPayload());
    if (!sameEvent) {
      return "its stored event differs from what the chaincode emits when run again";
    }
    overlay.add(writes);
    return null;
  }

  /** The creator's certificate was issued by the CA of the MSP it names, valid at tx time. */
  private String member(Tx tx) {
    X509Certificate ca = authority(tx.creatorMspId());
    if (ca == null) {
      return "its creator's organisation '" + tx.creatorMspId() + "' is not a member";
    }
    X509Certificate cert = creators.get(tx.creatorCertificatePem());
    if (cert == null) {
      try {
        cert = EmbeddedCertificateAuthority.parsePem(tx.creatorCertificatePem());
      } catch (IllegalArgumentException e) {
        return "its creator's certificate cannot be read";
      }
      if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())
          || !"1.2.840.10045.4.3.2".equals(cert.getSigAlgOID())
          || !verifyIssued(ca, cert)) {
        return "its creator's certificate was not issued by the CA of " + tx.creatorMspId();
      }
      creators.put(tx.creatorCertificatePem(), cert);
    }
    try {
      cert.checkValidity(Date.from(tx.timestamp()));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      return "its creator's certificate was not valid at the transaction's time";
    }
    return null;
  }

  private static boolean verifyIssued(X509Certificate ca, X509Certificate cert) {
    try {
      return OrdererKey.verify(ca, cert.getTBSCertificate(), cert.getSignature());
    } catch (java.security.cert.CertificateEncodingException e) {
      return false;
    }
  }

  /** The member CA's certificate, read (never created) from {@code ca/<mspId>/ca-cert.pem}. */
  private X509Certificate authority(String mspId) {
    if (authorities.containsKey(mspId)) {
      return authorities.get(mspId);
    }
    X509Certificate ca = null;
    try {
      EmbeddedCertificateAuthority.checkMspId(mspId);
      Path file = caRoot.resolve(mspId).resolve(EmbeddedCertificateAuthority.CERT_FILE);
      if (Files.isRegularFile(file)) {
        ca = EmbeddedCertificateAuthority.parsePem(Files.readString(file, UTF_8));
      }
    } catch (IllegalArgumentException | IOException e) {
      ca = null;
    }
    authorities.put(mspId, ca);
    return ca;
  }

  private static boolean sameWrites(List<Write> a, List<Write> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Write x = a.get(i);
      Write y = b.get(i);
      if (!x.key().equals(y.key()) || x.isDelete() != y.isDelete()
          || (!x.isDelete() && !Arrays.equals(x.value(), y.value()))) {
        return false;
      }
    }
    return true;
  }
}
