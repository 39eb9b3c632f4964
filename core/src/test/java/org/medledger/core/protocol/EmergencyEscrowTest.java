package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.record.EscrowRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.testing.Fixtures;

/** The patient's emergency escrow: both custodians' shares open it, one alone or a wrong one does not. */
class EmergencyEscrowTest {
  private static final Fixtures F = new Fixtures("escrow");
  private final SecureRandom random = new SecureRandom();

  private BigInteger scalar() {
    byte[] d = new byte[48];
    random.nextBytes(d);
    return P256.scalarFrom(d);
  }

  @Test
  void bothSharesTogetherOpenTheTreatmentKeyAndNothingLess() {
    BigInteger a = scalar(), b = scalar(), c = scalar();
    byte[] pa = P256.encodeCompressed(P256.publicPoint(a)), pb = P256.encodeCompressed(P256.publicPoint(b));
    long patient = Fixtures.index(F.patient);
    EscrowRecord e = EmergencyEscrow.seal(F.built.key(), F.kappa0, F.built.tag(), patient, pa, pb, random);
    byte[] v = RecordCodec.encode(e);
    // header 4, κ0 37, ind 13, H(tag) 37, three points 3×38, box 65
    assertThat(v).hasSize(4 + 37 + 13 + 37 + 3 * 38 + 65);
    EscrowRecord back = (EscrowRecord) RecordCodec.parse(v);
    assertThat(RecordCodec.encode(back)).isEqualTo(v);
    try (SiffKey k = EmergencyEscrow.open(EmergencyEscrow.share(a, back), EmergencyEscrow.share(b, back), back)) {
      assertThat(k.sameAs(F.built.key())).isTrue();
    }
    byte[] wrong = EmergencyEscrow.share(c, back);
    assertThatThrownBy(() -> EmergencyEscrow.open(EmergencyEscrow.share(a, back), wrong, back))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> EmergencyEscrow.open(EmergencyEscrow.share(a, back), new byte[32], back))
        .isInstanceOf(AuthenticationFailedException.class);
    // Moved to another patient index: the AD binds it.
    EscrowRecord moved = new EscrowRecord(e.kappa0(), patient + 1, e.tagHash(), pa, pb, e.ephemeral(), e.box());
    assertThatThrownBy(() -> EmergencyEscrow.open(EmergencyEscrow.share(a, moved), EmergencyEscrow.share(b, moved), moved))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> EmergencyEscrow.seal(F.built.key(), F.kappa0, F.built.tag(), patient, pa, pa, random))
        .isInstanceOf(CryptoException.class).hasMessageContaining("different");
  }
}
