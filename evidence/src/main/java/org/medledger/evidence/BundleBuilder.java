package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;

/**
 * Writes an evidence bundle (docs/evidence.md) from what the portal knows of a treatment (each
 * record's transaction id, its title in people's words, the text its member reads) and what
 * the ledger proves ({@link LedgerProof}). Every record's bytes are taken from the ledger's own
 * blocks, never from the portal's copy, so what the bundle calls a record is what the ledger
 * stored.
 */
public final class BundleBuilder {
  private BundleBuilder() {}

  /** Who exported the bundle, as the case file names them. */
  public record Exporter(String name, String role, String institution) {}

  /**
   * One record of the treatment, in ledger order. {@code content}: its decrypted message (the
   * exact bytes), or null when it has none (the consent, the answers, the key record) or the
   * exporter could not open it.
   */
  public record Item(String transactionId, String title, byte[] content) {}

  /**
   * @param treatmentHex κ0, the treatment's ledger key
   * @param wrappedSecret the exporter's wrapped secret (86 bytes), only when they choose that
   *     their password may open the bundle; null otherwise
   */
  public record Export(String treatmentHex, Instant exportedAt, Exporter exporter, byte[] wrappedSecret,
      LedgerProof proof, List<Item> items, byte[] caseFilePdf) {
    public Export {
      Objects.requireNonNull(treatmentHex, "treatmentHex");
      Objects.requireNonNull(exportedAt, "exportedAt");
      Objects.requireNonNull(exporter, "exporter");
      Objects.requireNonNull(proof, "proof");
      items = List.copyOf(items);
    }
  }

  /** A record found in the proof's blocks: which block holds it and its exact bytes. */
  record Located(long block, byte[] record) {}

  public static Bundle build(Export e) {
    HexFormat hex = HexFormat.of();
    Map<String, byte[]> files = new LinkedHashMap<>();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", Bundle.FORMAT);
    m.put("treatment", e.treatmentHex());
    m.put("exportedAt", e.exportedAt().toString());
    Map<String, Object> by = new LinkedHashMap<>();
    by.put("name", e.exporter().name());
    by.put("role", e.exporter().role());
    by.put("institution", e.exporter().institution() == null ? "" : e.exporter().institution());
    m.put("exportedBy", by);
    if (e.wrappedSecret() != null) {
      m.put("passwordWrap", hex.formatHex(e.wrappedSecret()));
    }

    Map<String, Object> ledger = new LinkedHashMap<>();
    List<Object> blocks = new ArrayList<>();
    if (e.proof() instanceof LedgerProof.Embedded p) {
      ledger.put("kind", "embedded");
      ledger.put("channel", EmbeddedFormat.genesis(p.genesis()).channel());
      files.put("ledger/genesis", p.genesis());
      ledger.put("genesis", "ledger/genesis");
      for (LedgerProof.ChainBlock b : p.blocks()) {
        Map<String, Object> bm = new LinkedHashMap<>();
        bm.put("number", b.number());
        if (b.body() != null) {
          String name = "ledger/block-" + b.number();
          files.put(name, b.body());
          bm.put("block", name);
        } else {
          String name = "ledger/header-" + b.number();
          files.put(name, b.header());
          files.put(name + ".signature", b.signature());
          bm.put("header", name);
          bm.put("signature", name + ".signature");
          bm.put("hash", hex.formatHex(b.hash()));
        }
        blocks.add(bm);
      }
      if (p.blocks().isEmpty()) {
        throw new IllegalArgumentException("the proof holds no block");
      }
      LedgerProof.ChainBlock head = p.blocks().get(p.blocks().size() - 1);
      Map<String, Object> hm = new LinkedHashMap<>();
      hm.put("block", head.number());
      hm.put("hash", hex.formatHex(head.hash()));
      hm.put("signature", p.headSignatureHex());
      ledger.put("head", hm);
    } else if (e.proof() instanceof LedgerProof.Fabric p) {
      ledger.put("kind", "fabric");
      ledger.put("channel", p.channel());
      for (LedgerProof.FabricBlock b : p.blocks()) {
        Map<String, Object> bm = new LinkedHashMap<>();
        bm.put("number", b.number());
        if (b.block() != null) {
          String name = "ledger/block-" + b.number() + ".pb";
          files.put(name, b.block());
          bm.put("block", name);
        } else {
          String name = "ledger/header-" + b.number() + ".pb";
          files.put(name, b.header());
          bm.put("header", name);
          files.put("ledger/metadata-" + b.number() + ".pb", b.metadata());
          bm.put("metadata", "ledger/metadata-" + b.number() + ".pb");
        }
        blocks.add(bm);
      }
    }
    ledger.put("blocks", blocks);
    m.put("ledger", ledger);

    List<Object> authorities = new ArrayList<>();
    for (Map.Entry<String, String> a : new TreeMap<>(e.proof().authorities()).entrySet()) {
      String name = "authorities/" + a.getKey() + ".pem";
      files.put(name, a.getValue().getBytes(UTF_8));
      Map<String, Object> am = new LinkedHashMap<>();
      am.put("msp", a.getKey());
      am.put("certificate", name);
      authorities.add(am);
    }
    m.put("authorities", authorities);

    List<Object> records = new ArrayList<>();
    int n = 0;
    for (Item item : e.items()) {
      n++;
      Located at = locate(e.proof(), item.transactionId());
      RecordType type = RecordCodec.peekType(at.record());
      String num = String.format("%02d", n);
      String file = "records/" + num + "-" + type.label();
      files.put(file, at.record());
      Map<String, Object> rm = new LinkedHashMap<>();
      rm.put("number", (long) n);
      rm.put("type", type.label());
      rm.put("title", item.title());
      rm.put("kappa", hex.formatHex(RecordCodec.kappa(at.record())));
      rm.put("transaction", item.transactionId());
      rm.put("block", at.block());
      rm.put("file", file);
      if (item.content() != null) {
        // named by what the bytes are: a cover record, a typed message (content type and body,
        // e.g. a FHIR resource or the cover's FHIR form), or bare text
        String c = "content/" + num + (RecordCodec.looksLikeCover(item.content()) ? ".cover"
            : RecordCodec.looksLikeContent(item.content()) ? ".typed" : ".txt");
        files.put(c, item.content());
        rm.put("content", c);
      }
      records.add(rm);
    }
    m.put("records", records);
    if (e.caseFilePdf() != null) {
      files.put("case-file.pdf", e.caseFilePdf());
      m.put("caseFile", "case-file.pdf");
    }
    Map<String, byte[]> all = new LinkedHashMap<>();
    all.put(Bundle.MANIFEST, Json.write(m).getBytes(UTF_8));
    all.putAll(files);
    return new Bundle(all);
  }

