package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.medledger.evidence.LedgerProof;
import org.medledger.ledger.ChaincodeEventListener;
import org.medledger.ledger.Checkpoint;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerException.Kind;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;
import org.medledger.ledger.TransactionEvidence;
import org.medledger.ledger.embedded.BlockCodec.Block;
import org.medledger.ledger.embedded.BlockCodec.Tx;
import org.medledger.ledger.embedded.BlockCodec.Write;

/**
 * The embedded ledger: runs a Fabric contract class unchanged, in this process, against a
 * durable, hash-chained, signed block file whose history is evidence: every transaction carries
 * its submitter's signature over the proposal, every block the ledger's own signature, and
 * {@code open} and {@code verify} re-execute the chaincode over the whole history. See
 * docs/embedded-ledger.md.
 *
 * <p>Ordering: one committer thread executes submitted transactions one after the other, each
 * against the state left by the previous one (also within a block), packs them into a block,
 * writes and forces it with one fsync (group commit), then applies the writes and acknowledges
 * every transaction of the block. Execution is therefore serial, which is serializable and
 * stronger than Fabric's MVCC: no transaction is ever invalidated by a read conflict.
 */
public final class EmbeddedLedger implements LedgerGateway {
  /** The channel name seen by the chaincode ({@code getChannelId()}). */
  public static final String CHANNEL_ID = "medledger";
  /** The chaincode name put in chaincode events. */
  public static final String CHAINCODE_NAME = "medledger";
  static final String LOCK_FILE = "ledger.lock";
  static final String CA_DIR = "ca";
  private static final System.Logger LOG = System.getLogger(EmbeddedLedger.class.getName());
  private static final int RECENT_BLOCKS = 256;

  /**
   * Tuning of block cutting.
   *
   * @param maxTransactionsPerBlock most transactions in one block
   * @param maxBlockBytes a block is cut once its transactions' arguments reach this size
   * @param batchTimeout how long the committer waits for more transactions before cutting a
   *     block that is not full; zero cuts as soon as the previous block is on disk, which already
   *     batches every transaction that arrived during that fsync
   * @param peerMspId what {@code ChaincodeStub.getMspId()} returns (the "peer's" organisation)
   */
  public record Options(int maxTransactionsPerBlock, int maxBlockBytes, Duration batchTimeout,
      String peerMspId) {
    public Options {
      if (maxTransactionsPerBlock < 1) {
        throw new IllegalArgumentException("maxTransactionsPerBlock must be at least 1");
      }
      if (maxBlockBytes < 1024 || maxBlockBytes > BlockFile.MAX_BODY_BYTES / 2) {
        throw new IllegalArgumentException("maxBlockBytes must be between 1 KiB and 128 MiB");
      }
      Objects.requireNonNull(batchTimeout, "batchTimeout");
      if (batchTimeout.isNegative()) {
        throw new IllegalArgumentException("batchTimeout must not be negative");
      }
      Objects.requireNonNull(peerMspId, "peerMspId");
    }

    public static Options defaults() {
      return new Options(1000, 16 * 1024 * 1024, Duration.ZERO, "HospitalMSP");
    }

    public Options withMaxTransactionsPerBlock(int n) {
      return new Options(n, maxBlockBytes, batchTimeout, peerMspId);
    }

    public Options withMaxBlockBytes(int n) {
      return new Options(maxTransactionsPerBlock, n, batchTimeout, peerMspId);
    }

    public Options withBatchTimeout(Duration d) {
      return new Options(maxTransactionsPerBlock, maxBlockBytes, d, peerMspId);
    }

    public Options withPeerMspId(String msp) {
      return new Options(maxTransactionsPerBlock, maxBlockBytes, batchTimeout, msp);
    }
  }

  /** A submitted transaction waiting for the committer. */
  private record Request(String txId, Membership.Member member, Instant timestamp,
      List<byte[]> args, byte[] signature, long size, CompletableFuture<SubmitResult> result) {}

  /** Where each committed block is, and what it hashes to. Appended by the committer only. */
  private static final class Chain {
    private long[] offsets = new long[1024];
    private final List<byte[]> hashes = new ArrayList<>();
    private byte[] genesis = new byte[BlockCodec.HASH_BYTES];
    private long end;

    /** The genesis frame: block 0 links to its hash; the file ends after it while no block. */
    synchronized void genesis(long frameEnd, byte[] hash) {
      genesis = hash;
      if (hashes.isEmpty()) {
        end = frameEnd;
      }
    }

