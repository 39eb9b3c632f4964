package org.medledger.ledger.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import org.medledger.chaincode.MedLedgerContract;

/**
 * The offline check, for an operator or an auditor: {@code VerifyLedger <ledger directory>
 * [anchor]} replays the ledger as evidence, running MedLedger's chaincode again, and checks it
 * against an anchor ({@code <block>:<hash>[:<signature>]}, as the portal's settings page shows it
 * or {@link EmbeddedLedger#head()} exports it). Prints the report; exit code 0 when the ledger
 * verified, 1 when it did not, 2 for bad usage. Reads only: safe on a copy, and on a ledger in
 * use (which then may show a torn tail, a write in progress).
 */
public final class VerifyLedger {
  private VerifyLedger() {}

  public static void main(String[] args) {
    System.exit(run(args, new MedLedgerContract(), System.out, System.err));
  }

  static int run(String[] args, org.hyperledger.fabric.contract.ContractInterface contract,
      java.io.PrintStream out, java.io.PrintStream err) {
    if (args.length < 1 || args.length > 2 || !Files.isDirectory(Path.of(args[0]))) {
      err.println("usage: VerifyLedger <ledger directory> [<block>:<hash>[:<signature>]]");
      return 2;
    }
    LedgerHead anchor = null;
    if (args.length == 2) {
      try {
        anchor = LedgerHead.parse(args[1]);
      } catch (IllegalArgumentException e) {
        err.println(e.getMessage());
        return 2;
      }
    }
    VerificationReport r;
    try {
      r = EmbeddedLedger.verify(Path.of(args[0]), contract, anchor);
    } catch (org.medledger.ledger.LedgerException e) {
      err.println(e.getMessage());
      return 2;
    }
    out.println(r);
    if (r.tornBytes() > 0) {
      out.println("an unfinished write of " + r.tornBytes() + " bytes follows the last block"
          + " (dropped at the next open)");
    }
    return r.valid() ? 0 : 1;
  }
}
