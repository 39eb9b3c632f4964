package org.medledger.ledger.scenario;

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

/** The paper's scenario on the embedded ledger running the real chaincode class. */
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
  void close() {
    ledger.close();
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
