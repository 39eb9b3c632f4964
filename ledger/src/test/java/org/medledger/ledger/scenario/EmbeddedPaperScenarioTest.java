package org.medledger.ledger.scenario;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.chaincode.MedLedgerContract;
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
    return (name, role, msp, keys) -> new LedgerIdentity(msp,
        ledger.certificateAuthority(msp).issue(name, role.name().toLowerCase(), keys.getPublic()), keys.getPrivate());
  }
}
