package org.medledger.evidence;

import java.util.List;
import java.util.Map;

/**
 * What a ledger gives an exporter to prove a treatment's transactions: the blocks holding
 * them, the chain from the first of those blocks to the head, and the certificate authorities
 * of the organisations that signed them. The ledger module makes one (embedded or Fabric);
 * {@link BundleBuilder} writes it into a bundle.
 */
public sealed interface LedgerProof permits LedgerProof.Embedded, LedgerProof.Fabric {

  /** Each organisation's CA certificate (PEM), by MSP id. */
  Map<String, String> authorities();

  /**
   * The embedded ledger's proof (docs/evidence.md): the genesis (the ledger's self-signed
   * certificate), every block from the first one holding a requested transaction to the head —
   * in full where it holds one, else its header, the ledger's signature over it and its hash —
   * and the head signed by the ledger.
   */
  record Embedded(byte[] genesis, List<ChainBlock> blocks, String headSignatureHex,
      Map<String, String> authorities) implements LedgerProof {
    public Embedded {
      blocks = List.copyOf(blocks);
      authorities = Map.copyOf(authorities);
    }
  }

  /**
   * One block of the embedded chain: {@code body} (the whole block) when it holds a
   * transaction of the treatment, null otherwise; {@code header} and {@code signature} always;
   * {@code hash} = SHA-256 of the whole block.
   */
  record ChainBlock(long number, byte[] body, byte[] header, byte[] signature, byte[] hash) {}

  /**
   * A Fabric channel's proof, from the peer's qscc: each block holding a treatment's
   * transaction in full ({@code common.Block}, with its envelopes: creator, signatures,
   * endorsements), and the header and metadata of every other block up to the channel's height
   * at export time. {@code authorities} include the orderer organisation's CA when known, so
   * the orderers' signatures on every header can be checked.
   */
  record Fabric(String channel, List<FabricBlock> blocks, Map<String, String> authorities) implements LedgerProof {
    public Fabric {
      blocks = List.copyOf(blocks);
      authorities = Map.copyOf(authorities);
    }
  }

  /**
   * {@code block}: the whole block, or null; {@code header}: its header and {@code metadata}
   * its metadata ({@code common.BlockHeader}, {@code common.BlockMetadata}, protobuf bytes):
   * the metadata hold the orderers' signatures over the header, and no transaction.
   */
  record FabricBlock(long number, byte[] block, byte[] header, byte[] metadata) {}
}
