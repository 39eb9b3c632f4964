package org.medledger.ledger.embedded;

import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An anchor for the ledger's history: a block number, that block's hash and, when exported by
 * the ledger, the ledger's signature over both. Kept outside the ledger (a case file, a printed
 * page), it lets {@link EmbeddedLedger#verify(java.nio.file.Path,
 * org.hyperledger.fabric.contract.ContractInterface, LedgerHead)} detect what a hash chain alone
 * cannot: blocks cut off at the end, or a history rewritten from some block on.
 *
 * <p>Text form: {@code <blockNumber>:<hash hex>} or, signed, {@code <blockNumber>:<hash
 * hex>:<signature hex>}; the signature is ECDSA P-256 / SHA-256 (DER) by the ledger's key over
 * {@code "MLCP" | str "medledger" | u64 blockNumber | 32-byte hash}.
 *
 * @param blockNumber the block the anchor names
 * @param blockHashHex SHA-256 of that block's body, 64 lower-case hex digits
 * @param signatureHex the ledger's signature, hex; empty for a plain (unsigned) anchor
 */
public record LedgerHead(long blockNumber, String blockHashHex, String signatureHex) {
  private static final Pattern TEXT =
      Pattern.compile("(\\d{1,18}):([0-9a-f]{64})(?::([0-9a-f]{16,400}))?");

  public LedgerHead {
    if (blockNumber < 0) {
      throw new IllegalArgumentException("the block number must not be negative");
    }
    Objects.requireNonNull(blockHashHex, "blockHashHex");
    Objects.requireNonNull(signatureHex, "signatureHex");
    if (!blockHashHex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("a block hash is 64 lower-case hex digits");
    }
    if (!signatureHex.isEmpty() && !signatureHex.matches("[0-9a-f]{16,400}")) {
      throw new IllegalArgumentException("a signature is hex");
    }
  }

  /** An unsigned anchor: a block number and the hash written down for it. */
  public static LedgerHead of(long blockNumber, String blockHashHex) {
    return new LedgerHead(blockNumber, blockHashHex, "");
  }

  /**
   * Parses the text form, ignoring white space (the portal shows the hash in groups of eight
   * digits); throws {@link IllegalArgumentException} saying what is expected.
   */
  public static LedgerHead parse(String text) {
    Matcher m = TEXT.matcher(text == null ? ""
        : text.replaceAll("\\s+", "").toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("an anchor is <block number>:<64 hex digits of the"
          + " block's hash>[:<the ledger's signature in hex>]");
    }
    return new LedgerHead(Long.parseLong(m.group(1)), m.group(2),
        m.group(3) == null ? "" : m.group(3));
  }

  public boolean signed() {
    return !signatureHex.isEmpty();
  }

  byte[] hash() {
    return HexFormat.of().parseHex(blockHashHex);
  }

  byte[] signature() {
    return HexFormat.of().parseHex(signatureHex);
  }

  /** The text form, to be kept and later given back to verify. */
  public String toText() {
    return blockNumber + ":" + blockHashHex + (signed() ? ":" + signatureHex : "");
  }

  @Override
  public String toString() {
    return toText();
  }
}