    synchronized void add(long offset, long frameEnd, byte[] hash) {
      int n = hashes.size();
      if (n == offsets.length) {
        offsets = java.util.Arrays.copyOf(offsets, n * 2);
      }
      offsets[n] = offset;
      hashes.add(hash);
      end = frameEnd;
    }

    synchronized long offset(long n) {
      return offsets[(int) n];
    }

    synchronized byte[] hash(long n) {
      return hashes.get((int) n);
    }

    synchronized byte[] head() {
      return hashes.isEmpty() ? genesis : hashes.get(hashes.size() - 1);
    }

    synchronized long end() {
      return end;
    }
  }

  private final Path dir;
  private final Options options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final BlockFile file;
  private final WorldState state = new WorldState();
  private final ContractDispatcher dispatcher;
  private final Membership membership;
  private final Chain chain = new Chain();
  private final Map<String, Long> txIndex = new ConcurrentHashMap<>();
  private final Map<Long, Block> recent = new ConcurrentHashMap<>();
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Set<EventStream> subscriptions = ConcurrentHashMap.newKeySet();
  private final Object heightMonitor = new Object();
  private final SecureRandom random = new SecureRandom();
  private final Thread committer;
  private OrdererKey orderer;
  private volatile long height;
  private volatile boolean closing;
  private volatile String failure;

  private EmbeddedLedger(Path dir, ContractInterface contract, Options options,
      FileChannel lockChannel, FileLock lock, BlockFile file) {
    this.dir = dir;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.file = file;
    this.dispatcher = new ContractDispatcher(contract);
    this.membership = new Membership(dir.resolve(CA_DIR));
    this.committer = new Thread(this::runCommitter, "embedded-ledger-committer");
    this.committer.setDaemon(true);
  }

  /** Opens (or creates) the ledger in {@code dir} with default options. */
  public static EmbeddedLedger open(Path dir, ContractInterface contract) {
    return open(dir, contract, Options.defaults());
  }

  /**
   * Opens (or creates) the ledger kept in {@code dir}, running {@code contract}: checks every
   * block and transaction as evidence (signatures, membership) while rebuilding the world state
   * by running the chaincode again, drops a torn tail (a write that was never acknowledged),
   * moves a damaged last block aside (quarantine, reported by {@link #verify()}).
   *
   * @throws LedgerException {@link Kind#CORRUPTED} when a block or transaction fails (the
   *     message names them), or the file is of format 1; {@link Kind#UNAVAILABLE} when another
   *     process has the ledger open
   */
  public static EmbeddedLedger open(Path dir, ContractInterface contract, Options options) {
    return open(dir, contract, options, BlockFile.Storage.OWNER_ONLY);
  }

  /** As {@link #open(Path, ContractInterface, Options)}, the block file opened by {@code storage}. */
  static EmbeddedLedger open(Path dir, ContractInterface contract, Options options,
      BlockFile.Storage storage) {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(options, "options");
    Path abs = dir.toAbsolutePath();
    FileChannel lockChannel = null;
    BlockFile file = null;
    try {
      OwnerOnly.createDirectories(abs);
      lockChannel = OwnerOnly.open(abs.resolve(LOCK_FILE), java.util.EnumSet.of(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE));
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new LedgerException(Kind.UNAVAILABLE,
            "the ledger in " + abs + " is already open in another process or component");
      }
      boolean existed = Files.exists(abs.resolve(BlockFile.FILE_NAME));
      file = BlockFile.open(abs, storage);
      if (!existed) {
        FileCheckpoint.forceDirectory(abs);
      }
      EmbeddedLedger ledger = new EmbeddedLedger(abs, contract, options, lockChannel, lock, file);
      ledger.recover();
      ledger.committer.start();
      return ledger;
    } catch (IOException e) {
      closeQuietly(file, lockChannel);
      throw new LedgerException(Kind.UNAVAILABLE, "cannot open the ledger in " + abs + ": "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(file, lockChannel);
      throw e;
    }
  }

