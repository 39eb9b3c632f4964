package org.medledger.ledger.fabric;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.client.CommitStatusException;
import org.hyperledger.fabric.client.Contract;
import org.hyperledger.fabric.client.EndorseException;
import org.hyperledger.fabric.client.Gateway;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.hyperledger.fabric.client.Network;
import org.hyperledger.fabric.client.Status;
import org.hyperledger.fabric.client.SubmitException;
import org.hyperledger.fabric.client.SubmittedTransaction;
import org.hyperledger.fabric.client.identity.Signers;
import org.hyperledger.fabric.client.identity.X509Identity;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ProcessedTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.medledger.evidence.LedgerProof;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.ChaincodeEventListener;
import org.medledger.ledger.Checkpoint;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.InMemoryCheckpoint;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;
import org.medledger.ledger.TransactionEvidence;

/**
 * The ledger port on Hyperledger Fabric, through the Fabric Gateway service (fabric-gateway).
 *
 * <p>One gRPC channel per peer endpoint, shared by every identity (TLS, trusting that
 * organisation's TLS CA); one {@link Gateway} per identity, cached, connected to the peer of the
 * identity's own organisation. The peer's gateway collects the endorsements the chaincode's
 * policy needs (3 of the 4 organisations) and orders the transaction; {@link #submit}
 * returns once the transaction is committed and valid. Transaction evidence comes from the
 * peer's query system chaincode (qscc).
 */
public final class FabricLedger implements LedgerGateway {
  private static final Logger LOG = Logger.getLogger(FabricLedger.class.getName());
  /** The orderer organisation's MSP id (fabric/config/configtx.yaml.template). */
  static final String ORDERER_MSP = "OrdererMSP";
  private static final Pattern CHAINCODE_MESSAGE = Pattern.compile("chaincode response (\\d+), (.*)", Pattern.DOTALL);
  private static final long EVALUATE_SECONDS = 30;
  private static final long ENDORSE_SECONDS = 30;
  private static final long SUBMIT_SECONDS = 30;
  private static final long COMMIT_STATUS_SECONDS = 60;

  private final FabricNetwork network;
  private final LedgerIdentity serviceIdentity;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<IdentityKey, Gateway> gateways = new ConcurrentHashMap<>();
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  /** Gateways of the service identity to each organisation's peer, for the block streams. */
  private final Map<String, Gateway> heightGateways = new ConcurrentHashMap<>();
  /** The height every endorser must have: blocks this client committed or delivered events of. */
  private final java.util.concurrent.atomic.AtomicLong dependsOn = new java.util.concurrent.atomic.AtomicLong();
  /** Stores whose commit was asked of the gateway (CommitStatus) instead of read from the block stream. */
  private final java.util.concurrent.atomic.LongAdder commitStatusCalls = new java.util.concurrent.atomic.LongAdder();
  private volatile PeerHeights heights;
  /** Whether the client names the endorsing organisations (false: the gateway's discovery does). */
  private final boolean chooseEndorsers = !"gateway".equals(System.getProperty("medledger.fabric.endorsers",
      System.getenv().getOrDefault("MEDLEDGER_FABRIC_ENDORSERS", "client")));
  /** The committed endorsement policy as the client can use it; null before it is read. */
  private volatile Optional<EndorsementChoice> endorsementChoice;
  /** The last endorsed transaction's id and the organisations named for it ({@link #namedEndorsers}). */
  private volatile Map.Entry<String, List<String>> lastNamed = Map.entry("", List.of());
  private volatile long policyReadFailedAt = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
  private final java.util.concurrent.atomic.AtomicLong endorsementTurn = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  /** A gateway is cached by who signs: MSP id and certificate. */
  private record IdentityKey(String mspId, ByteBuffer certificate) {}

  /**
   * @param serviceIdentity the identity used for calls that name none ({@link #height()})
   */
  public FabricLedger(FabricNetwork network, LedgerIdentity serviceIdentity) {
    this.network = network;
    this.serviceIdentity = serviceIdentity;
  }

