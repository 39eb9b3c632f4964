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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
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
 * durable, hash-chained, tamper-evident block file. See docs/embedded-ledger.md.
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
      List<byte[]> args, long size, CompletableFuture<SubmitResult> result) {}

  /** Where each committed block is, and what it hashes to. Appended by the committer only. */
  private static final class Chain {
    private long[] offsets = new long[1024];
    private final List<byte[]> hashes = new ArrayList<>();
    private long end;

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
      return hashes.isEmpty() ? new byte[BlockCodec.HASH_BYTES] : hashes.get(hashes.size() - 1);
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
   * Opens (or creates) the ledger kept in {@code dir}, running {@code contract}: verifies every
   * block, removes an incomplete trailing block (a write that was never acknowledged), rebuilds
   * the world state by replaying the write sets.
   *
   * @throws LedgerException {@link Kind#CORRUPTED} when a block fails verification, {@link
   *     Kind#UNAVAILABLE} when another process has the ledger open
   */
  public static EmbeddedLedger open(Path dir, ContractInterface contract, Options options) {
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
      file = BlockFile.open(abs);
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

  private void recover() throws IOException {
    FileChannel ch = file.channel();
    BlockFile.Scan scan = BlockFile.scan(ch, ch.size(), (offset, end, block, hash) -> {
      for (Tx tx : block.transactions()) {
        if (tx.validationCode() == BlockCodec.VALID) {
          state.apply(tx.writes());
        }
        txIndex.put(tx.txId(), block.number());
      }
      chain.add(offset, end, hash);
    });
    if (!scan.ok()) {
      throw new LedgerException(Kind.CORRUPTED, scan.reason()
          + "; the ledger refuses to open: restore " + dir + " from a backup");
    }
    if (scan.tornBytes() > 0) {
      LOG.log(System.Logger.Level.WARNING, "Removing an incomplete trailing block of {0} bytes "
          + "(a write interrupted before it was acknowledged) from {1}", scan.tornBytes(), dir);
      file.truncate(scan.validEnd());
    }
    height = scan.blocks();
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
    Request r = new Request(newTxId(member.creator()), member, Instant.now(), all, size,
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
        arguments(function, args), Instant.now(), member.creator(), options.peerMspId(),
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

  @Override
  public long height() {
    return height;
  }

  /**
   * Recomputes every block's hash, link and number.
   *
   * @return the report, naming the first bad block and why, if any
   */
  public VerificationReport verify() {
    checkOpen();
    try {
      return report(BlockFile.scan(file.channel(), chain.end(), null));
    } catch (IOException e) {
      throw new LedgerException(Kind.UNAVAILABLE, "cannot read the block file: " + e.getMessage(),
          e);
    }
  }

  /** Verifies the block file in {@code dir} without opening the ledger (a tool's check). */
  public static VerificationReport verify(Path dir) {
    try (FileChannel ch = FileChannel.open(dir.resolve(BlockFile.FILE_NAME),
        StandardOpenOption.READ)) {
      return report(BlockFile.scan(ch, ch.size(), null));
    } catch (IOException e) {
      throw new LedgerException(Kind.UNAVAILABLE, "cannot read the block file in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private static VerificationReport report(BlockFile.Scan scan) {
    String head = scan.blocks() == 0 ? "" : HexFormat.of().formatHex(scan.headHash());
    return new VerificationReport(scan.ok(), scan.blocks(),
        scan.ok() ? OptionalLong.empty() : OptionalLong.of(scan.badBlock()),
        scan.ok() ? "" : scan.reason(), head, scan.tornBytes());
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
            r.args(), BlockCodec.VALID, ev == null ? null : ev.getEventName(),
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
      block = new Block(number, chain.head(), Instant.now(), List.copyOf(txs));
      encoded = BlockCodec.encode(block);
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
