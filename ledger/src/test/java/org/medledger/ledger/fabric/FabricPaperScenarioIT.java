package org.medledger.ledger.fabric;

import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.medledger.ledger.ChaincodeEventListener;
import org.medledger.ledger.Checkpoint;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.SubmitResult;
import org.medledger.ledger.TransactionEvidence;
import org.medledger.ledger.scenario.PaperScenario;
import org.medledger.ledger.scenario.PaperScenarioContract;

/**
 * The paper's scenario on a real Fabric network (fabric/network.sh up; MEDLEDGER_FABRIC_NETWORK
 * names its run directory), participants enrolled through the organisations' Fabric CAs (or
 * their CA keys when the network runs none). Skipped without a network.
 *
 * <p>A network keeps its blocks between runs, so "an empty ledger" is the ledger as it stands
 * when the test starts: event streams that ask for block 0 start at that height instead.
 */
class FabricPaperScenarioIT extends PaperScenarioContract {
  private FabricNetwork network;
  private FabricLedger fabric;
  private LedgerGateway ledger;

  @BeforeEach
  void connect() {
    network = FabricTestNetwork.require();
    fabric = FabricLedger.connect(network.runDirectory());
    ledger = new FromHeight(fabric, fabric.height());
  }

  @AfterEach
  void close() {
    if (fabric != null) fabric.close();
  }

  @Override
  protected LedgerGateway ledger() {
    return ledger;
  }

  @Override
  protected PaperScenario.Enrollment enrollment() {
    return FabricTestNetwork.enrollment(network);
  }

  /** The ledger seen from block {@code base} on. */
  private record FromHeight(LedgerGateway ledger, long base) implements LedgerGateway {
    @Override
    public SubmitResult submit(LedgerIdentity identity, String function, byte[]... args) {
      return ledger.submit(identity, function, args);
    }

    @Override
    public byte[] evaluate(LedgerIdentity identity, String function, byte[]... args) {
      return ledger.evaluate(identity, function, args);
    }

    @Override
    public EventSubscription subscribe(LedgerIdentity identity, long startBlock, Checkpoint checkpoint,
        ChaincodeEventListener listener) {
      return ledger.subscribe(identity, Math.max(startBlock, base), checkpoint, listener);
    }

    @Override
    public Optional<TransactionEvidence> transaction(LedgerIdentity identity, String transactionId) {
      return ledger.transaction(identity, transactionId);
    }

    @Override
    public org.medledger.evidence.LedgerProof proof(LedgerIdentity identity, java.util.Collection<String> transactionIds) {
      return ledger.proof(identity, transactionIds);
    }

    @Override
    public long height() {
      return ledger.height();
    }

    @Override
    public void close() {
      ledger.close();
    }
  }
}
