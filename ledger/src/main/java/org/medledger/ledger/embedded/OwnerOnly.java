package org.medledger.ledger.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Files and directories readable by the owner only (0600 / 0700), set when they are created so
 * that no umask and no window between create and chmod exposes them: the block file holds every
 * registration and record, the CA directories hold private keys.
 */
final class OwnerOnly {
  private OwnerOnly() {}

  static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] file(Path p) {
    return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] dir(Path p) {
    return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
        : new FileAttribute<?>[0];
  }

  /** Creates the missing directories of {@code dir}, each 0700 (existing ones are left as they are). */
  static void createDirectories(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) missing.push(p);
    while (!missing.isEmpty()) {
      Path p = missing.pop();
      try {
        Files.createDirectory(p, dir(p));
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) throw e;
      }
    }
  }

  /** Opens {@code file}, creating it 0600 if it does not exist; tightens an existing file to 0600. */
  static FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException {
    FileChannel ch = FileChannel.open(file, options, file(file));
    try {
      restrict(file);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return ch;
  }

  /** Creates {@code file} empty and 0600; fails if it exists. */
  static void createFile(Path file) throws IOException {
    Files.createFile(file, file(file));
  }

  static void restrict(Path file) throws IOException {
    if (posix(file)) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }
}