  /**
   * Replays the block file as evidence (see {@link Replay}), rebuilding the world state by
   * re-executing every transaction. A torn tail is dropped; damage confined to the last block
   * is moved aside (quarantined) and reported; anything else refuses to open, naming the block
   * and the transaction. A new ledger gets its key and its genesis here.
   */
  private void recover() throws IOException {
    FileChannel ch = file.channel();
    Replay.Result r = Replay.run(ch, ch.size(), dir.resolve(CA_DIR), dispatcher,
        options.peerMspId(), state, (offset, end, block, hash) -> {
          for (Tx tx : block.transactions()) {
            txIndex.put(tx.txId(), block.number());
          }
          chain.add(offset, end, hash);
        });
    if (r.oldFormat()) {
      throw new LedgerException(Kind.CORRUPTED, oldFormatMessage(dir));
    }
    if (!r.ok()) {
      if (!r.damagedTail() || r.badBlock() == null || r.badBlock() < 0) {
        throw new LedgerException(Kind.CORRUPTED, r.reason()
            + "; the ledger refuses to open: restore " + dir + " from a backup");
      }
      quarantine(r);
    } else if (r.tornBytes() > 0) {
      LOG.log(System.Logger.Level.WARNING, "Removing an incomplete trailing block of {0} bytes "
          + "(a write interrupted before it was acknowledged) from {1}", r.tornBytes(), dir);
      file.truncate(r.validEnd());
    }
    if (r.genesisOk()) {
      Path key = dir.resolve(OrdererKey.KEY_FILE);
      Path pending = dir.resolve(OrdererKey.PENDING_FILE);
      boolean firstOpenUnfinished = !Files.exists(key) && Files.exists(pending);
      if (!Files.exists(key) && !firstOpenUnfinished) {
        throw new LedgerException(Kind.CORRUPTED, "the ledger's signing key "
            + OrdererKey.KEY_FILE + " is missing from " + dir + ": restore it from a backup");
      }
      try {
        orderer = OrdererKey.load(firstOpenUnfinished ? pending : key,
            r.ordererCertificate());
      } catch (IOException e) {
        throw new LedgerException(Kind.CORRUPTED, e.getMessage()
            + "; the ledger refuses to open: restore " + dir + " from a backup", e);
      }
      if (firstOpenUnfinished) {
        // the first open stopped after the genesis was forced: finish it
        Files.move(pending, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        FileCheckpoint.forceDirectory(dir);
      }
      chain.genesis(r.genesisEnd(), r.genesisHash());
    } else {
      writeGenesis();
    }
    height = r.blocks();
  }

  /**
   * First open: the ledger's key, forced to disk under a temporary name, then the genesis naming
   * it, forced, then the key renamed to its final name. A key under its final name without a
   * genesis is therefore never a crash of the first open but a removed history: refused.
   */
  private void writeGenesis() throws IOException {
    Path key = dir.resolve(OrdererKey.KEY_FILE);
    Path pending = dir.resolve(OrdererKey.PENDING_FILE);
    if (Files.exists(key)) {
      throw new LedgerException(Kind.CORRUPTED, "the block file " + dir.resolve(
          BlockFile.FILE_NAME) + " holds no genesis but the ledger's key exists: the ledger's"
          + " history was removed; restore " + BlockFile.FILE_NAME + " from a backup (to start"
          + " a new ledger instead, move the directory aside)");
    }
    orderer = Files.exists(pending) ? OrdererKey.load(pending, null).withNewCertificate()
        : OrdererKey.create(pending);
    OrdererKey signer = orderer;
    BlockCodec.Encoded g = BlockCodec.encodeGenesis(new BlockCodec.Genesis(CHANNEL_ID,
        Instant.ofEpochMilli(System.currentTimeMillis()),
        EmbeddedCertificateAuthority.pem(orderer.certificate()), null), signer::sign);
    ByteBuffer frame = BlockCodec.frame(g);
    file.appendAndForce(0, frame);
    FileCheckpoint.forceDirectory(dir);
    Files.move(pending, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    FileCheckpoint.forceDirectory(dir);
    chain.genesis(frame.limit(), g.hash());
  }

  /**
   * Moves a damaged last block aside, into {@code blocks.mlb.quarantined-<block>-<millis>} next
   * to the block file (owner-only, forced), then cuts it from the block file. The transactions
   * in it are no longer in the ledger; the file is kept as evidence and {@code verify} reports
   * it until an operator moves it out of the ledger directory.
   */
  private void quarantine(Replay.Result r) throws IOException {
    FileChannel ch = file.channel();
    long size = ch.size();
    Path q = dir.resolve(BlockFile.FILE_NAME + QUARANTINE_INFIX + r.badBlock() + "-"
        + System.currentTimeMillis());
    OwnerOnly.createFile(q);
    try (FileChannel out = FileChannel.open(q, StandardOpenOption.WRITE)) {
      long at = r.validEnd();
      while (at < size) {
        ByteBuffer b = BlockFile.readFully(ch, at, (int) Math.min(1 << 20, size - at));
        while (b.hasRemaining()) {
          out.write(b);
        }
        at += Math.min(1 << 20, size - at);
      }
      out.force(true);
    }
    FileCheckpoint.forceDirectory(dir);
    file.truncate(r.validEnd());
    LOG.log(System.Logger.Level.ERROR, "{0}; the damaged last block ({1} bytes) was moved to {2}"
        + " and is no longer part of the ledger: examine it, then move it out of {3}",
        r.reason(), size - r.validEnd(), q.getFileName(), dir);
  }

  static final String QUARANTINE_INFIX = ".quarantined-";

  private static String oldFormatMessage(Path dir) {
    return "the block file " + dir.resolve(BlockFile.FILE_NAME) + " is in format 1 (blocks"
        + " without signatures), which this version no longer opens: move the directory " + dir
        + " aside (keep it if its history matters) and start again with an empty one; the"
        + " demo's data directory can simply be recreated";
  }

  /** The directory holding the block file and the organisation CAs. */
  public Path directory() {
    return dir;
  }

  public Options options() {
    return options;
  }

  /**
   * The CA of organisation {@code mspId}, created on first use under {@code <dir>/ca/<mspId>}.
   * Its certificates are what this ledger accepts from submitters of that MSP.
   */
  public EmbeddedCertificateAuthority certificateAuthority(String mspId) {
    return membership.authority(mspId);
  }

  @Override
  public SubmitResult submit(LedgerIdentity identity, String function, byte[]... args) {
    checkOpen();
    Membership.Member member = membership.check(identity);
    List<byte[]> all = arguments(function, args);
    long size = member.certificatePem().length() + 256L;
    for (byte[] a : all) {
      size += a.length + 4;
    }
    if (size > BlockFile.MAX_BODY_BYTES / 2) {
      throw new LedgerException(Kind.REJECTED, "the transaction is too large ("
          + size + " bytes)");
    }
    // Milliseconds: finer timestamps only reveal more about the submitter (issue 12, part 4).
    Instant timestamp = Instant.ofEpochMilli(System.currentTimeMillis());
    String txId = newTxId(member.creator());
    byte[] signature;
    try {
      // The client's part of Fabric's signed proposal: the submitter's key signs what it asks.
      signature = OrdererKey.sign(identity.privateKey(), BlockCodec.proposal(CHANNEL_ID,
          CHAINCODE_NAME, txId, timestamp, member.mspId(), member.certificatePem(), all));
    } catch (IllegalStateException e) {
      throw new LedgerException(Kind.REJECTED, "the private key cannot sign (an ECDSA P-256 key"
          + " is expected)");
    }
    Request r = new Request(txId, member, timestamp, all, signature, size,
        new CompletableFuture<>());
    queue.add(r);
    if (closing) {
      // close() may have drained the queue already; make sure nobody waits forever.
      r.result().completeExceptionally(closedException());
    }
    try {
      return r.result().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LedgerException le) {
        throw new LedgerException(le.kind(), le.getMessage(), le);
      }
      throw new LedgerException(Kind.FAILED, "the transaction failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerException(Kind.UNAVAILABLE, "interrupted while waiting for transaction "
          + r.txId() + " to commit; it may still commit");
    }
  }

  @Override
  public byte[] evaluate(LedgerIdentity identity, String function, byte[]... args) {
    checkOpen();
    Membership.Member member = membership.check(identity);
    EmbeddedStub stub = new EmbeddedStub(CHANNEL_ID, newTxId(member.creator()),
        arguments(function, args), Instant.ofEpochMilli(System.currentTimeMillis()),
        member.creator(), options.peerMspId(),
        state.committed);
    ContractDispatcher.Outcome outcome;
    state.lock.readLock().lock();
    try {
      outcome = dispatcher.invoke(stub);
    } finally {
      state.lock.readLock().unlock();
    }
    if (!outcome.ok()) {
      throw new LedgerException(Kind.REJECTED, outcome.error());
    }
    return outcome.payload();
  }

  @Override
  public EventSubscription subscribe(LedgerIdentity identity, long startBlock,
      Checkpoint checkpoint, ChaincodeEventListener listener) {
    checkOpen();
    membership.check(identity);
    Objects.requireNonNull(listener, "listener");
    long start = startBlock;
    String skipThrough = null;
    if (checkpoint != null && checkpoint.blockNumber().isPresent()) {
      start = checkpoint.blockNumber().getAsLong();
      skipThrough = checkpoint.transactionId().orElse(null);
    }
    if (start < 0) {
      throw new IllegalArgumentException("the start block must not be negative");
    }
    EventStream s = new EventStream(this, start, skipThrough, listener);
    subscriptions.add(s);
    s.start();
    return s;
  }

  @Override
  public Optional<TransactionEvidence> transaction(LedgerIdentity identity, String transactionId) {
    checkOpen();
    membership.check(identity);
    Long n = txIndex.get(transactionId);
    if (n == null || n >= height) {
      return Optional.empty();
    }
    Block block = block(n);
    for (Tx tx : block.transactions()) {
      if (tx.txId().equals(transactionId)) {
        return Optional.of(new TransactionEvidence(tx.txId(), n,
            HexFormat.of().formatHex(chain.hash(n)), tx.timestamp(), tx.creatorMspId(),
            tx.creatorCertificatePem(), tx.validationCode() == BlockCodec.VALID));
      }
    }
    return Optional.empty();
  }

  /**
   * The evidence of {@code transactionIds} (docs/evidence.md): the genesis, every block from
   * the first one holding one of them to the head — in full where it holds one, else its
   * header, the ledger's signature and its hash, so other treatments' transactions stay out of
   * the bundle — the head signed now, and the CA certificates of the submitters' organisations.
   */
  @Override
  public LedgerProof proof(LedgerIdentity identity, Collection<String> transactionIds) {
    checkOpen();
    membership.check(identity);
    long head = height - 1;
    TreeSet<Long> holding = new TreeSet<>();
    for (String id : transactionIds) {
      Long n = txIndex.get(id);
      if (n == null || n > head) {
        throw new LedgerException(Kind.REJECTED, "transaction " + id + " is not in the ledger");
      }
      holding.add(n);
    }
    if (holding.isEmpty()) {
      throw new LedgerException(Kind.REJECTED, "no transaction to prove");
    }
    Set<String> ids = new HashSet<>(transactionIds);
    Map<String, String> authorities = new TreeMap<>();
    List<LedgerProof.ChainBlock> blocks = new ArrayList<>();
    try {
      byte[] genesis = file.body(0);
      for (long n = holding.first(); n <= head; n++) {
        byte[] body = file.body(chain.offset(n));
        BlockCodec.Decoded d = BlockCodec.decodeWithHeader(body);
        boolean full = holding.contains(n);
        if (full) {
          for (Tx tx : d.block().transactions()) {
            if (ids.contains(tx.txId()) && !authorities.containsKey(tx.creatorMspId())) {
              authorities.put(tx.creatorMspId(), Files.readString(dir.resolve(CA_DIR)
                  .resolve(tx.creatorMspId()).resolve(EmbeddedCertificateAuthority.CERT_FILE)));
            }
          }
        }
        blocks.add(new LedgerProof.ChainBlock(n, full ? body : null,
            d.header(), d.block().signature(), chain.hash(n)));
      }
      String headSig = HexFormat.of().formatHex(orderer.sign(
          BlockCodec.checkpoint(CHANNEL_ID, head, chain.hash(head))));
      return new LedgerProof.Embedded(genesis, blocks, headSig, authorities);
    } catch (IOException e) {
      throw new LedgerException(Kind.UNAVAILABLE, "cannot read the block file: " + e.getMessage(),
          e);
    }
  }

  @Override
  public long height() {
    return height;
  }

  /**
   * Replays every committed block as evidence (hashes, links, the ledger's and every
   * submitter's signature, membership, the chaincode run again), without touching the ledger's
   * state.
   *
   * @return the report, naming the first bad block (and transaction) and why, if any
   */
  public VerificationReport verify() {
    return verify((LedgerHead) null);
  }

  /** As {@link #verify()}, and the history must contain {@code anchor} (null: no anchor). */
  public VerificationReport verify(LedgerHead anchor) {
    checkOpen();
    try {
      return check(file.channel(), chain.end(), dir, dispatcher, options.peerMspId(), anchor);
    } catch (IOException e) {
      throw new LedgerException(Kind.UNAVAILABLE, "cannot read the block file: " + e.getMessage(),
          e);
    }
  }

  /**
   * Verifies the ledger in {@code dir} without opening it (a tool's check), running {@code
   * contract} (the chaincode the ledger runs) again over its history.
   */
  public static VerificationReport verify(Path dir, ContractInterface contract) {
    return verify(dir, contract, null);
  }

  /**
   * As {@link #verify(Path, ContractInterface)}; the history must also contain {@code anchor}
   * (a {@link LedgerHead} written down or exported earlier), so blocks cut off at the end or a
   * history rewritten up to it are reported.
   */
  public static VerificationReport verify(Path dir, ContractInterface contract,
      LedgerHead anchor) {
    return verify(dir, contract, Options.defaults(), anchor);
  }

  public static VerificationReport verify(Path dir, ContractInterface contract, Options options,
      LedgerHead anchor) {
    Objects.requireNonNull(contract, "contract");
    try (FileChannel ch = FileChannel.open(dir.resolve(BlockFile.FILE_NAME),
        StandardOpenOption.READ)) {
      return check(ch, ch.size(), dir, new ContractDispatcher(contract), options.peerMspId(),
          anchor);
    } catch (IOException e) {
      throw new LedgerException(Kind.UNAVAILABLE, "cannot read the block file in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private static VerificationReport check(FileChannel ch, long limit, Path dir,
      ContractDispatcher dispatcher, String peerMspId, LedgerHead anchor) throws IOException {
    byte[][] anchored = new byte[1][];
    Replay.Result r = Replay.run(ch, limit, dir.resolve(CA_DIR), dispatcher, peerMspId,
        new WorldState(), (offset, end, block, hash) -> {
          if (anchor != null && block.number() == anchor.blockNumber()) {
            anchored[0] = hash;
          }
        });
    boolean valid = r.ok();
    String reason = r.ok() ? "" : r.reason();
    if (r.oldFormat()) {
      reason = oldFormatMessage(dir);
    } else if (!r.ok() && r.damagedTail() && r.badBlock() != null && r.badBlock() >= 0) {
      reason += " (the last block: the next open moves it aside to "
          + BlockFile.FILE_NAME + QUARANTINE_INFIX + r.badBlock() + "-<time>)";
    }
    // The genesis is not a block: its failure names no block number (the reason says "the
    // genesis: ...").
    OptionalLong bad = r.badBlock() == null || r.badBlock() < 0 ? OptionalLong.empty()
        : OptionalLong.of(r.badBlock());
    if (valid && anchor != null) {
      String why = null;
      if (anchor.blockNumber() >= r.blocks()) {
        why = "the anchor names block " + anchor.blockNumber() + " but the ledger "
            + (r.blocks() == 0 ? "has no block" : "ends at block " + (r.blocks() - 1))
            + " (blocks were cut off at the end)";
        bad = OptionalLong.of(r.blocks());
      } else if (!java.util.Arrays.equals(anchored[0], anchor.hash())) {
        why = "block " + anchor.blockNumber() + ": its hash differs from the anchor (the history"
            + " was rewritten up to it)";
        bad = OptionalLong.of(anchor.blockNumber());
      } else if (anchor.signed() && !OrdererKey.verify(r.ordererCertificate(),
          BlockCodec.checkpoint(CHANNEL_ID, anchor.blockNumber(), anchor.hash()),
          anchor.signature())) {
        why = "the anchor's signature does not verify with this ledger's key (it was not"
            + " exported by this ledger)";
      }
      if (why != null) {
        valid = false;
        reason = why;
      }
    }
    List<String> quarantined = quarantined(dir);
    if (valid && !quarantined.isEmpty()) {
      valid = false;
      reason = "damaged last blocks were moved aside to " + String.join(", ", quarantined)
          + ": examine them, then move them out of " + dir;
    }
    String head = r.blocks() == 0 ? "" : HexFormat.of().formatHex(r.headHash());
    return new VerificationReport(valid, r.blocks(), valid ? OptionalLong.empty() : bad, reason,
        head, r.tornBytes(), r.badTransaction() == null ? "" : r.badTransaction(), quarantined);
  }

  private static List<String> quarantined(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(BlockFile.FILE_NAME + QUARANTINE_INFIX)).sorted().toList();
    }
  }

  /**
   * The current head, signed by the ledger: write it down (or export it) and give it to {@code
   * verify} later; empty while no block is committed.
   */
  public Optional<LedgerHead> head() {
    checkOpen();
    long n = height - 1;
    if (n < 0) {
      return Optional.empty();
    }
    byte[] hash = chain.hash(n);
    byte[] sig = orderer.sign(BlockCodec.checkpoint(CHANNEL_ID, n, hash));
    return Optional.of(new LedgerHead(n, HexFormat.of().formatHex(hash),
        HexFormat.of().formatHex(sig)));
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      committer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Request r;
    while ((r = queue.poll()) != null) {
      r.result().completeExceptionally(closedException());
    }
    synchronized (heightMonitor) {
      heightMonitor.notifyAll();
    }
    for (EventStream s : subscriptions) {
      s.close();
    }
    closeQuietly(file, null);
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    }
    closeQuietly(null, lockChannel);
  }

