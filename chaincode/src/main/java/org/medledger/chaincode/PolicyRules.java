package org.medledger.chaincode;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.RecordFormatException;

/**
 * R9, the consortium policy (docs/protocol.md §Consortium policy): which organisation may vouch
 * for which professional role, as R3 enforces it.
 *
 * <ul>
 *   <li>Only an administrator of an organisation ({@link Submitter#administrator()}) sets it.
 *   <li>The first policy (version 1) takes effect when one such administrator writes it — when
 *       the network is created; it must name the writer's organisation. This is a trust
 *       assumption: whoever writes first decides, so the network's creator writes it at once.
 *   <li>A change (version n + 1) takes effect when administrators of a majority of the
 *       organisations the <em>current</em> policy names have each submitted the same bytes, one
 *       approval per organisation — the rule Fabric applies to the channel's own configuration
 *       (MAJORITY Admins). Until then the current policy stays in force.
 * </ul>
 */
public final class PolicyRules {
  /** composite ML-Y [] → the current policy record. */
  static final String POLICY = "ML-Y";
  /** composite ML-A [H(proposal) hex, MSP id] → txid: that organisation approved that proposal. */
  static final String APPROVAL = "ML-A";

  /** What one SetPolicy did: applied (now the current policy) or one more approval recorded. */
  public record Outcome(long version, boolean applied, int approvals, int needed) {
    String json() {
      return "{\"version\":" + version + ",\"applied\":" + applied + ",\"approvals\":" + approvals
          + ",\"needed\":" + needed + "}";
    }
  }

  private final WorldState state;

  public PolicyRules(WorldState state) {
    this.state = state;
  }

  /** The policy in force, if any. */
  public Optional<ConsortiumPolicy> current() {
    byte[] v = state.get(state.compositeKey(POLICY));
    return v == null ? Optional.empty() : Optional.of(ConsortiumPolicy.parse(v));
  }

  /** R9: records an administrator's approval of {@code v}, and applies it once enough agree. */
  public Outcome set(Submitter s, byte[] v) {
    ConsortiumPolicy proposed;
    try {
      proposed = ConsortiumPolicy.parse(v);
    } catch (RecordFormatException e) {
      throw new RuleViolation("R9", "malformed policy: " + e.getMessage());
    }
    if (!s.administrator()) {
      throw new RuleViolation("R9", "only an administrator of a member organisation (a certificate with the "
          + "organisational unit 'admin') may set the consortium policy");
    }
    String policyKey = state.compositeKey(POLICY);
    Optional<ConsortiumPolicy> current = current();
    if (current.isEmpty()) {
      if (proposed.version() != 1) {
        throw new RuleViolation("R9", "there is no policy yet: the first one has version 1, not " + proposed.version());
      }
      if (!proposed.vouching().containsKey(s.mspId())) {
        throw new RuleViolation("R9", "the first policy must name the writer's organisation " + s.mspId());
      }
      state.put(policyKey, v.clone());
      return new Outcome(1, true, 1, 1);
    }
    ConsortiumPolicy c = current.get();
    if (proposed.version() != c.version() + 1) {
      throw new RuleViolation("R9", "the policy in force has version " + c.version() + "; a change must have version "
          + (c.version() + 1) + ", not " + proposed.version());
    }
    if (!c.vouching().containsKey(s.mspId())) {
      throw new RuleViolation("R9", "only administrators of the organisations of the policy in force "
          + c.vouching().keySet() + " decide on its successor, not " + s.mspId());
    }
    String proposal = Bytes.hex(Hashes.sha256(v));
    Set<String> approved = new TreeSet<>();
    for (var e : state.byPartialKey(APPROVAL, proposal)) {
      approved.add(state.attributesOf(e.getKey()).get(1));
    }
    if (approved.contains(s.mspId())) {
      throw new RuleViolation("R9", s.mspId() + " has already approved this policy (version " + proposed.version() + ")");
    }
    approved.add(s.mspId());
    approved.retainAll(c.vouching().keySet());
    state.put(state.compositeKey(APPROVAL, proposal, s.mspId()),
        state.transactionId().getBytes(StandardCharsets.US_ASCII));
    boolean applied = approved.size() >= c.majority();
    if (applied) state.put(policyKey, v.clone());
    return new Outcome(proposed.version(), applied, approved.size(), c.majority());
  }
}
