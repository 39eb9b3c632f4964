package org.medledger.ledger.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperledger.fabric.protos.peer.FilteredBlock;
import org.hyperledger.fabric.protos.peer.FilteredTransaction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;
import org.medledger.ledger.LedgerException;

/** Commit status from the block stream, fed with the blocks a peer's filtered stream sends (FabricLedgerIT: on a network). */
class CommitWatchTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private static FilteredBlock block(long number, Object... idsAndCodes) {
    FilteredBlock.Builder b = FilteredBlock.newBuilder().setNumber(number).setChannelId("medledger");
    for (int i = 0; i < idsAndCodes.length; i += 2) {
      b.addFilteredTransactions(FilteredTransaction.newBuilder().setTxid((String) idsAndCodes[i])
          .setTxValidationCode((TxValidationCode) idsAndCodes[i + 1]));
    }
    return b.build();
  }

  @Test
  void aWatchedTransactionCommitsWithItsBlockAndCode() throws Exception {
    CommitWatch w = new CommitWatch();
    w.connected();
    CommitWatch.Waiter a = w.watch("a");
    CommitWatch.Waiter b = w.watch("b");
    CompletableFuture<CommitWatch.Outcome> later = CompletableFuture.supplyAsync(() -> {
      try {
        return b.await(System.nanoTime() + MINUTE);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    w.block(block(7, "x", TxValidationCode.VALID));
    w.block(block(8, "a", TxValidationCode.VALID, "b", TxValidationCode.MVCC_READ_CONFLICT,
        "a", TxValidationCode.DUPLICATE_TXID));
    assertThat(a.await(System.nanoTime() + MINUTE)).isEqualTo(new CommitWatch.Outcome.Committed(8, TxValidationCode.VALID));
    assertThat(later.get(1, TimeUnit.MINUTES))
        .isEqualTo(new CommitWatch.Outcome.Committed(8, TxValidationCode.MVCC_READ_CONFLICT));
    assertThat(w.watching()).isZero();
  }

  @Test
  void withoutAConnectedStreamTheCallerIsToldToAskCommitStatus() throws Exception {
    CommitWatch w = new CommitWatch();
    assertThat(w.watch("a").await(System.nanoTime() + MINUTE)).isInstanceOf(CommitWatch.Outcome.StreamLost.class);

    w.connected();
    CommitWatch.Waiter b = w.watch("b");
    w.lost(); // the peer restarted before b's block came: its block may be missed
    w.connected();
    w.block(block(9, "b", TxValidationCode.VALID));
    assertThat(b.await(System.nanoTime() + MINUTE)).isInstanceOf(CommitWatch.Outcome.StreamLost.class);
    assertThat(w.watching()).isZero();
  }

  @Test
  void aTransactionThatNeverComesTimesOutAndIsForgotten() throws Exception {
    CommitWatch w = new CommitWatch();
    w.connected();
    CommitWatch.Waiter a = w.watch("a");
    assertThat(a.await(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20))).isInstanceOf(CommitWatch.Outcome.TimedOut.class);
    assertThat(w.watching()).isZero();
    w.watch("c").cancel();
    assertThat(w.watching()).isZero();
  }

  @Test
  void anInvalidatedTransactionFailsAsCommitStatusDid() {
    LedgerException conflict = FabricLedger.notCommitted("t1", 8, TxValidationCode.MVCC_READ_CONFLICT);
    assertThat(conflict.kind()).isEqualTo(LedgerException.Kind.UNAVAILABLE);
    assertThat(conflict.getMessage()).contains("t1", "block 8", "MVCC_READ_CONFLICT", "submitting it again may succeed");
    LedgerException policy = FabricLedger.notCommitted("t2", 9, TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    assertThat(policy.kind()).isEqualTo(LedgerException.Kind.FAILED);
    assertThat(policy.getMessage()).contains("t2", "block 9", "ENDORSEMENT_POLICY_FAILURE").doesNotContain("again");
  }
}
