package org.medledger.portal.config;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The data directory holds the database, the wrapped secrets, the ledger and the CAs' private
 * keys: at start it is made owner-only (0700, every file 0600, every directory 0700), whatever
 * the umask that created it, with a warning naming what was changed. Files created later are
 * either created owner-only (secrets, ledger, CA keys) or sit in directories nobody else can
 * enter. {@code scripts/portal} also starts the JVM with umask 077.
 */
@ApplicationScoped
public class DataDirectory {
  private static final Logger LOG = Logger.getLogger(DataDirectory.class.getName());
  static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  @Inject PortalConfig config;

  void atStart(@Observes @Priority(100) @Initialized(ApplicationScoped.class) Object ignored) {
    Path dir = config.dataDir();
    List<String> changed = secure(dir);
    if (!changed.isEmpty()) {
      LOG.warning("The data directory " + dir + " was readable by others: made owner-only (0700/0600): "
          + (changed.size() <= 10 ? changed : changed.subList(0, 10) + " and " + (changed.size() - 10) + " more"));
    }
  }

  /** Restricts {@code dir} and everything under it (symbolic links are not followed); returns what changed. */
  public static List<String> secure(Path dir) {
    List<String> changed = new ArrayList<>();
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) return changed;
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(dir);
      }
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          restrict(d, DIR, dir, changed);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
          if (attrs.isRegularFile()) restrict(f, FILE, dir, changed);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
          return FileVisitResult.CONTINUE; // vanished meanwhile (a temporary file)
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restrict the permissions of the data directory " + dir, e);
    }
    return changed;
  }

  private static void restrict(Path p, Set<PosixFilePermission> want, Path root, List<String> changed) throws IOException {
    Set<PosixFilePermission> got = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    if (!got.equals(want)) {
      Files.setPosixFilePermissions(p, want);
      String name = root.relativize(p).toString();
      changed.add((name.isEmpty() ? "." : name) + " (was " + PosixFilePermissions.toString(got) + ")");
    }
  }
}