  // ---- committer ----

  private void runCommitter() {
    List<Request> batch = new ArrayList<>();
    while (true) {
      batch.clear();
      try {
        Request first;
        try {
          first = queue.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          first = null;
        }
        if (first == null) {
          if (closing) {
            return;
          }
          continue;
        }
        batch.add(first);
        long bytes = first.size();
        long deadline = System.nanoTime() + options.batchTimeout().toNanos();
        while (batch.size() < options.maxTransactionsPerBlock()
            && bytes < options.maxBlockBytes()) {
          Request next;
          long wait = deadline - System.nanoTime();
          try {
            next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          } catch (InterruptedException e) {
            next = null;
          }
          if (next == null) {
            break;
          }
          batch.add(next);
          bytes += next.size();
        }
        commit(batch);
      } catch (Throwable t) {
        // commit() handles its own failures; this is the last guard that keeps the committer
        // alive and never leaves a submitter waiting. It does not stop the ledger: whatever
        // went wrong happened outside the block file (commit() latches the failures inside it).
        LOG.log(System.Logger.Level.ERROR, "the committer failed while handling a batch", t);
        for (Request r : batch) {
          r.result().completeExceptionally(new LedgerException(Kind.FAILED,
              "the ledger failed while handling this transaction ("
                  + t.getClass().getSimpleName() + "); it was not committed"));
        }
      }
    }
  }

