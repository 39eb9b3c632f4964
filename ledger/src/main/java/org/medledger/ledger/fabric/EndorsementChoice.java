package org.medledger.ledger.fabric;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.hyperledger.fabric.protos.common.ApplicationPolicy;
import org.hyperledger.fabric.protos.common.MSPPrincipal;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.SignaturePolicy;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;

/**
 * Which organisations endorse a Store, chosen by the client from the chaincode's own committed
 * endorsement policy, so that the gateway peer skips discovery's policy analysis (about 6 % of
 * its CPU per Store) and asks every endorser at once instead of its own peer first and the
 * others after.
 *
 * <p>The client chooses only when it can read the policy exactly: a signature policy
 * {@code OutOf(n, 'A.peer', 'B.peer', ...)} whose every principal is one organisation's peer role
 * (as {@code fabric/network.sh} commits it). It then names {@code n} different organisations of
 * that list, which is precisely what the policy requires; anything else (an ImplicitMeta channel
 * policy, nested rules, other roles) is left to the gateway. The peers still validate every
 * transaction against the policy that is committed, so a wrong choice can only make a Store
 * fail, never make a weaker one pass.
 */
final class EndorsementChoice {
  private final int required;
  private final List<String> organisations;

  private EndorsementChoice(int required, List<String> organisations) {
    this.required = required;
    this.organisations = List.copyOf(organisations);
  }

  /**
   * The choice for a chaincode definition's validation parameter (an {@link ApplicationPolicy}),
   * or empty when the policy is not a plain {@code OutOf(n, peers of distinct organisations)}.
   */
  static Optional<EndorsementChoice> of(byte[] validationParameter) {
    ApplicationPolicy policy;
    try {
      policy = ApplicationPolicy.parseFrom(validationParameter);
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
    if (policy.getTypeCase() != ApplicationPolicy.TypeCase.SIGNATURE_POLICY) return Optional.empty();
    SignaturePolicyEnvelope env = policy.getSignaturePolicy();
    SignaturePolicy rule = env.getRule();
    if (rule.getTypeCase() != SignaturePolicy.TypeCase.N_OUT_OF) return Optional.empty();
    int n = rule.getNOutOf().getN();
    Set<String> orgs = new LinkedHashSet<>();
    for (SignaturePolicy r : rule.getNOutOf().getRulesList()) {
      if (r.getTypeCase() != SignaturePolicy.TypeCase.SIGNED_BY) return Optional.empty();
      int i = r.getSignedBy();
      if (i < 0 || i >= env.getIdentitiesCount()) return Optional.empty();
      MSPPrincipal p = env.getIdentities(i);
      if (p.getPrincipalClassification() != MSPPrincipal.Classification.ROLE) return Optional.empty();
      MSPRole role;
      try {
        role = MSPRole.parseFrom(p.getPrincipal());
      } catch (InvalidProtocolBufferException e) {
        return Optional.empty();
      }
      // One signature per organisation's peer: two rules naming one organisation would let the
      // "n different organisations" reading differ from Fabric's (one signature, one principal).
      if (role.getRole() != MSPRole.MSPRoleType.PEER || !orgs.add(role.getMspIdentifier())) return Optional.empty();
    }
    if (n < 1 || n > orgs.size()) return Optional.empty();
    return Optional.of(new EndorsementChoice(n, new ArrayList<>(orgs)));
  }

  int required() {
    return required;
  }

  List<String> organisations() {
    return organisations;
  }

  /**
   * {@link #required()} organisations for a Store through {@code own}'s gateway: {@code own} first
   * when the policy names it (its peer is the gateway itself, no network hop), then others whose
   * peer is {@code up}, starting at position {@code turn} of the list so that the load spreads
   * over them; empty when fewer than required are up (the gateway then chooses, and fails with
   * its own reason if nobody can).
   */
  List<String> choose(String own, Predicate<String> up, long turn) {
    return choose(own, up, up, turn);
  }

  /**
   * As {@link #choose(String, Predicate, long)}, preferring among the others the peers that are
   * {@code ready} (they already have every block the client depends on), each group in turn: a
   * Store that follows the client's last one then waits only if fewer than required have it, and
   * never for the slowest peer of the four. Readiness only orders the choice; the policy's count
   * and the peers' own validation are unchanged.
   */
  List<String> choose(String own, Predicate<String> up, Predicate<String> ready, long turn) {
    List<String> chosen = new ArrayList<>(required);
    if (organisations.contains(own) && up.test(own)) chosen.add(own);
    List<String> others = new ArrayList<>(organisations);
    others.remove(own);
    int size = others.size();
    for (boolean readyOnly : new boolean[] {true, false}) {
      for (int k = 0; k < size && chosen.size() < required; k++) {
        String o = others.get((int) Math.floorMod(turn + k, (long) size));
        if (up.test(o) && (!readyOnly || ready.test(o)) && !chosen.contains(o)) chosen.add(o);
      }
    }
    return chosen.size() == required ? List.copyOf(chosen) : List.of();
  }
}
