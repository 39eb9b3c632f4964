package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.Checkpoint;

/**
 * A {@link Checkpoint} kept in a small text file ({@code "<block>\n<txId or empty>\n"}), replaced
 * atomically (write to a temporary file, force, rename, force the directory) on every update, so
 * a crash leaves either the old or the new position, never a mix.
 */
public final class FileCheckpoint implements Checkpoint {
  private final Path file;
  private long block = -1;
  private String txId;

  private FileCheckpoint(Path file) {
    this.file = file;
  }

  /** Opens the checkpoint kept in {@code file}; a missing file means "nothing yet". */
  public static FileCheckpoint open(Path file) {
    FileCheckpoint c = new FileCheckpoint(file.toAbsolutePath());
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, UTF_8);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
          throw new IllegalStateException("checkpoint file " + file + " is not readable");
        }
        c.block = Long.parseLong(lines.get(0).trim());
        c.txId = lines.size() > 1 && !lines.get(1).isBlank() ? lines.get(1).trim() : null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read checkpoint file " + file, e);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("checkpoint file " + file + " is not readable", e);
    }
    return c;
  }

  @Override
  public synchronized OptionalLong blockNumber() {
    return block < 0 ? OptionalLong.empty() : OptionalLong.of(block);
  }

  @Override
  public synchronized Optional<String> transactionId() {
    return Optional.ofNullable(txId);
  }

  @Override
  public synchronized void checkpoint(ChaincodeEvent event) {
    store(event.blockNumber(), event.transactionId());
  }

  @Override
  public synchronized void checkpointBlock(long blockNumber) {
    store(blockNumber + 1, null);
  }

  private void store(long newBlock, String newTxId) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      OwnerOnly.createFile(tmp); // 0600 from the start: the rename keeps it
      Files.writeString(tmp, newBlock + "\n" + (newTxId == null ? "" : newTxId) + "\n", UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write checkpoint file " + file, e);
    }
    block = newBlock;
    txId = newTxId;
  }

  static void forceDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open a directory; the rename itself is still atomic there.
    }
  }

  @Override
  public synchronized String toString() {
    return "FileCheckpoint[" + file + ", block " + block + ", tx " + txId + "]";
  }
}