  /**
   * Executes, writes and applies one block. Failures are kept as small as they can be safely:
   * an exception or Error while executing one transaction (an OutOfMemoryError in its
   * arguments, a broken contract hook) fails that transaction alone; one while building the
   * block, or a write that {@link BlockFile} undid, fails this block's transactions alone.
   * Only what leaves the file or the memory in an unknown state stops the ledger until
   * restart: a write that could not be undone, a failed fsync, or a failure after the block
   * is on disk but before the in-memory state has caught up. See docs/embedded-ledger.md.
   */
  private void commit(List<Request> batch) {
    if (failure != null) {
      for (Request r : batch) {
        r.result().completeExceptionally(new LedgerException(Kind.UNAVAILABLE, failure));
      }
      return;
    }
    WorldState.Overlay overlay = new WorldState.Overlay(state.committed);
    List<Tx> txs = new ArrayList<>(batch.size());
    List<Request> accepted = new ArrayList<>(batch.size());
    List<byte[]> payloads = new ArrayList<>(batch.size());
    for (Request r : batch) {
      boolean overlayTouched = false;
      try {
        EmbeddedStub stub = new EmbeddedStub(CHANNEL_ID, r.txId(), r.args(), r.timestamp(),
            r.member().creator(), options.peerMspId(), overlay);
        ContractDispatcher.Outcome outcome = dispatcher.invoke(stub);
        if (!outcome.ok()) {
          // Refused at "endorsement": not ordered, nothing written, no event.
          r.result().completeExceptionally(new LedgerException(Kind.REJECTED, outcome.error()));
          continue;
        }
        List<Write> writes = stub.writeSet();
        ChaincodeEvent ev = stub.getEvent();
        Tx tx = new Tx(r.txId(), r.member().mspId(), r.member().certificatePem(), r.timestamp(),
            r.args(), r.signature(), BlockCodec.VALID, ev == null ? null : ev.getEventName(),
            ev == null ? null : ev.getPayload().toByteArray(), writes);
        overlayTouched = true;
        overlay.add(writes);
        txs.add(tx);
        accepted.add(r);
        payloads.add(outcome.payload());
      } catch (Throwable t) {
        // This transaction alone fails; the ones before it in the block keep their place.
        int kept = payloads.size(); // added last: the lists hold kept entries at least
        while (txs.size() > kept) {
          txs.remove(txs.size() - 1);
        }
        while (accepted.size() > kept) {
          accepted.remove(accepted.size() - 1);
        }
        if (overlayTouched) {
          // A half-applied write set must not be seen by the next transaction: rebuild.
          overlay = new WorldState.Overlay(state.committed);
          for (Tx tx : txs) {
            overlay.add(tx.writes());
          }
        }
        LOG.log(System.Logger.Level.ERROR, "transaction " + r.txId() + " failed in the ledger"
            + " and was not committed; the ledger goes on", t);
        r.result().completeExceptionally(new LedgerException(Kind.FAILED,
            "the ledger failed while executing this transaction ("
                + t.getClass().getSimpleName() + "); it was not committed and may be retried"));
      }
    }
    if (txs.isEmpty()) {
      return;
    }
    long number = height;
    long offset = chain.end();
    Block block;
    BlockCodec.Encoded encoded;
    ByteBuffer frame;
    try {
      block = new Block(number, chain.head(), Instant.ofEpochMilli(System.currentTimeMillis()),
          List.copyOf(txs), null);
      encoded = BlockCodec.encode(block, orderer::sign);
      frame = BlockCodec.frame(encoded);
    } catch (Throwable t) {
      // Nothing has touched the file yet.
      failBlock(accepted, Kind.FAILED, "the ledger could not build block " + number + " ("
          + t.getClass().getSimpleName() + "); its transactions were not committed and may be"
          + " retried", t);
      return;
    }
    try {
      file.appendAndForce(offset, frame);
    } catch (BlockFile.NotWrittenException e) {
      // The file is back to its last good block: this block's transactions fail, later ones
      // are written at the same offset.
      failBlock(accepted, Kind.UNAVAILABLE, "the ledger could not write block " + number + " ("
          + e.getCause().getClass().getSimpleName() + "); its transactions were not committed"
          + " and may be retried", e);
      return;
    } catch (Throwable e) {
      // Unknown how much reached the disk: stop; a restart truncates a torn block.
      failure = "the ledger could not write block " + number + " to disk (" + e.getMessage()
          + "); it has stopped: restart it to recover";
      failBlock(accepted, Kind.UNAVAILABLE, failure, e);
      return;
    }
    try {
      state.lock.writeLock().lock();
      try {
        for (Tx tx : txs) {
          state.apply(tx.writes());
        }
      } finally {
        state.lock.writeLock().unlock();
      }
      chain.add(offset, offset + frame.limit(), encoded.hash());
      for (Tx tx : txs) {
        txIndex.put(tx.txId(), number);
      }
      recent.put(number, block);
      recent.remove(number - RECENT_BLOCKS);
      synchronized (heightMonitor) {
        height = number + 1;
        heightMonitor.notifyAll();
      }
    } catch (Throwable t) {
      // The block is durable but the memory may not reflect it: refuse everything until a
      // restart replays the file. The transactions are committed; say so.
      failure = "the ledger wrote block " + number + " but could not apply it in memory ("
          + t.getClass().getSimpleName() + "); it has stopped: restart it to recover";
      failBlock(accepted, Kind.UNAVAILABLE, failure + "; this transaction is on disk and will"
          + " be visible after the restart", t);
      return;
    }
    for (int i = 0; i < accepted.size(); i++) {
      accepted.get(i).result().complete(
          new SubmitResult(accepted.get(i).txId(), number, payloads.get(i)));
    }
  }