  /** Connects to the network of {@code fabric/network.sh} in {@code runDirectory} (service user of the first org). */
  public static FabricLedger connect(java.nio.file.Path runDirectory) {
    FabricNetwork n = FabricNetwork.load(runDirectory);
    String msp = n.mspIds().contains("HospitalMSP") ? "HospitalMSP" : n.mspIds().iterator().next();
    return new FabricLedger(n, FabricEnrollment.serviceUser(n, msp));
  }

  public FabricNetwork network() {
    return network;
  }

  // ------------------------------------------------------------------ transactions

  @Override
  public SubmitResult submit(LedgerIdentity identity, String function, byte[]... args) {
    Contract contract = network(identity).getContract(network.chaincode());
    String txId = null;
    try {
      // Read-your-writes: the chosen endorsers (preferably peers that already have the client's
      // last block) must have it before they simulate; when the gateway chooses, every peer.
      List<String> chosen = chooseEndorsers(identity.mspId());
      if (chosen.isEmpty()) awaitConsortium();
      else awaitPeers(chosen);
      var proposal = contract.newProposal(function).addArguments(args);
      if (!chosen.isEmpty()) proposal.setEndorsingOrganizations(chosen.toArray(String[]::new));
      org.hyperledger.fabric.client.Transaction transaction;
      try {
        transaction = proposal.build().endorse();
      } catch (EndorseException e) {
        if (chosen.isEmpty() || translate("endorsement of " + function, e).kind() == LedgerException.Kind.REJECTED) throw e;
        // One of the chosen peers failed (down, not yet known to be): endorsement writes nothing,
        // so the same Store is endorsed again with the gateway's own plan, which skips dead peers.
        LOG.log(Level.FINE, "endorsement by " + chosen + " failed (" + describe(e) + "); the gateway chooses");
        chosen = List.of();
        awaitConsortium();
        transaction = contract.newProposal(function).addArguments(args).build().endorse();
      }
      txId = transaction.getTransactionId();
      lastNamed = Map.entry(txId, chosen);
      // Watched on the gateway peer's block stream before it is ordered, so its block cannot go by.
      CommitWatch.Waiter watch = heights().watchCommit(identity.mspId(), txId);
      SubmittedTransaction submitted;
      try {
        submitted = transaction.submitAsync();
      } catch (SubmitException | RuntimeException e) {
        if (watch != null) watch.cancel();
        throw e;
      }
      long block;
      TxValidationCode code;
      CommitWatch.Outcome outcome = watch == null ? new CommitWatch.Outcome.StreamLost()
          : watch.await(System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMIT_STATUS_SECONDS));
      if (outcome instanceof CommitWatch.Outcome.Committed c) {
        block = c.block();
        code = c.code();
      } else if (outcome instanceof CommitWatch.Outcome.StreamLost) {
        // The stream was down or broke meanwhile: its block may have gone by unseen; ask the gateway.
        commitStatusCalls.increment();
        Status status = submitted.getStatus();
        block = status.getBlockNumber();
        code = status.getCode();
      } else {
        throw new LedgerException(LedgerException.Kind.UNAVAILABLE, "transaction " + txId
            + " was sent for ordering but its commit status is unknown: it is in no block of " + identity.mspId()
            + "'s peer after " + COMMIT_STATUS_SECONDS + " s; look it up by its id before submitting again");
      }
      if (code == TxValidationCode.ENDORSEMENT_POLICY_FAILURE && !chosen.isEmpty()) {
        // The committed policy is not what was read (changed since): choose no more.
        endorsementChoice = Optional.empty();
        LOG.warning("transaction " + txId + " endorsed by " + chosen + " failed the endorsement policy; "
            + "the gateway chooses the endorsers from now on");
      }
      if (code != TxValidationCode.VALID) throw notCommitted(txId, block, code);
      dependsOn.accumulateAndGet(block + 1, Math::max);
      return new SubmitResult(txId, block, submitted.getResult());
    } catch (EndorseException e) {
      throw translate("endorsement of " + function, e);
    } catch (SubmitException e) {
      throw new LedgerException(LedgerException.Kind.UNAVAILABLE,
          "transaction " + txId + " was endorsed but the ordering service did not accept it: " + describe(e), e);
    } catch (CommitStatusException e) {
      throw new LedgerException(LedgerException.Kind.UNAVAILABLE,
          "transaction " + txId + " was sent for ordering but its commit status is unknown: " + describe(e)
              + "; look it up by its id before submitting again", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerException(LedgerException.Kind.UNAVAILABLE, "transaction " + txId
          + " was sent for ordering; interrupted while waiting for its commit; look it up by its id before submitting again", e);
    } catch (StatusRuntimeException e) {
      throw translate(function, new GatewayException(e));
    }
  }

