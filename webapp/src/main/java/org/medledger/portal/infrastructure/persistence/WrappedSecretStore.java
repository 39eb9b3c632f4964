package org.medledger.portal.infrastructure.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;
import org.medledger.portal.config.PortalConfig;

/**
 * The accounts' wrapped σ, one small file per account ({@code <data dir>/secrets/<index>.wrap},
 * 0600 in a 0700 directory), kept out of the database on purpose: H2's MVStore and PostgreSQL
 * both keep superseded row versions on disk (old chunks, dead tuples, WAL) that no SQL command
 * reliably erases, so a password change in the database would leave a blob the old password
 * opens. Here a change overwrites the same bytes of the same file in place, and a deletion
 * overwrites them with zeros before unlinking.
 *
 * <p>A change is journaled so that a crash never leaves an account without a secret: the new
 * blob is first written and synced to {@code <index>.next}, then copied over {@code <index>.wrap}
 * in place and synced, then the journal is zeroed and removed. {@link #recover()} finishes an
 * interrupted change at start-up (the new password wins).
 *
 * <p>Limits, documented in docs/portal.md: in-place overwriting erases the old bytes on ext4/xfs
 * and similar file systems, not on copy-on-write file systems (btrfs, ZFS) or where snapshots
 * or backups copied the file; flash wear levelling may keep a physical copy. Full-disk
 * encryption covers those.
 */
public final class WrappedSecretStore {
  private static final Pattern INDEX = Pattern.compile("[0-9a-f]{16}");
  private static final String WRAP = ".wrap";
  private static final String NEXT = ".next";
  private static volatile WrappedSecretStore portal;

  private final Path dir;

  public WrappedSecretStore(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  /** The store under the portal's data directory ({@code medledger.data.dir}). */
  public static WrappedSecretStore forPortal() {
    WrappedSecretStore s = portal;
    if (s == null) {
      synchronized (WrappedSecretStore.class) {
        s = portal;
        if (s == null) portal = s = new WrappedSecretStore(new PortalConfig().dataDir().resolve("secrets"));
      }
    }
    return s;
  }

  public Path directory() {
    return dir;
  }

  private Path file(String indexHex, String suffix) {
    if (indexHex == null || !INDEX.matcher(indexHex).matches()) {
      throw new IllegalArgumentException("not a participant index: " + indexHex);
    }
    return dir.resolve(indexHex + suffix);
  }

  /** Stores the wrapped σ of a new account, synced to disk before it returns. */
  public synchronized void create(String indexHex, byte[] wrapped) {
    try {
      ensureDirectory();
      Path f = file(indexHex, WRAP);
      try {
        Files.createFile(f, ownerOnlyFile(f));
      } catch (FileAlreadyExistsException e) {
        // left by a registration that crashed before its row was written: same index, overwrite
      }
      overwrite(f, wrapped);
      syncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the wrapped secret of " + indexHex, e);
    }
  }

  public synchronized byte[] read(String indexHex) {
    try {
      return Files.readAllBytes(file(indexHex, WRAP));
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("the wrapped secret of " + indexHex + " is missing from " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the wrapped secret of " + indexHex, e);
    }
  }

  public synchronized boolean exists(String indexHex) {
    return Files.exists(file(indexHex, WRAP));
  }

  /** Replaces the wrapped σ in place (password change): afterwards no file holds the old blob. */
  public synchronized void replace(String indexHex, byte[] wrapped) {
    Path f = file(indexHex, WRAP);
    Path next = file(indexHex, NEXT);
    if (!Files.exists(f)) { // lost with a partial restore: a recovery-kit reset writes it anew
      create(indexHex, wrapped);
      return;
    }
    try {
      Files.deleteIfExists(next);
      Files.createFile(next, ownerOnlyFile(next));
      overwrite(next, wrapped);
      syncDirectory();
      overwrite(f, wrapped);
      wipe(next);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace the wrapped secret of " + indexHex, e);
    }
  }

  /** Deletes the wrapped σ: its bytes are overwritten with zeros and synced before the unlink. */
  public synchronized void erase(String indexHex) {
    try {
      wipe(file(indexHex, NEXT));
      wipe(file(indexHex, WRAP));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot erase the wrapped secret of " + indexHex, e);
    }
  }

  /** The indexes that have a wrapped σ here. */
  public synchronized List<String> indexes() {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + WRAP)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        String index = name.substring(0, name.length() - WRAP.length());
        if (INDEX.matcher(index).matches()) out.add(index);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  /**
   * Finishes password changes a crash interrupted: a journal that holds a whole blob is copied
   * over its account's file, then zeroed and removed. Returns how many were finished.
   */
  public synchronized int recover() {
    if (!Files.isDirectory(dir)) return 0;
    int finished = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + NEXT)) {
      for (Path next : files) {
        String name = next.getFileName().toString();
        String index = name.substring(0, name.length() - NEXT.length());
        if (!INDEX.matcher(index).matches()) continue;
        byte[] blob = Files.readAllBytes(next);
        Path f = file(index, WRAP);
        if (blob.length > 0 && !allZero(blob) && Files.exists(f)) {
          overwrite(f, blob);
          finished++;
        }
        wipe(next);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot recover the secrets in " + dir, e);
    }
    return finished;
  }

  private void ensureDirectory() throws IOException {
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectory(dir, ownerOnlyDirectory(dir));
      } catch (FileAlreadyExistsException e) {
        // created meanwhile
      }
    }
  }

  /** Writes {@code bytes} over the start of the file (same blocks), truncates the rest, syncs. */
  private static void overwrite(Path f, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(f, EnumSet.of(StandardOpenOption.WRITE))) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      long pos = 0;
      while (b.hasRemaining()) pos += ch.write(b, pos);
      if (ch.size() > bytes.length) {
        ch.write(ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE, ch.size() - bytes.length)), bytes.length);
        ch.force(true);
        ch.truncate(bytes.length);
      }
      ch.force(true);
    }
  }

  private void wipe(Path f) throws IOException {
    if (!Files.exists(f)) return;
    long size = Files.size(f);
    if (size > 0) overwrite(f, new byte[(int) Math.min(size, 1 << 20)]);
    Files.deleteIfExists(f);
    syncDirectory();
  }

  private void syncDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every platform opens directories; the data itself was synced
    }
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) if (x != 0) return false;
    return true;
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] ownerOnlyFile(Path p) {
    return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] ownerOnlyDirectory(Path p) {
    return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
        : new FileAttribute<?>[0];
  }
}
