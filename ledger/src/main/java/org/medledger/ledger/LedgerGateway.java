package org.medledger.ledger;

import java.util.Collection;
import java.util.Optional;
import org.medledger.evidence.LedgerProof;

/**
 * The ledger port: what the portal, the benchmarks and the scenario tests need from a ledger
 * running the MedLedger chaincode. Two adapters implement it: the embedded ledger (one process,
 * durable hash-chained block file) and Hyperledger Fabric through fabric-gateway.
 *
 * <p>Every call names the identity it acts as, because the chaincode authorizes by the
 * submitter's certificate (the Fabric "creator"), exactly as on Fabric.
 */
public interface LedgerGateway extends AutoCloseable {

  /**
   * Endorses, orders and commits a transaction invoking {@code function} of the chaincode;
   * returns once the transaction is durable (embedded: fsync'd; Fabric: committed and valid).
   *
   * @throws LedgerException with {@link LedgerException.Kind#REJECTED} when the chaincode
   *     refuses the transaction (its message is meant for the user), other kinds otherwise
   */
  SubmitResult submit(LedgerIdentity identity, String function, byte[]... args);

  /** Runs a read-only chaincode function against the current world state; nothing is ordered. */
  byte[] evaluate(LedgerIdentity identity, String function, byte[]... args);

  /**
   * Streams chaincode events in ledger order. When {@code checkpoint} holds a position the
   * stream resumes right after it (the start block is then ignored); otherwise it starts at
   * {@code startBlock}. The listener is called on one thread, in order; the caller is expected
   * to call {@link Checkpoint#checkpoint(ChaincodeEvent)} after handling each event.
   */
  EventSubscription subscribe(
      LedgerIdentity identity, long startBlock, Checkpoint checkpoint, ChaincodeEventListener listener);

  /** The evidence of one committed transaction: block, time, signer. Empty if unknown. */
  Optional<TransactionEvidence> transaction(LedgerIdentity identity, String transactionId);

  /**
   * What proves the given transactions to someone who trusts neither the portal nor the
   * ledger's operator (docs/evidence.md): the blocks holding them, the chain of block headers
   * from the first of those blocks to the head at this moment, and the certificate authorities
   * of the organisations that signed them.
   *
   * @throws LedgerException with {@link LedgerException.Kind#REJECTED} when a transaction is
   *     not in the ledger
   */
  LedgerProof proof(LedgerIdentity identity, Collection<String> transactionIds);

  /** Number of blocks in the ledger (the next block number). */
  long height();

  @Override
  void close();
}
