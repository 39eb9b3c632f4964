package org.medledger.portal.infrastructure.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.fabric.FabricNetwork;

/** medledger.fabric.org names an organisation of the network by node name or MSP id (no network needed). */
class FabricOrganisationSettingTest {

  @Test
  void nodeNameOrMspIdChooseTheOrganisation(@TempDir Path run) throws IOException {
    FabricNetwork network = network(run);
    assertThat(LedgerProducer.organisation(network, "hospital")).isEqualTo("HospitalMSP");
    assertThat(LedgerProducer.organisation(network, "lawfirm")).isEqualTo("LawFirmMSP");
    assertThat(LedgerProducer.organisation(network, "LawFirmMSP")).isEqualTo("LawFirmMSP");
    assertThat(LedgerProducer.organisation(network, " lawfirmmsp ")).isEqualTo("LawFirmMSP");
    assertThatThrownBy(() -> LedgerProducer.organisation(network, "pharmacy"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pharmacy").hasMessageContaining("lawfirm (LawFirmMSP)");
  }

  private static FabricNetwork network(Path run) throws IOException {
    StringBuilder p = new StringBuilder("channel=medledger\nchaincode=medledger\nscript=/x/network.sh\nbin=/x/bin\n");
    for (String[] o : new String[][] {{"HospitalMSP", "hospital"}, {"LawFirmMSP", "lawfirm"}}) {
      String k = "org." + o[0] + ".";
      p.append(k).append("node=").append(o[1]).append('\n')
          .append(k).append("peer.address=127.0.0.1:7051\n");
      for (String f : new String[] {"peer.tlsCaCert", "ca.cert", "ca.key", "user.cert", "user.key", "admin.msp", "cli.config"}) {
        p.append(k).append(f).append("=/x/").append(f).append('\n');
      }
    }
    Files.writeString(run.resolve("network.properties"), p);
    return FabricNetwork.load(run);
  }
}
