package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.protocol.epoch.KeyRing;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;

/**
 * Checks an evidence bundle without any server (docs/evidence.md "What the verifier checks"):
 * every certificate authority, certificate chain, signature, block hash, header link and the
 * head; that each record's bytes are what its transaction stored; the consent's signature; and,
 * given a member's secret, that each record decrypts to the content the bundle shows. Every
 * failed check becomes one problem that names what failed; checking goes on after a failure, so
 * an expert sees everything that is wrong at once.
 */
public final class BundleVerifier {
  private BundleVerifier() {}

  /** What was checked ({@code notes}) and what failed ({@code problems}). */
  public record Result(List<String> notes, List<String> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /**
   * The exporter's secret from their password and the wrapped secret the bundle carries (only
   * when the exporter chose that their password may open it).
   *
   * @throws BundleFormatException the bundle carries no wrapped secret
   * @throws org.medledger.core.crypto.WrongPasswordException the password is not the exporter's
   */
  public static UserSecret secretFromPassword(Bundle bundle, char[] password) {
    Object wrap = bundle.manifest().get("passwordWrap");
    if (!(wrap instanceof String s)) {
      throw new BundleFormatException("this bundle cannot be opened with a password (its exporter did not include"
          + " their wrapped secret): use the recovery code instead");
    }
    try {
      return PasswordWrap.unwrap(HexFormat.of().parseHex(s), password);
    } catch (IllegalArgumentException e) {
      throw new BundleFormatException("the manifest's passwordWrap is not hexadecimal");
    }
  }

  /**
   * What the expert trusts from outside the bundle: CA certificates obtained from the
   * organisations themselves, and a block hash written down earlier (an anchor). A bundle forged
   * from scratch, with its own CAs and its own ledger, passes every check inside it; only these
   * tell it apart.
   *
   * @param authorities CA certificates; each must be the bundle's CA of the same subject
   * @param anchorBlock the block of the anchor, or -1 for none
   * @param anchorHash its hash
   */
  public record Trust(List<X509Certificate> authorities, long anchorBlock, byte[] anchorHash) {
    public static final Trust NONE = new Trust(List.of(), -1, null);

    public Trust {
      authorities = List.copyOf(authorities);
    }
  }

  /** Verifies {@code bundle}; {@code secret} (a member's σ, or null) also checks decryption. */
  public static Result verify(Bundle bundle, UserSecret secret) {
    return verify(bundle, secret, Trust.NONE);
  }

  /** As {@link #verify(Bundle, UserSecret)}, and against what the expert trusts from outside. */
  public static Result verify(Bundle bundle, UserSecret secret, Trust trust) {
    return new Run(bundle, secret, trust).run();
  }

  private static final class Run {
    private final Bundle bundle;
    private final UserSecret secret;
    private final Trust trust;
    /** Every block hash of the chain, by number (to check an anchor). */
    private final Map<Long, byte[]> chainHashes = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, X509Certificate> authorities = new HashMap<>();
    /** Parsed blocks that the bundle holds in full (embedded or Fabric), by number. */
    private final Map<Long, EmbeddedFormat.Block> embeddedBlocks = new HashMap<>();
    private final Map<Long, byte[]> fabricBlocks = new HashMap<>();
    private String channel = "";
    private String kind = "";

    Run(Bundle bundle, UserSecret secret, Trust trust) {
      this.bundle = bundle;
      this.secret = secret;
      this.trust = trust;
    }

    Result run() {
      Map<String, Object> m = bundle.manifest();
      if (!Bundle.FORMAT.equals(m.get("format"))) {
        throw new BundleFormatException("the manifest's format is " + m.get("format") + ", not " + Bundle.FORMAT);
      }
      String treatment = M.str(m, "treatment", "the manifest");
      if (!treatment.matches("[0-9a-f]{64}")) {
        throw new BundleFormatException("the manifest's treatment is not a ledger key (64 hex digits)");
      }
      Map<String, Object> by = M.obj(m, "exportedBy", "the manifest");
      notes.add("treatment " + treatment);
      notes.add("exported " + M.str(m, "exportedAt", "the manifest") + " by " + M.str(by, "name", "exportedBy") + " ("
          + M.str(by, "role", "exportedBy") + (M.str(by, "institution", "exportedBy").isEmpty() ? "" : ", "
          + M.str(by, "institution", "exportedBy")) + ")");
      authorities(M.list(m, "authorities", "the manifest"));
      Map<String, Object> ledger = M.obj(m, "ledger", "the manifest");
      kind = M.str(ledger, "kind", "ledger");
      channel = M.str(ledger, "channel", "ledger");
      switch (kind) {
        case "embedded" -> embeddedChain(ledger);
        case "fabric" -> fabricChain(ledger);
        default -> throw new BundleFormatException("the manifest's ledger kind is " + kind
            + ", neither embedded nor fabric");
      }
      records(treatment, M.list(m, "records", "the manifest"));
      trusted();
      return new Result(List.copyOf(notes), List.copyOf(problems));
    }

    private byte[] file(String name, String what) {
      byte[] b = bundle.entry(name);
      if (b == null) {
        throw new BundleFormatException(what + ": the bundle has no file " + name);
      }
      return b;
    }

    // ------------------------------------------------------------------ trust from outside

    private void trusted() {
      for (X509Certificate given : trust.authorities()) {
        X509Certificate same = authorities.values().stream()
            .filter(c -> c.getSubjectX500Principal().equals(given.getSubjectX500Principal())).findFirst().orElse(null);
        String name = given.getSubjectX500Principal().getName();
        if (same == null) {
          problems.add("the certificate authority " + name + " you gave is not among the bundle's");
        } else if (!Arrays.equals(Verifying.fingerprintBytes(same), Verifying.fingerprintBytes(given))) {
          problems.add("the bundle's certificate authority " + name + " is not the one you gave (a different key"
              + " or certificate: the bundle was not made on that organisation's ledger)");
        } else {
          notes.add("certificate authority " + name + " is the one you gave");
        }
      }
      if (trust.anchorBlock() >= 0) {
        byte[] at = chainHashes.get(trust.anchorBlock());
        if (at == null) {
          problems.add("the anchor names block " + trust.anchorBlock() + ", which is not in the bundle's chain");
        } else if (!Arrays.equals(at, trust.anchorHash())) {
          problems.add("block " + trust.anchorBlock() + ": its hash is not the anchor's (the history was rewritten"
              + " up to it, or the bundle is from another ledger)");
        } else {
          notes.add("block " + trust.anchorBlock() + " has the anchor's hash");
        }
      }
    }

    // ------------------------------------------------------------------ authorities

    private void authorities(List<Object> list) {
      for (int i = 0; i < list.size(); i++) {
        Map<String, Object> a = M.obj(list.get(i), "authorities[" + i + "]");
        String msp = M.str(a, "msp", "authorities[" + i + "]");
        String name = M.str(a, "certificate", "authorities[" + i + "]");
        String what = "the certificate authority of " + msp + " (" + name + ")";
        X509Certificate ca = Verifying.certificate(file(name, what));
        if (ca == null) {
          problems.add(what + ": it is not a readable X.509 certificate (bytes changed)");
          continue;
        }
        if (!Verifying.issuedBy(ca, ca)) {
          problems.add(what + ": its self-signature does not verify (bytes changed)");
          continue;
        }
        authorities.put(msp, ca);
        notes.add("certificate authority of " + msp + ": " + ca.getSubjectX500Principal().getName()
            + ", SHA-256 fingerprint " + Verifying.fingerprint(ca)
            + " (compare it with the one the organisation publishes)");
      }
    }

    // ------------------------------------------------------------------ embedded chain

    private void embeddedChain(Map<String, Object> ledger) {
      EmbeddedFormat.Genesis g;
      try {
        g = EmbeddedFormat.genesis(file(M.str(ledger, "genesis", "ledger"), "the genesis"));
      } catch (BundleFormatException e) {
        problems.add("the ledger's genesis: " + e.getMessage() + " (bytes changed); no block can be checked without it");
        return;
      }
      X509Certificate orderer = Verifying.certificate(g.ordererPem().getBytes(UTF_8));
      if (orderer == null) {
        problems.add("the ledger's genesis: its certificate is not readable (bytes changed)");
        return;
      }
      if (!Verifying.signatureValid(orderer.getPublicKey(), g.signed(), g.signature())) {
        problems.add("the ledger's genesis: its signature does not verify with its certificate (bytes changed)");
      }
      if (!g.channel().equals(channel)) {
        problems.add("the ledger's genesis names channel " + g.channel() + ", the manifest " + channel);
      }
      notes.add("embedded ledger, channel " + g.channel() + ", created " + g.created() + "; its signing certificate: "
          + orderer.getSubjectX500Principal().getName() + ", SHA-256 fingerprint " + Verifying.fingerprint(orderer));
      List<Object> blocks = M.list(ledger, "blocks", "ledger");
      if (blocks.isEmpty()) {
        throw new BundleFormatException("the manifest's ledger lists no block");
      }
      byte[] previousHash = null;
      long previousNumber = -1;
      for (int i = 0; i < blocks.size(); i++) {
        String where = "ledger.blocks[" + i + "]";
        Map<String, Object> bm = M.obj(blocks.get(i), where);
        long number = M.num(bm, "number", where);
        if (i > 0 && number != previousNumber + 1) {
          throw new BundleFormatException("the manifest's blocks skip from " + previousNumber + " to " + number);
        }
        String label = "block " + number;
        EmbeddedFormat.Header header;
        byte[] signature;
        byte[] hash;
        if (bm.containsKey("block")) {
          byte[] body = file(M.str(bm, "block", where), label);
          hash = Verifying.sha256(body);
          EmbeddedFormat.Block block;
          try {
            block = EmbeddedFormat.block(body);
          } catch (BundleFormatException e) {
            problems.add(label + ": " + e.getMessage() + " (bytes changed)");
            previousHash = hash;
            previousNumber = number;
            continue;
          }
          header = block.header();
          signature = block.signature();
          if (!Arrays.equals(Verifying.sha256(block.data()), header.dataHash())) {
            problems.add(label + ": its transactions do not hash to the data hash in its header (bytes changed)");
          } else if (block.transactions() == null) {
            problems.add(label + ": its transactions are unreadable");
          } else {
            embeddedBlocks.put(number, block);
          }
        } else {
          byte[] raw = file(M.str(bm, "header", where), label + "'s header");
          try {
            header = EmbeddedFormat.header(raw);
          } catch (BundleFormatException | java.nio.BufferUnderflowException e) {
            problems.add(label + ": its header is unreadable (bytes changed)");
            previousHash = M.hex(bm, "hash", where);
            previousNumber = number;
            continue;
          }
          signature = file(M.str(bm, "signature", where), label + "'s signature");
          // The embedded ledger hashes the whole block, so a block the bundle holds by its
          // header only comes with its hash, which the next header (signed) or the signed head
          // vouches for.
          hash = M.hex(bm, "hash", where);
        }
        if (header.number() != number) {
          problems.add(label + ": its header says it is block " + header.number() + " (bytes changed)");
        }
        if (!Verifying.signatureValid(orderer.getPublicKey(), header.bytes(), signature)) {
          problems.add(label + ": the ledger's signature on its header does not verify (bytes changed)");
        }
        if (previousHash != null && !Arrays.equals(header.previousHash(), previousHash)) {
          problems.add(label + ": its previous-block hash is not the hash of block " + previousNumber
              + " (the chain between them is broken)");
        }
        previousHash = hash;
        previousNumber = number;
        chainHashes.put(number, hash);
      }
      Map<String, Object> head = M.obj(ledger, "head", "ledger");
      long headNumber = M.num(head, "block", "ledger.head");
      byte[] headHash = M.hex(head, "hash", "ledger.head");
      if (headNumber != previousNumber) {
        problems.add("the head is block " + headNumber + " but the chain ends at block " + previousNumber);
      } else if (!Arrays.equals(headHash, previousHash)) {
        problems.add("the head (block " + headNumber + "): its hash is not the hash of block " + headNumber);
      }
      if (!Verifying.signatureValid(orderer.getPublicKey(), EmbeddedFormat.checkpoint(g.channel(), headNumber, headHash),
          M.hex(head, "signature", "ledger.head"))) {
        problems.add("the head (block " + headNumber + "): the ledger's signature does not verify (bytes changed)");
      }
      notes.add("head at export: block " + headNumber + ", hash " + Verifying.hex(headHash)
          + " (compare it with a fingerprint written down elsewhere, e.g. on the portal's settings page)");
    }

    // ------------------------------------------------------------------ Fabric chain

    private void fabricChain(Map<String, Object> ledger) {
      List<Object> blocks = M.list(ledger, "blocks", "ledger");
      if (blocks.isEmpty()) {
        throw new BundleFormatException("the manifest's ledger lists no block");
      }
      byte[] previousHash = null;
      long previousNumber = -1;
      for (int i = 0; i < blocks.size(); i++) {
        String where = "ledger.blocks[" + i + "]";
        Map<String, Object> bm = M.obj(blocks.get(i), where);
        long number = M.num(bm, "number", where);
        if (i > 0 && number != previousNumber + 1) {
          throw new BundleFormatException("the manifest's blocks skip from " + previousNumber + " to " + number);
        }
        String label = "block " + number;
        BlockHeader header;
        try {
          org.hyperledger.fabric.protos.common.BlockMetadata metadata;
          if (bm.containsKey("block")) {
            byte[] bytes = file(M.str(bm, "block", where), label);
            Block block = FabricFormat.block(bytes);
            header = block.getHeader();
            metadata = block.getMetadata();
            if (!Arrays.equals(FabricFormat.dataHash(block), header.getDataHash().toByteArray())) {
              problems.add(label + ": its transactions do not hash to the data hash in its header (bytes changed)");
            } else {
              fabricBlocks.put(number, bytes);
            }
          } else {
            header = FabricFormat.header(file(M.str(bm, "header", where), label + "'s header"));
            metadata = FabricFormat.metadata(file(M.str(bm, "metadata", where), label + "'s metadata"));
          }
          ordererSigned(label, header, metadata);
        } catch (BundleFormatException e) {
          problems.add(label + ": " + e.getMessage() + " (bytes changed)");
          previousHash = null;
          previousNumber = number;
          continue;
        }
        if (header.getNumber() != number) {
          problems.add(label + ": its header says it is block " + header.getNumber() + " (bytes changed)");
        }
        if (previousHash != null && !Arrays.equals(header.getPreviousHash().toByteArray(), previousHash)) {
          problems.add(label + ": its previous-block hash is not the hash of block " + previousNumber
              + " (the chain between them is broken)");
        }
        previousHash = FabricFormat.hash(header);
        previousNumber = number;
        chainHashes.put(number, previousHash);
      }
      notes.add("Hyperledger Fabric channel " + channel + "; head at export: block " + previousNumber
          + (previousHash == null ? "" : ", hash " + Verifying.hex(previousHash))
          + " (compare it with the channel's blocks on any peer: peer channel getinfo)");
    }

    private boolean ordererUnchecked;

    /**
     * Every orderer's signature on the header verifies, by a certificate its organisation's CA
     * (in the bundle) issued; without that CA (a bundle from a network whose orderer CA was not
     * found) the signatures are noted as not checked, once.
     */
    private void ordererSigned(String label, BlockHeader header,
        org.hyperledger.fabric.protos.common.BlockMetadata metadata) {
      List<FabricFormat.OrdererSignature> sigs = FabricFormat.ordererSignatures(header, metadata);
      if (sigs.isEmpty()) {
        problems.add(label + ": it carries no orderer's signature");
        return;
      }
      for (FabricFormat.OrdererSignature s : sigs) {
        X509Certificate ca = authorities.get(s.orderer().mspId());
        X509Certificate cert = Verifying.certificate(s.orderer().certificatePem().getBytes(UTF_8));
        if (ca == null || cert == null) {
          if (!ordererUnchecked) {
            notes.add("the orderers' signatures were not checked: the bundle has no certificate authority of "
                + s.orderer().mspId());
            ordererUnchecked = true;
          }
          return;
        }
        if (!Verifying.issuedBy(cert, ca)) {
          problems.add(label + ": its orderer " + subject(cert) + " was not issued by the certificate authority of "
              + s.orderer().mspId());
        } else if (!Verifying.signatureValid(cert.getPublicKey(), s.signed(), s.signature())) {
          problems.add(label + ": the orderer's signature on its header does not verify (bytes changed)");
        }
      }
    }

    // ------------------------------------------------------------------ records

    /**
     * With a secret: the member's keys of every key epoch they hold, rebuilt from the bundle's own
     * records (docs/protocol.md §Key epochs, "Reading"); wiped when the records are checked.
     */
    private KeyRing ring;
    /** H(tag) of the epochs after the first, from the bundle's epoch records. */
    private final Set<String> laterEpochTags = new HashSet<>();

    private void records(String treatment, List<Object> records) {
      ring = secret == null ? null : keyRing(treatment, records);
      try {
        checkRecords(treatment, records);
      } finally {
        if (ring != null) ring.close();
      }
    }

    private KeyRing keyRing(String treatment, List<Object> records) {
      List<LedgerRecord> inOrder = new ArrayList<>();
      for (int i = 0; i < records.size(); i++) {
        try {
          Map<String, Object> r = M.obj(records.get(i), "records[" + i + "]");
          LedgerRecord rec = RecordCodec.parse(bundle.entry(M.str(r, "file", "records[" + i + "]")));
          inOrder.add(rec);
          if (rec instanceof KeyEpoch e) laterEpochTags.add(HexFormat.of().formatHex(SiffTag.parse(e.tag()).hash()));
        } catch (RuntimeException unreadable) {
          // named by the record's own check
        }
      }
      try {
        return KeyRing.ofTreatment(secret, HexFormat.of().parseHex(treatment), inOrder).orElse(null);
      } catch (CryptoException | IllegalArgumentException e) {
        problems.add("the treatment's key epochs cannot be read from the bundle's records (" + e.getMessage() + ")");
        return null;
      }
    }

    private void checkRecords(String treatment, List<Object> records) {
      int decrypted = 0;
      int contents = 0;
      int otherEpoch = 0;
      boolean opened = false;
      for (int i = 0; i < records.size(); i++) {
        String where = "records[" + i + "]";
        Map<String, Object> r = M.obj(records.get(i), where);
        long n = M.num(r, "number", where);
        String txId = M.str(r, "transaction", where);
        long blockNumber = M.num(r, "block", where);
        String title = M.str(r, "title", where).toLowerCase(Locale.ROOT);
        String label = "record " + n + " (" + title + ", tx " + shortId(txId) + ")";
        byte[] bytes = file(M.str(r, "file", where), label);
        String kappa = Verifying.hex(Verifying.sha256(bytes));
        if (!kappa.equals(M.str(r, "kappa", where))) {
          problems.add(label + ": its bytes do not hash to the ledger key κ the manifest gives it (bytes changed)");
        }
        if (kind.equals("embedded")) {
          embeddedRecord(label, txId, blockNumber, bytes);
        } else {
          fabricRecord(label, txId, blockNumber, bytes);
        }
        LedgerRecord rec;
        try {
          rec = RecordCodec.parse(bytes);
        } catch (RuntimeException e) {
          problems.add(label + ": it is not a MedLedger record (" + e.getMessage() + ")");
          continue;
        }
        if (!rec.type().label().equals(M.str(r, "type", where))) {
          problems.add(label + ": it is a " + rec.type().label() + ", the manifest says " + M.str(r, "type", where));
        }
        byte[] k0 = HexFormat.of().parseHex(treatment);
        if (rec instanceof Txtc txtc) {
          opened |= kappa.equals(treatment);
          if (!kappa.equals(treatment)) {
            problems.add(label + ": it is the opening of another treatment (its hash is not " + shortId(treatment) + ")");
          }
          if (!TreatmentProtocol.consentValid(txtc.consent())) {
            problems.add(label + ": the patient's signature on the consent does not verify");
          } else {
            notes.add("the consent (record " + n + ") carries the patient's valid signature");
          }
        } else if (rec instanceof Txtr tr && !Arrays.equals(tr.kappa0(), k0)
            || rec instanceof Txk tk && !Arrays.equals(tk.kappa0(), k0)
            || rec instanceof ProcessRecord p && !Arrays.equals(p.kappa0(), k0)
            || rec instanceof MemberChange mc && !Arrays.equals(mc.kappa0(), k0)
            || rec instanceof KeyEpoch ke && !Arrays.equals(ke.kappa0(), k0)) {
          problems.add(label + ": it belongs to another treatment");
        }
        Object content = r.get("content");
        if (content != null) {
          contents++;
        }
        if (ring != null && rec instanceof ProcessRecord p) {
          byte[] plain;
          try {
            String tagHash = HexFormat.of().formatHex(SiffTag.parse(p.tag()).hash());
            if (ring.keyFor(SiffTag.parse(p.tag())).isEmpty() && laterEpochTags.contains(tagHash)) {
              // Written under a key epoch this member does not hold (after they left): nothing to
              // check, and nothing the bundle may show.
              otherEpoch++;
              if (content != null) {
                problems.add(label + ": the bundle shows content for it, but this secret cannot open its key");
              }
              continue;
            }
            plain = ring.read(p);
          } catch (CryptoException | IllegalArgumentException e) {
            problems.add(label + ": it cannot be decrypted with this secret (not a member's secret, or the record"
                + " was altered)");
            continue;
          }
          decrypted++;
          if (content == null) {
            problems.add(label + ": it decrypts, but the bundle shows no content for it");
          } else if (!Arrays.equals(plain, file(String.valueOf(content), label))) {
            problems.add(label + ": its decrypted content differs from " + content + " (bytes changed)");
          }
        }
      }
      if (!opened) {
        problems.add("the bundle holds no record that opens treatment " + shortId(treatment)
            + " (the consent with the patient's signature is missing)");
      }
      notes.add(records.size() + " records checked against the ledger");
      if (secret == null) {
        notes.add(contents + " decrypted contents shown but not checked (give a member's recovery code or password"
            + " to check them)");
      } else {
        notes.add(decrypted + " records decrypted with the given secret");
      }
      if (otherEpoch > 0) {
        notes.add(otherEpoch + (otherEpoch == 1 ? " record" : " records") + " of a later key this secret cannot open"
            + " (written after this member left the treatment); the bundle rightly shows no content for "
            + (otherEpoch == 1 ? "it" : "them"));
      }
    }

    private void embeddedRecord(String label, String txId, long blockNumber, byte[] bytes) {
      EmbeddedFormat.Block block = embeddedBlocks.get(blockNumber);
      if (block == null) {
        problems.add(label + ": block " + blockNumber + ", which holds it, is not in the bundle or failed its checks");
        return;
      }
      EmbeddedFormat.Tx tx = block.transactions().stream().filter(t -> t.txId().equals(txId)).findFirst().orElse(null);
      if (tx == null) {
        problems.add(label + ": block " + blockNumber + " holds no transaction " + shortId(txId));
        return;
      }
      if (tx.args().size() != 2 || !Arrays.equals(tx.args().get(0), "Store".getBytes(UTF_8))
          || !Arrays.equals(tx.args().get(1), bytes)) {
        problems.add(label + ": its bytes differ from what transaction " + shortId(txId) + " stored in block "
            + blockNumber + " (bytes changed)");
      }
      if (tx.validationCode() != 0) {
        problems.add(label + ": the ledger marked its transaction invalid (code " + tx.validationCode() + ")");
      }
      X509Certificate cert = creator(label, tx.mspId(), tx.certificatePem(), tx.timestamp());
      if (cert != null && !Verifying.signatureValid(cert.getPublicKey(),
          EmbeddedFormat.proposal(channel, "medledger", tx), tx.signature())) {
        problems.add(label + ": the signature of its submitter (" + subject(cert) + ") does not verify");
      }
    }

    private void fabricRecord(String label, String txId, long blockNumber, byte[] bytes) {
      byte[] block = fabricBlocks.get(blockNumber);
      if (block == null) {
        problems.add(label + ": block " + blockNumber + ", which holds it, is not in the bundle or failed its checks");
        return;
      }
      FabricFormat.Found tx = FabricFormat.find(block, txId);
      if (tx == null) {
        problems.add(label + ": block " + blockNumber + " holds no transaction " + shortId(txId));
        return;
      }
      if (tx.args().size() != 2 || !Arrays.equals(tx.args().get(0), "Store".getBytes(UTF_8))
          || !Arrays.equals(tx.args().get(1), bytes)) {
        problems.add(label + ": its bytes differ from what transaction " + shortId(txId) + " stored in block "
            + blockNumber + " (bytes changed)");
      }
      if (tx.validationCode() != 0) {
        problems.add(label + ": the peers marked its transaction invalid (code " + tx.validationCode() + ")");
      }
      X509Certificate cert = creator(label, tx.creator().mspId(), tx.creator().certificatePem(), tx.timestamp());
      if (cert != null && !Verifying.signatureValid(cert.getPublicKey(), tx.payload(), tx.signature())) {
        problems.add(label + ": the signature of its submitter (" + subject(cert) + ") does not verify");
      }
      if (tx.endorsements().isEmpty()) {
        problems.add(label + ": its transaction carries no endorsement");
      }
      for (FabricFormat.Endorsed e : tx.endorsements()) {
        X509Certificate peer = Verifying.certificate(e.endorser().certificatePem().getBytes(UTF_8));
        X509Certificate ca = authorities.get(e.endorser().mspId());
        if (peer == null) {
          problems.add(label + ": an endorser's certificate is unreadable");
        } else if (ca != null && !Verifying.issuedBy(peer, ca)) {
          problems.add(label + ": its endorser " + subject(peer) + " was not issued by the certificate authority of "
              + e.endorser().mspId());
        } else if (!Verifying.signatureValid(peer.getPublicKey(), e.signed(), e.signature())) {
          problems.add(label + ": the endorsement by " + subject(peer) + " does not verify");
        }
      }
    }

    /** The submitter's certificate, checked against its organisation's CA; null when unusable. */
    private X509Certificate creator(String label, String msp, String pem, Instant time) {
      X509Certificate cert = Verifying.certificate(pem.getBytes(UTF_8));
      if (cert == null) {
        problems.add(label + ": its submitter's certificate is unreadable");
        return null;
      }
      X509Certificate ca = authorities.get(msp);
      if (ca == null) {
        problems.add(label + ": the bundle has no valid certificate authority of " + msp + ", which issued its submitter's"
            + " certificate");
      } else if (!Verifying.issuedBy(cert, ca)) {
        problems.add(label + ": its submitter's certificate (" + subject(cert) + ") was not issued by the certificate"
            + " authority of " + msp);
      } else if (!Verifying.validAt(cert, time)) {
        problems.add(label + ": its submitter's certificate (" + subject(cert) + ") was not valid at " + time);
      }
      return cert;
    }

    private static String subject(X509Certificate c) {
      return c.getSubjectX500Principal().getName();
    }

    private static String shortId(String id) {
      return id.length() <= 8 ? id : id.substring(0, 8) + "…";
    }
  }

  /** Typed reads of the manifest; a missing or mistyped field is a {@link BundleFormatException}. */
  private static final class M {
    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object v, String where) {
      if (!(v instanceof Map)) {
        throw new BundleFormatException("the manifest's " + where + " is not an object");
      }
      return (Map<String, Object>) v;
    }

    static Map<String, Object> obj(Map<String, Object> m, String key, String where) {
      return obj(m.get(key), where + "." + key);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> m, String key, String where) {
      if (!(m.get(key) instanceof List)) {
        throw new BundleFormatException("the manifest's " + where + " has no list \"" + key + "\"");
      }
      return (List<Object>) m.get(key);
    }

    static String str(Map<String, Object> m, String key, String where) {
      if (!(m.get(key) instanceof String s)) {
        throw new BundleFormatException("the manifest's " + where + " has no text \"" + key + "\"");
      }
      return s;
    }

    static long num(Map<String, Object> m, String key, String where) {
      if (!(m.get(key) instanceof Long n)) {
        throw new BundleFormatException("the manifest's " + where + " has no number \"" + key + "\"");
      }
      return n;
    }

    static byte[] hex(Map<String, Object> m, String key, String where) {
      try {
        return HexFormat.of().parseHex(str(m, key, where));
      } catch (IllegalArgumentException e) {
        throw new BundleFormatException("the manifest's " + where + "." + key + " is not hexadecimal");
      }
    }
  }
}
