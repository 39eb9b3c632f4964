package org.medledger.ledger.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.ledger.ConsortiumPolicies;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.embedded.EmbeddedLedger;
import org.medledger.ledger.embedded.LedgerHead;
import org.medledger.ledger.embedded.VerificationReport;

/**
 * The paper's scenario on the embedded ledger running the real chaincode class; afterwards its
 * whole history is replayed as evidence with that chaincode: MedLedger's contract must give the
 * same write sets and events when run again (it is deterministic in what the stub gives it),
 * live, offline against the head as an anchor, and at the next open.
 */
class EmbeddedPaperScenarioTest extends PaperScenarioContract {
  @TempDir Path dir;
  private EmbeddedLedger ledger;

  @BeforeEach
  void open() {
    ledger = EmbeddedLedger.open(dir, new MedLedgerContract());
    // as the portal does at its first start: an administrator writes the consortium policy (R9)
    ConsortiumPolicies.writeIfAbsent(ledger, ledger.certificateAuthority("HospitalMSP").administrator("admin"),
        ConsortiumPolicy.standard(1));
  }

  @AfterEach
  void replay() {
    long height = ledger.height();
    assertThat(height).isPositive();
    VerificationReport live = ledger.verify(ledger.head().orElseThrow());
    assertThat(live.valid()).as(live.toString()).isTrue();
    LedgerHead head = ledger.head().orElseThrow();
    ledger.close();
    VerificationReport offline = EmbeddedLedger.verify(dir, new MedLedgerContract(), head);
    assertThat(offline.valid()).as(offline.toString()).isTrue();
    assertThat(offline.blocksVerified()).isEqualTo(height);
    try (EmbeddedLedger again = EmbeddedLedger.open(dir, new MedLedgerContract())) {
      assertThat(again.height()).isEqualTo(height);
    }
  }

  @Override
  protected LedgerGateway ledger() {
    return ledger;
  }

  @Override
  protected PaperScenario.Enrollment enrollment() {
    return (name, role, msp, keys, displayName, institution) -> new LedgerIdentity(msp,
        ledger.certificateAuthority(msp).issue(name, role.name().toLowerCase(), displayName, institution,
            keys.getPublic()), keys.getPrivate());
  }
}