  /**
   * The organisations to endorse a Store through {@code own}'s gateway, or none (the gateway
   * chooses): as many as the chaincode's committed policy requires, among the peers whose block
   * stream is connected, taken in turn ({@link EndorsementChoice}).
   */
  List<String> chooseEndorsers(String own) {
    return endorsers(own, true);
  }

  /** The organisations for the current turn of {@code own}'s gateway; {@code advance}: the turn is taken. */
  private List<String> endorsers(String own, boolean advance) {
    if (!chooseEndorsers) return List.of();
    Optional<EndorsementChoice> c = endorsementChoice;
    if (c == null) c = readEndorsementPolicy();
    if (c.isEmpty()) return List.of();
    long turn = advance ? endorsementTurn.getAndIncrement() : endorsementTurn.get();
    PeerHeights h = heights();
    long needed = dependsOn.get();
    return c.get().choose(own, h::connected, m -> h.height(m) >= needed, turn);
  }

  /**
   * The organisations the client named for transaction {@code transactionId} if it is the last
   * one this client endorsed; empty when the gateway chose (no choice, or the retry after a
   * failed endorsement) or for any other transaction (for tests).
   */
  List<String> namedEndorsers(String transactionId) {
    Map.Entry<String, List<String>> n = lastNamed;
    return n.getKey().equals(transactionId) ? n.getValue() : List.of();
  }

  /** The organisations {@link #chooseEndorsers} will name for the next Store through {@code own}'s gateway (for tests). */
  List<String> nextEndorsers(String own) {
    return endorsers(own, false);
  }

  /** The MSP ids of the peers whose endorsements a committed transaction carries (for tests). */
  List<String> endorsingOrganisations(LedgerIdentity identity, String transactionId) {
    try {
      ProcessedTransaction pt = ProcessedTransaction.parseFrom(network(identity).getContract("qscc")
          .evaluateTransaction("GetTransactionByID", network.channel(), transactionId));
      Payload payload = Payload.parseFrom(pt.getTransactionEnvelope().getPayload());
      org.hyperledger.fabric.protos.peer.Transaction tx = org.hyperledger.fabric.protos.peer.Transaction.parseFrom(payload.getData());
      List<String> out = new ArrayList<>();
      for (var e : org.hyperledger.fabric.protos.peer.ChaincodeActionPayload.parseFrom(tx.getActions(0).getPayload())
          .getAction().getEndorsementsList()) {
        out.add(SerializedIdentity.parseFrom(e.getEndorser()).getMspid());
      }
      return out;
    } catch (GatewayException e) {
      throw translate("GetTransactionByID", e);
    } catch (InvalidProtocolBufferException e) {
      throw new LedgerException(LedgerException.Kind.CORRUPTED, "the peer returned an unreadable transaction " + transactionId, e);
    }
  }

  /** The chaincode's endorsement policy as committed ({@code _lifecycle} QueryChaincodeDefinition), read once. */
  private synchronized Optional<EndorsementChoice> readEndorsementPolicy() {
    if (endorsementChoice != null) return endorsementChoice;
    if (System.nanoTime() - policyReadFailedAt < TimeUnit.SECONDS.toNanos(30)) return Optional.empty();
    Optional<EndorsementChoice> c;
    try {
      byte[] out = network(serviceIdentity).getContract("_lifecycle").newProposal("QueryChaincodeDefinition")
          .addArguments(org.hyperledger.fabric.protos.peer.lifecycle.QueryChaincodeDefinitionArgs.newBuilder()
              .setName(network.chaincode()).build().toByteArray())
          .build().evaluate();
      c = EndorsementChoice.of(org.hyperledger.fabric.protos.peer.lifecycle.QueryChaincodeDefinitionResult.parseFrom(out)
          .getValidationParameter().toByteArray());
    } catch (GatewayException | StatusRuntimeException | InvalidProtocolBufferException e) {
      // (a peer restarting, say): the gateway chooses meanwhile; asked again in 30 s
      LOG.log(Level.INFO, "cannot read the chaincode's endorsement policy now; the gateway chooses the endorsers", e);
      policyReadFailedAt = System.nanoTime();
      return Optional.empty();
    }
    LOG.info(c.isPresent() ? "endorsers chosen by the client: " + c.get().required() + " of " + c.get().organisations()
        : "the chaincode's endorsement policy is not OutOf(n, peers); the gateway chooses the endorsers");
    endorsementChoice = c;
    return c;
  }