  /**
   * The record that transaction {@code txId} stored, as the proof's blocks hold it (an exporter
   * decrypts these bytes, not its own copy).
   *
   * @throws IllegalArgumentException the proof holds no such Store transaction
   */
  public static byte[] recordOf(LedgerProof proof, String txId) {
    return locate(proof, txId).record();
  }

  private static Located locate(LedgerProof proof, String txId) {
    if (proof instanceof LedgerProof.Embedded p) {
      for (LedgerProof.ChainBlock b : p.blocks()) {
        if (b.body() == null) {
          continue;
        }
        List<EmbeddedFormat.Tx> txs = EmbeddedFormat.block(b.body()).transactions();
        for (EmbeddedFormat.Tx tx : txs == null ? List.<EmbeddedFormat.Tx>of() : txs) {
          if (tx.txId().equals(txId)) {
            return new Located(b.number(), storedRecord(txId, tx.args()));
          }
        }
      }
    } else if (proof instanceof LedgerProof.Fabric p) {
      for (LedgerProof.FabricBlock b : p.blocks()) {
        if (b.block() == null) {
          continue;
        }
        FabricFormat.Found f = FabricFormat.find(b.block(), txId);
        if (f != null) {
          return new Located(b.number(), storedRecord(txId, f.args()));
        }
      }
    }
    throw new IllegalArgumentException("transaction " + txId + " is in none of the proof's blocks");
  }

  /** The record a Store transaction stored: its argument after the function name. */
  static byte[] storedRecord(String txId, List<byte[]> args) {
    if (args.size() != 2 || !"Store".equals(new String(args.get(0), UTF_8))) {
      throw new IllegalArgumentException("transaction " + txId + " is not a Store of one record");
    }
    return args.get(1);
  }
}
