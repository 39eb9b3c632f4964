package org.medledger.portal.infrastructure.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrappedSecretStoreTest {
  @TempDir Path tmp;

  private static byte[] blob(int fill) {
    byte[] b = new byte[86];
    Arrays.fill(b, (byte) fill);
    b[0] = 'M';
    return b;
  }

  @Test
  void aReplacementOverwritesTheSameFileAndLeavesNoJournal() throws Exception {
    WrappedSecretStore s = new WrappedSecretStore(tmp.resolve("secrets"));
    s.create("00112233aabbccdd", blob(1));
    Path f = s.directory().resolve("00112233aabbccdd.wrap");
    Object inode = Files.readAttributes(f, "unix:ino").get("ino");
    s.replace("00112233aabbccdd", blob(2));
    assertThat(s.read("00112233aabbccdd")).isEqualTo(blob(2));
    assertThat(Files.readAttributes(f, "unix:ino").get("ino")).as("same file, overwritten in place").isEqualTo(inode);
    try (var files = Files.list(s.directory())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("00112233aabbccdd.wrap");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.directory()))).isEqualTo("rwx------");
  }

  @Test
  void aStartFinishesAChangeACrashInterruptedAndErasingRemovesTheFile() throws Exception {
    WrappedSecretStore s = new WrappedSecretStore(tmp.resolve("secrets"));
    s.create("00112233aabbccdd", blob(1));
    // the crash came after the journal was synced, before the account's file was overwritten
    Files.write(s.directory().resolve("00112233aabbccdd.next"), blob(3));
    assertThat(s.recover()).isEqualTo(1);
    assertThat(s.read("00112233aabbccdd")).isEqualTo(blob(3));
    assertThat(Files.exists(s.directory().resolve("00112233aabbccdd.next"))).isFalse();
    assertThat(s.indexes()).containsExactly("00112233aabbccdd");
    s.erase("00112233aabbccdd");
    assertThat(s.indexes()).isEmpty();
    assertThat(s.exists("00112233aabbccdd")).isFalse();
    s.replace("00112233aabbccdd", blob(4)); // a reset from the recovery kit after the file was lost
    assertThat(s.read("00112233aabbccdd")).isEqualTo(blob(4));
  }
}