  private static void failBlock(List<Request> accepted, Kind kind, String why, Throwable t) {
    LOG.log(System.Logger.Level.ERROR, why, t);
    for (Request r : accepted) {
      r.result().completeExceptionally(new LedgerException(kind, why));
    }
  }

  /** For tests: failures to inject into the block file. */
  void injectFaults(BlockFile.Faults faults) {
    file.injectFaults(faults);
  }

  // ---- used by event streams ----

  /** Waits until block {@code n} is committed; false when the ledger or stream closes first. */
  boolean awaitBlock(long n, EventStream stream) throws InterruptedException {
    synchronized (heightMonitor) {
      while (height <= n) {
        if (closing || stream.isClosed()) {
          return false;
        }
        heightMonitor.wait(200);
      }
      return !stream.isClosed();
    }
  }

  void wake() {
    synchronized (heightMonitor) {
      heightMonitor.notifyAll();
    }
  }

  void removed(EventStream s) {
    subscriptions.remove(s);
  }

  Block block(long n) {
    Block b = recent.get(n);
    if (b != null) {
      return b;
    }
    try {
      return file.read(chain.offset(n));
    } catch (IOException e) {
      throw new LedgerException(Kind.UNAVAILABLE, "cannot read block " + n + ": "
          + e.getMessage(), e);
    }
  }

  // ---- helpers ----

  private void checkOpen() {
    if (closing) {
      throw closedException();
    }
    if (failure != null) {
      throw new LedgerException(Kind.UNAVAILABLE, failure);
    }
  }

  private static LedgerException closedException() {
    return new LedgerException(Kind.UNAVAILABLE, "the embedded ledger is closed");
  }

  private static List<byte[]> arguments(String function, byte[]... args) {
    Objects.requireNonNull(function, "function");
    List<byte[]> all = new ArrayList<>(args.length + 1);
    all.add(function.getBytes(UTF_8));
    for (byte[] a : args) {
      all.add(Objects.requireNonNull(a, "argument").clone());
    }
    return List.copyOf(all);
  }

  /** Fabric's transaction id: hex(SHA-256(nonce || creator)) with a random 24-byte nonce. */
  private String newTxId(byte[] creator) {
    byte[] nonce = new byte[24];
    random.nextBytes(nonce);
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(nonce);
      d.update(creator);
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static void closeQuietly(BlockFile file, FileChannel channel) {
    try {
      if (file != null) {
        file.close();
      }
    } catch (IOException e) {
      // nothing to do
    }
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // nothing to do
    }
  }
}