  /** A transaction that was ordered but that the peers invalidated (its validation code). */
  static LedgerException notCommitted(String txId, long block, TxValidationCode code) {
    boolean conflict = code == TxValidationCode.MVCC_READ_CONFLICT || code == TxValidationCode.PHANTOM_READ_CONFLICT;
    return new LedgerException(conflict ? LedgerException.Kind.UNAVAILABLE : LedgerException.Kind.FAILED,
        "transaction " + txId + " was ordered in block " + block + " but not committed: " + code
            + (conflict ? " (it raced another transaction; submitting it again may succeed)" : ""));
  }

  /** How many Stores asked the gateway's CommitStatus (their peer's block stream was down), for tests. */
  long commitStatusCalls() {
    return commitStatusCalls.sum();
  }

  /** Whether the block stream of {@code mspId}'s peer is connected (for tests). */
  boolean streaming(String mspId) {
    return heights().connected(mspId);
  }

  /**
   * Read-your-writes across the consortium. Fabric reports a transaction committed once the
   * gateway's own peer has it; the peers that endorse the next transaction may still be a block
   * behind, and would then verify it against stale state (seen here: a txd refused with "1 of 2
   * participants have answered" right after the last txtr). So before a transaction is endorsed,
   * its endorsers must have every block this client depends on: the blocks of the transactions
   * it submitted and of the events it delivered ({@link #dependsOn}). When the gateway chooses
   * the endorsers, that is every organisation's peer that is up; when the client names them
   * ({@link #chooseEndorsers}), only those, and it prefers peers that already have those blocks,
   * so a Store that follows its last one does not wait for the slowest peer of the four. The
   * peers' heights come from one block stream per peer ({@link PeerHeights}), so the check costs
   * no proposal, and it waits only while a peer is behind: usually never, as every peer commits
   * each block at about the same time. A lone Store returns as soon as it is committed.
   */
  void awaitConsortium() {
    awaitPeers(network.mspIds());
  }

