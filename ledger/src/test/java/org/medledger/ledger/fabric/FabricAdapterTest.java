package org.medledger.ledger.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.HexFormat;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.junit.jupiter.api.Test;
import org.medledger.ledger.InMemoryCheckpoint;
import org.medledger.ledger.LedgerException;

/** The Fabric adapter's pure parts, without a network (the rest: Fabric*IT). */
class FabricAdapterTest {

  @Test
  void ourCheckpointIsFabricsCheckpointer() throws Exception {
    InMemoryCheckpoint cp = new InMemoryCheckpoint();
    FabricCheckpointer f = new FabricCheckpointer(cp);
    assertThat(f.getBlockNumber()).isEmpty();
    f.checkpointTransaction(7, "tx1");
    assertThat(cp.blockNumber()).hasValue(7);
    assertThat(cp.transactionId()).hasValue("tx1");
    assertThat(f.getTransactionId()).hasValue("tx1");
    f.checkpointBlock(7);
    assertThat(f.getBlockNumber()).hasValue(8);
    assertThat(f.getTransactionId()).isEmpty();
  }

  @Test
  void theChaincodesRefusalIsRejectedWithItsOwnMessage() {
    GatewayException e = new GatewayException(Status.UNKNOWN
        .withDescription("evaluate call to endorser returned error: chaincode response 500, R6: only the selected doctor may write txd")
        .asRuntimeException());
    LedgerException l = FabricLedger.translate("Store", e);
    assertThat(l.kind()).isEqualTo(LedgerException.Kind.REJECTED);
    assertThat(l.getMessage()).isEqualTo("R6: only the selected doctor may write txd");
  }

  @Test
  void anUnreachablePeerIsUnavailable() {
    LedgerException l = FabricLedger.translate("Store",
        new GatewayException(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()));
    assertThat(l.kind()).isEqualTo(LedgerException.Kind.UNAVAILABLE);
  }

  @Test
  void theBlockHashIsSha256OfTheDerHeader() {
    // SHA-256 of DER SEQUENCE{INTEGER 0, OCTET STRING "", OCTET STRING 32 zero bytes}, as built
    // by hand with printf and hashed with sha256sum. (FabricLedgerIT checks it against a peer.)
    BlockHeader h = BlockHeader.newBuilder().setNumber(0).setPreviousHash(ByteString.EMPTY)
        .setDataHash(ByteString.copyFrom(new byte[32])).build();
    String hex = HexFormat.of().formatHex(FabricLedger.blockHash(h));
    assertThat(hex).isEqualTo("800b9c7f6a272f3d699331b0a3374dc6ac0739cfae2b338041f3506bd932d0a0");
  }
}
