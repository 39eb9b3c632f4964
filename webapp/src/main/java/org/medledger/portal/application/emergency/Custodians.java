package org.medledger.portal.application.emergency;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.P256;
import org.medledger.core.protocol.EmergencyEscrow;
import org.medledger.core.record.EscrowRecord;
import org.medledger.portal.config.PortalConfig;

/**
 * The two emergency custodians (docs/protocol.md §Emergency access). Each holds one P-256 key;
 * a patient's escrow opens only with both shares, and {@link EmergencyService} asks for a share
 * only after the ledger has committed the requesting doctor's justification. In the embedded
 * portal both live in this one process, as everything does (docs/security.md says what that
 * means); in a consortium each is a different organisation's service that checks the ledger on
 * its own peer.
 */
@ApplicationScoped
public class Custodians {
  private static final String FILE = "emergency-custodians.key";

  @Inject PortalConfig config;

  private BigInteger a;
  private BigInteger b;

  @PostConstruct
  void load() {
    Path f = config.dataDir().resolve(FILE);
    try {
      byte[] seeds;
      if (Files.exists(f)) {
        seeds = Files.readAllBytes(f);
      } else {
        seeds = new byte[96];
        new SecureRandom().nextBytes(seeds);
        Files.createDirectories(f.getParent());
        Files.write(f, seeds, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // the data directory's own protection applies
        }
      }
      if (seeds.length != 96) throw new IllegalStateException(f + " is damaged (" + seeds.length + " bytes, expected 96)");
      a = P256.scalarFrom(Arrays.copyOfRange(seeds, 0, 48));
      b = P256.scalarFrom(Arrays.copyOfRange(seeds, 48, 96));
      Bytes.wipe(seeds);
    } catch (IOException e) {
      throw new UncheckedIOException("emergency custodian keys cannot be read or made in " + f, e);
    }
  }

  public byte[] publicA() {
    return P256.encodeCompressed(P256.publicPoint(a));
  }

  public byte[] publicB() {
    return P256.encodeCompressed(P256.publicPoint(b));
  }

  /** Whether this portal's custodians are the escrow's (an escrow for other custodians is not ours to open). */
  boolean holds(EscrowRecord e) {
    return Arrays.equals(e.custodianA(), publicA()) && Arrays.equals(e.custodianB(), publicB());
  }

  /** Custodian A's share; the caller has checked the committed justification. */
  byte[] shareA(EscrowRecord e) {
    return EmergencyEscrow.share(a, e);
  }

  /** Custodian B's share; it checks the ledger again itself (EmergencyService.release). */
  byte[] shareB(EscrowRecord e) {
    return EmergencyEscrow.share(b, e);
  }
}