  private void awaitPeers(java.util.Collection<String> mspIds) {
    long needed = dependsOn.get();
    if (needed <= 0) return;
    try {
      heights().await(mspIds, needed, System.nanoTime() + 10_000_000_000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The height a peer's block stream reported last (for tests). */
  long knownHeight(String mspId) {
    return heights().height(mspId);
  }

  private PeerHeights heights() {
    PeerHeights h = heights;
    if (h != null) return h;
    synchronized (this) {
      if (heights == null) {
        if (closed) throw new IllegalStateException("the Fabric ledger is closed");
        long start = Math.max(dependsOn.get(), startHeight());
        heights = new PeerHeights(network.mspIds(), this::heightNetwork, start, this::queryHeight, m -> {
          ManagedChannel c = channels.get(m);
          if (c != null) c.resetConnectBackoff();
        });
      }
      return heights;
    }
  }

  /**
   * Whether the connection to a peer is up, trying at once (gRPC's reconnect back-off, up to two
   * minutes, is reset: a restarted peer is seen as soon as it listens). A call on a connection
   * in back-off would fail without trying, and a peer that answers the next client would be
   * taken for down here. Returns false when this attempt fails (a peer that is down refuses at
   * once on its own host) or after {@code millis}.
   */
  private static boolean connected(ManagedChannel c, long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    io.grpc.ConnectivityState st = c.getState(true);
    if (st == io.grpc.ConnectivityState.READY) return true;
    c.resetConnectBackoff();
    boolean tried = false;
    while (System.nanoTime() < end) {
      st = c.getState(true);
      if (st == io.grpc.ConnectivityState.READY) return true;
      if (st == io.grpc.ConnectivityState.CONNECTING) tried = true;
      else if (st == io.grpc.ConnectivityState.TRANSIENT_FAILURE && tried) return false;
      java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
      c.notifyWhenStateChanged(st, changed::countDown);
      try {
        changed.await(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return c.getState(false) == io.grpc.ConnectivityState.READY;
  }

  /**
   * Where the block streams start: the height of any peer that answers (the service identity's
   * own first), so that a stream never replays the chain from block 0; 0 when none answers.
   */
  private long startHeight() {
    try {
      return height();
    } catch (LedgerException e) {
      long h = 0;
      for (String msp : network.mspIds()) h = Math.max(h, queryHeight(msp));
      return h;
    }
  }

  /** The channel through {@code mspId}'s own peer, as the service identity (for its block stream). */
  private Network heightNetwork(String mspId) {
    return heightGateways.computeIfAbsent(mspId, m -> connect(serviceIdentity, channels.computeIfAbsent(m, this::openChannel)))
        .getNetwork(network.channel());
  }

  /**
   * A peer's height by a signed qscc query sent to that peer itself (not through another
   * organisation's gateway, whose view of a restarted peer lags), or -1 when it does not answer.
   * Used only while the peer's block stream is not connected.
   */
  long queryHeight(String mspId) {
    if (closed || !connected(channels.computeIfAbsent(mspId, this::openChannel), 500)) return -1;
    try {
      byte[] info = heightNetwork(mspId).getContract("qscc").newProposal("GetChainInfo").addArguments(network.channel())
          .setEndorsingOrganizations(mspId).build().evaluate();
      return BlockchainInfo.parseFrom(info).getHeight();
    } catch (GatewayException | StatusRuntimeException | InvalidProtocolBufferException | IllegalStateException e) {
      return -1;
    }
  }

  @Override
  public byte[] evaluate(LedgerIdentity identity, String function, byte[]... args) {
    awaitPeers(List.of(identity.mspId())); // the peer that answers has what this client wrote
    try {
      return network(identity).getContract(network.chaincode()).newProposal(function).addArguments(args).build().evaluate();
    } catch (GatewayException e) {
      throw translate(function, e);
    } catch (StatusRuntimeException e) {
      throw translate(function, new GatewayException(e));
    }
  }

  @Override
  public Optional<TransactionEvidence> transaction(LedgerIdentity identity, String transactionId) {
    Contract qscc = network(identity).getContract("qscc");
    byte[] processed;
    byte[] block;
    try {
      processed = qscc.evaluateTransaction("GetTransactionByID", network.channel(), transactionId);
      block = qscc.evaluateTransaction("GetBlockByTxID", network.channel(), transactionId);
    } catch (GatewayException e) {
      String d = describe(e);
      if (d.contains("no such transaction ID") || d.contains("not found")) {
        return Optional.empty();
      }
      throw translate("GetTransactionByID", e);
    }
    try {
      ProcessedTransaction pt = ProcessedTransaction.parseFrom(processed);
      Payload payload = Payload.parseFrom(pt.getTransactionEnvelope().getPayload());
      ChannelHeader ch = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
      SignatureHeader sh = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
      SerializedIdentity creator = SerializedIdentity.parseFrom(sh.getCreator());
      BlockHeader header = Block.parseFrom(block).getHeader();
      Instant time = Instant.ofEpochSecond(ch.getTimestamp().getSeconds(), ch.getTimestamp().getNanos());
      return Optional.of(new TransactionEvidence(ch.getTxId(), header.getNumber(), HexFormat.of().formatHex(blockHash(header)),
          time, creator.getMspid(), creator.getIdBytes().toString(StandardCharsets.UTF_8),
          pt.getValidationCode() == TxValidationCode.VALID_VALUE));
    } catch (InvalidProtocolBufferException e) {
      throw new LedgerException(LedgerException.Kind.CORRUPTED, "the peer returned an unreadable transaction " + transactionId, e);
    }
  }

  /**
   * The evidence of {@code transactionIds} from the identity's gateway peer's qscc: each block
   * holding one ({@code GetBlockByTxID}, whole: envelopes with creator, signature and
   * endorsements, so a record's bytes are tied to the block's data hash), the header of every
   * later block up to the height at this moment ({@code GetBlockByNumber}, one query each), and
   * each organisation's CA certificate from the network's configuration.
   */
  @Override
  public LedgerProof proof(LedgerIdentity identity, Collection<String> transactionIds) {
    Contract qscc = network(identity).getContract("qscc");
    String channel = network.channel();
    TreeMap<Long, byte[]> holding = new TreeMap<>();
    try {
      for (String id : transactionIds) {
        byte[] bytes;
        try {
          bytes = qscc.evaluateTransaction("GetBlockByTxID", channel, id);
        } catch (GatewayException e) {
          String d = describe(e);
          if (d.contains("no such transaction ID") || d.contains("not found")) {
            throw new LedgerException(LedgerException.Kind.REJECTED, "transaction " + id + " is not in the ledger");
          }
          throw translate("GetBlockByTxID", e);
        }
        holding.put(Block.parseFrom(bytes).getHeader().getNumber(), bytes);
      }
      if (holding.isEmpty()) {
        throw new LedgerException(LedgerException.Kind.REJECTED, "no transaction to prove");
      }
      long head = BlockchainInfo.parseFrom(qscc.evaluateTransaction("GetChainInfo", channel)).getHeight() - 1;
      List<LedgerProof.FabricBlock> blocks = new ArrayList<>();
      for (long n = holding.firstKey(); n <= head; n++) {
        byte[] full = holding.get(n);
        byte[] block = full != null ? full : qscc.evaluateTransaction("GetBlockByNumber", channel, Long.toString(n));
        Block parsed = Block.parseFrom(block);
        blocks.add(new LedgerProof.FabricBlock(n, full, parsed.getHeader().toByteArray(),
            parsed.getMetadata().toByteArray()));
      }
      Map<String, String> authorities = new TreeMap<>();
      for (String msp : network.mspIds()) {
        authorities.put(msp, java.nio.file.Files.readString(network.organisation(msp).caCert()));
      }
      // The orderers sign every block header; their organisation's CA is where cryptogen put it.
      java.nio.file.Path ordererOrgs = network.runDirectory().resolve("crypto-config").resolve("ordererOrganizations");
      if (java.nio.file.Files.isDirectory(ordererOrgs)) {
        try (var found = java.nio.file.Files.find(ordererOrgs, 4, (path, attrs) -> attrs.isRegularFile()
            && path.getParent().getFileName().toString().equals("cacerts") && path.toString().endsWith(".pem"))) {
          for (java.nio.file.Path ca : found.toList()) {
            authorities.putIfAbsent(ORDERER_MSP, java.nio.file.Files.readString(ca));
          }
        }
      }
      return new LedgerProof.Fabric(channel, blocks, authorities);
    } catch (GatewayException e) {
      throw translate("GetBlockByNumber", e);
    } catch (InvalidProtocolBufferException e) {
      throw new LedgerException(LedgerException.Kind.CORRUPTED, "the peer returned an unreadable block", e);
    } catch (IOException e) {
      throw new LedgerException(LedgerException.Kind.UNAVAILABLE, "cannot read an organisation's CA certificate: "
          + e.getMessage(), e);
    }
  }

  @Override
  public long height() {
    try {
      byte[] info = network(serviceIdentity).getContract("qscc").evaluateTransaction("GetChainInfo", network.channel());
      return BlockchainInfo.parseFrom(info).getHeight();
    } catch (GatewayException e) {
      throw translate("GetChainInfo", e);
    } catch (InvalidProtocolBufferException e) {
      throw new LedgerException(LedgerException.Kind.CORRUPTED, "the peer returned unreadable chain information", e);
    }
  }

  /**
   * Fabric's block hash: SHA-256 of the DER sequence (number, previous hash, data hash), as
   * {@code protoutil.BlockHeaderHash} computes it; the next block's previous hash equals it.
   */
  static byte[] blockHash(BlockHeader header) {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(header.getNumber()));
    v.add(new DEROctetString(header.getPreviousHash().toByteArray()));
    v.add(new DEROctetString(header.getDataHash().toByteArray()));
    try {
      return MessageDigest.getInstance("SHA-256").digest(new DERSequence(v).getEncoded(ASN1Encoding.DER));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ events

  @Override
  public EventSubscription subscribe(LedgerIdentity identity, long startBlock, Checkpoint checkpoint,
      ChaincodeEventListener listener) {
    if (startBlock < 0) {
      throw new IllegalArgumentException("the start block must not be negative");
    }
    Subscription s = new Subscription(network(identity), startBlock, checkpoint, listener);
    subscriptions.add(s);
    s.start();
    return s;
  }

  /**
   * One chaincode event stream. Its position (block in progress, last transaction handled) is
   * kept here and in the caller's {@link Checkpoint}: when the peer goes away (restart, network)
   * the stream is opened again from that position, so events neither repeat nor go missing.
   */
  private final class Subscription implements EventSubscription {
    private final Network net;
    private final long startBlock;
    private final ChaincodeEventListener listener;
    private final Thread thread;
    // This stream's own position, seeded from the caller's checkpoint and advanced after each
    // delivered event: reconnecting resumes from here even if the caller checkpoints later.
    private final InMemoryCheckpoint position = new InMemoryCheckpoint();
    private final FabricCheckpointer checkpointer = new FabricCheckpointer(position);
    private volatile boolean stopped;
    private volatile CloseableIterator<org.hyperledger.fabric.client.ChaincodeEvent> current;

    Subscription(Network net, long startBlock, Checkpoint durable, ChaincodeEventListener listener) {
      this.net = net;
      this.startBlock = startBlock;
      this.listener = listener;
      if (durable != null && durable.blockNumber().isPresent()) {
        long block = durable.blockNumber().getAsLong();
        Optional<String> tx = durable.transactionId();
        if (tx.isPresent()) checkpointer.checkpointTransaction(block, tx.get());
        else if (block > 0) checkpointer.checkpointBlock(block - 1);
      }
      this.thread = new Thread(this::run, "fabric-events-" + network.chaincode());
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      long backoffMillis = 100;
      while (!stopped && !closed) {
        var request = net.newChaincodeEventsRequest(network.chaincode());
        request = checkpointer.getBlockNumber().isPresent() ? request.checkpoint(checkpointer) : request.startBlock(startBlock);
        try (CloseableIterator<org.hyperledger.fabric.client.ChaincodeEvent> events = request.build().getEvents()) {
          current = events;
          if (stopped) break;
          while (events.hasNext()) {
            org.hyperledger.fabric.client.ChaincodeEvent e = events.next();
            ChaincodeEvent ev = new ChaincodeEvent(e.getBlockNumber(), e.getTransactionId(), e.getEventName(), e.getPayload());
            try {
              listener.onEvent(ev);
            } catch (Exception ex) {
              LOG.log(Level.WARNING, "the event listener failed; the subscription stops", ex);
              stopped = true;
              return;
            }
            checkpointer.checkpointChaincodeEvent(e);
            // what the listener does next may depend on this block (a txd after the last txtr)
            dependsOn.accumulateAndGet(e.getBlockNumber() + 1, Math::max);
            backoffMillis = 100;
          }
        } catch (GatewayRuntimeException | StatusRuntimeException e) {
          if (stopped || closed) break;
          LOG.log(Level.INFO, "chaincode event stream interrupted (" + e.getMessage() + "); reconnecting from block "
              + checkpointer.getBlockNumber() + " after " + backoffMillis + " ms");
        } catch (RuntimeException e) {
          if (stopped || closed) break;
          LOG.log(Level.WARNING, "chaincode event stream failed; reconnecting", e);
        }
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException e) {
          break;
        }
        backoffMillis = Math.min(backoffMillis * 2, 2000);
      }
    }

    @Override
    public void close() {
      stopped = true;
      var it = current;
      if (it != null) it.close();
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      subscriptions.remove(this);
    }
  }

  // ------------------------------------------------------------------ connections

  private Network network(LedgerIdentity identity) {
    if (closed) throw new IllegalStateException("the Fabric ledger is closed");
    return gateway(identity).getNetwork(network.channel());
  }

  private Gateway gateway(LedgerIdentity identity) {
    IdentityKey key;
    try {
      key = new IdentityKey(identity.mspId(), ByteBuffer.wrap(identity.certificate().getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("the certificate cannot be encoded", e);
    }
    return gateways.computeIfAbsent(key, k -> connect(identity, channels.computeIfAbsent(identity.mspId(), this::openChannel)));
  }

  private Gateway connect(LedgerIdentity identity, ManagedChannel channel) {
    try {
      return Gateway.newInstance()
          .identity(new X509Identity(identity.mspId(), identity.certificate()))
          .signer(Signers.newPrivateKeySigner(identity.privateKey()))
          .connection(channel)
          .evaluateOptions(o -> o.withDeadlineAfter(EVALUATE_SECONDS, TimeUnit.SECONDS))
          .endorseOptions(o -> o.withDeadlineAfter(ENDORSE_SECONDS, TimeUnit.SECONDS))
          .submitOptions(o -> o.withDeadlineAfter(SUBMIT_SECONDS, TimeUnit.SECONDS))
          .commitStatusOptions(o -> o.withDeadlineAfter(COMMIT_STATUS_SECONDS, TimeUnit.SECONDS))
          .connect();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the identity's private key cannot sign Fabric transactions", e);
    }
  }

  /** One channel per organisation's gateway peer, shared by all its identities. */
  private ManagedChannel openChannel(String mspId) {
    FabricNetwork.Organisation o = network.organisation(mspId);
    try {
      ChannelCredentials tls = TlsChannelCredentials.newBuilder().trustManager(o.peerTlsCaCert().toFile()).build();
      return Grpc.newChannelBuilder(o.peerAddress(), tls)
          .keepAliveTime(60, TimeUnit.SECONDS)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS CA certificate of " + mspId, e);
    }
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Subscription s : List.copyOf(subscriptions)) s.close();
    synchronized (this) {
      if (heights != null) heights.close();
    }
    for (Gateway g : gateways.values()) g.close();
    gateways.clear();
    for (Gateway g : heightGateways.values()) g.close();
    heightGateways.clear();
    for (ManagedChannel c : channels.values()) c.shutdownNow();
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }

  // ------------------------------------------------------------------ errors

  /**
   * Maps a Gateway error to a {@link LedgerException}: the chaincode's refusal (its own message,
   * as the endorsing peers report it) is REJECTED; unreachable or slow peers and orderer are
   * UNAVAILABLE; anything else FAILED.
   */
  static LedgerException translate(String what, GatewayException e) {
    io.grpc.Status.Code code = e.getStatus().getCode();
    List<String> messages = new ArrayList<>();
    for (ErrorDetail d : e.getDetails()) messages.add(d.getMessage());
    if (e.getStatus().getDescription() != null) messages.add(e.getStatus().getDescription());
    for (String m : messages) {
      Matcher cc = CHAINCODE_MESSAGE.matcher(m);
      if (cc.find()) {
        return new LedgerException(LedgerException.Kind.REJECTED, cc.group(2).trim(), e);
      }
    }
    for (String m : messages) {
      if (m.contains("access denied") || m.contains("creator") && m.contains("not valid")) {
        return new LedgerException(LedgerException.Kind.REJECTED, "the network does not accept this identity: " + m, e);
      }
    }
    if (code == io.grpc.Status.Code.UNAVAILABLE || code == io.grpc.Status.Code.DEADLINE_EXCEEDED
        || code == io.grpc.Status.Code.RESOURCE_EXHAUSTED || code == io.grpc.Status.Code.CANCELLED) {
      return new LedgerException(LedgerException.Kind.UNAVAILABLE, what + ": the Fabric network did not answer ("
          + describe(e) + ")", e);
    }
    return new LedgerException(LedgerException.Kind.FAILED, what + " failed: " + describe(e), e);
  }

  private static String describe(GatewayException e) {
    StringBuilder b = new StringBuilder().append(e.getStatus().getCode());
    if (e.getStatus().getDescription() != null) b.append(": ").append(e.getStatus().getDescription());
    for (ErrorDetail d : e.getDetails()) {
      b.append("; ").append(d.getMspId()).append('@').append(d.getAddress()).append(": ").append(d.getMessage());
    }
    return b.toString();
  }
}
