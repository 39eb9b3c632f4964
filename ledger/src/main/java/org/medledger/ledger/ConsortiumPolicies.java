package org.medledger.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medledger.core.record.ConsortiumPolicy;

/**
 * Reading and writing the consortium policy (rule R9, docs/protocol.md §Consortium policy) on
 * either ledger: GetPolicy and SetPolicy of the MedLedger chaincode. Writing needs an
 * organisation administrator's identity; the first policy is written by one administrator when
 * the network is created, each later version needs administrators of a majority of the
 * organisations of the policy in force (each calls {@link #approve}).
 */
public final class ConsortiumPolicies {
  public static final String GET = "GetPolicy";
  public static final String SET = "SetPolicy";
  private static final Pattern OUTCOME = Pattern.compile(
      "\\{\"version\":(\\d+),\"applied\":(true|false),\"approvals\":(\\d+),\"needed\":(\\d+)}");

  /** What one approval did: {@code applied} when it made the proposal the policy in force. */
  public record Approval(long version, boolean applied, int approvals, int needed) {}

  private ConsortiumPolicies() {}

  /** The policy in force; empty when none was written yet (then R3 admits no professional). */
  public static Optional<ConsortiumPolicy> current(LedgerGateway ledger, LedgerIdentity reader) {
    try {
      byte[] b64 = ledger.evaluate(reader, GET);
      return Optional.of(ConsortiumPolicy.parse(Base64.getDecoder().decode(new String(b64, StandardCharsets.US_ASCII))));
    } catch (LedgerException e) {
      if (e.kind() == LedgerException.Kind.REJECTED && e.getMessage() != null && e.getMessage().contains("Q4: ")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Submits {@code policy} as {@code administrator}: writes the first policy or approves a change. */
  public static Approval approve(LedgerGateway ledger, LedgerIdentity administrator, ConsortiumPolicy policy) {
    String arg = Base64.getEncoder().encodeToString(policy.encode());
    SubmitResult r = ledger.submit(administrator, SET, arg.getBytes(StandardCharsets.US_ASCII));
    String json = new String(r.payload(), StandardCharsets.UTF_8);
    Matcher m = OUTCOME.matcher(json);
    if (!m.matches()) throw new LedgerException(LedgerException.Kind.FAILED, "unexpected answer to SetPolicy: " + json);
    return new Approval(Long.parseLong(m.group(1)), Boolean.parseBoolean(m.group(2)), Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)));
  }

  /**
   * The network's first start: writes {@code first} (version 1) when the ledger holds no policy;
   * returns the policy in force either way (which may differ from {@code first} if someone else
   * wrote one — the caller decides whether that is acceptable).
   */
  public static ConsortiumPolicy writeIfAbsent(LedgerGateway ledger, LedgerIdentity administrator,
      ConsortiumPolicy first) {
    Optional<ConsortiumPolicy> now = current(ledger, administrator);
    if (now.isPresent()) return now.get();
    if (first.version() != 1) throw new IllegalArgumentException("the first policy has version 1");
    try {
      approve(ledger, administrator, first);
    } catch (LedgerException e) {
      // someone wrote one in between: theirs is in force
      Optional<ConsortiumPolicy> again = current(ledger, administrator);
      if (again.isPresent()) return again.get();
      throw e;
    }
    return current(ledger, administrator)
        .orElseThrow(() -> new LedgerException(LedgerException.Kind.FAILED, "the consortium policy was not written"));
  }
}
