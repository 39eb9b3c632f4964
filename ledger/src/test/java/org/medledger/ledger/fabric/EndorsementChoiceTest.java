package org.medledger.ledger.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hyperledger.fabric.protos.common.ApplicationPolicy;
import org.hyperledger.fabric.protos.common.MSPPrincipal;
import org.hyperledger.fabric.protos.common.MSPRole;
import org.hyperledger.fabric.protos.common.SignaturePolicy;
import org.hyperledger.fabric.protos.common.SignaturePolicyEnvelope;
import org.junit.jupiter.api.Test;

/** The client's choice of endorsing organisations, from the chaincode's committed policy. */
class EndorsementChoiceTest {
  private static final List<String> FOUR = List.of("HospitalMSP", "PharmacyMSP", "InsurerMSP", "LawFirmMSP");

  /** OutOf(n, 'X.role', ...) as the lifecycle commits it for {@code --signature-policy}. */
  private static byte[] outOf(int n, MSPRole.MSPRoleType role, List<String> msps) {
    SignaturePolicyEnvelope.Builder env = SignaturePolicyEnvelope.newBuilder();
    SignaturePolicy.NOutOf.Builder rule = SignaturePolicy.NOutOf.newBuilder().setN(n);
    for (int i = 0; i < msps.size(); i++) {
      env.addIdentities(MSPPrincipal.newBuilder().setPrincipalClassification(MSPPrincipal.Classification.ROLE)
          .setPrincipal(MSPRole.newBuilder().setMspIdentifier(msps.get(i)).setRole(role).build().toByteString()));
      rule.addRules(SignaturePolicy.newBuilder().setSignedBy(i));
    }
    env.setRule(SignaturePolicy.newBuilder().setNOutOf(rule));
    return ApplicationPolicy.newBuilder().setSignaturePolicy(env).build().toByteArray();
  }

  @Test
  void threeOfTheFourPeersIsReadExactly() {
    EndorsementChoice c = EndorsementChoice.of(outOf(3, MSPRole.MSPRoleType.PEER, FOUR)).orElseThrow();
    assertThat(c.required()).isEqualTo(3);
    assertThat(c.organisations()).containsExactlyElementsOf(FOUR);
  }

  @Test
  void anyOtherPolicyIsLeftToTheGateway() {
    byte[] implicit = ApplicationPolicy.newBuilder().setChannelConfigPolicyReference("/Channel/Application/Endorsement")
        .build().toByteArray();
    assertThat(EndorsementChoice.of(implicit)).as("ImplicitMeta MAJORITY Endorsement").isEmpty();
    assertThat(EndorsementChoice.of(outOf(3, MSPRole.MSPRoleType.MEMBER, FOUR))).as("members, not peers").isEmpty();
    assertThat(EndorsementChoice.of(outOf(2, MSPRole.MSPRoleType.PEER, List.of("HospitalMSP", "HospitalMSP", "PharmacyMSP"))))
        .as("one organisation named twice").isEmpty();
    assertThat(EndorsementChoice.of(outOf(5, MSPRole.MSPRoleType.PEER, FOUR))).as("more than it names").isEmpty();
    assertThat(EndorsementChoice.of(new byte[] {1, 2, 3})).isEmpty();
  }

  @Test
  void theOwnOrganisationAndOthersInTurnAlwaysAsManyAsThePolicyNeeds() {
    EndorsementChoice c = EndorsementChoice.of(outOf(3, MSPRole.MSPRoleType.PEER, FOUR)).orElseThrow();
    Map<String, Integer> load = new HashMap<>();
    for (long turn = 0; turn < 30; turn++) {
      List<String> chosen = c.choose("HospitalMSP", m -> true, turn);
      assertThat(chosen).hasSize(3).doesNotHaveDuplicates().startsWith("HospitalMSP");
      assertThat(FOUR).containsAll(chosen);
      chosen.forEach(m -> load.merge(m, 1, Integer::sum));
    }
    assertThat(load).containsEntry("HospitalMSP", 30).containsEntry("PharmacyMSP", 20)
        .containsEntry("InsurerMSP", 20).containsEntry("LawFirmMSP", 20);
  }

  @Test
  void aPeerThatIsDownIsNotChosenAndTooFewUpLeavesItToTheGateway() {
    EndorsementChoice c = EndorsementChoice.of(outOf(3, MSPRole.MSPRoleType.PEER, FOUR)).orElseThrow();
    for (long turn = 0; turn < 6; turn++) {
      assertThat(c.choose("HospitalMSP", m -> !m.equals("InsurerMSP"), turn))
          .containsExactlyInAnyOrder("HospitalMSP", "PharmacyMSP", "LawFirmMSP");
      assertThat(c.choose("HospitalMSP", m -> !m.equals("HospitalMSP"), turn))
          .containsExactlyInAnyOrder("PharmacyMSP", "InsurerMSP", "LawFirmMSP");
    }
    Set<String> twoDown = Set.of("InsurerMSP", "LawFirmMSP");
    assertThat(c.choose("HospitalMSP", m -> !twoDown.contains(m), 0)).isEmpty();
    assertThat(c.choose("OrdererMSP", m -> true, 1)).hasSize(3).doesNotContain("OrdererMSP");
  }

  @Test
  void peersThatAlreadyHaveTheClientsLastBlockArePreferredSoADependentStoreWaitsForNoOther() {
    EndorsementChoice c = EndorsementChoice.of(outOf(3, MSPRole.MSPRoleType.PEER, FOUR)).orElseThrow();
    for (long turn = 0; turn < 6; turn++) {
      assertThat(c.choose("HospitalMSP", m -> true, m -> !m.equals("LawFirmMSP"), turn))
          .as("turn %d: the Law firm's peer is still a block behind", turn)
          .containsExactlyInAnyOrder("HospitalMSP", "PharmacyMSP", "InsurerMSP");
      assertThat(c.choose("HospitalMSP", m -> true, m -> m.equals("HospitalMSP"), turn))
          .as("turn %d: no other peer has it yet: chosen in turn, and waited for", turn)
          .isEqualTo(c.choose("HospitalMSP", m -> true, turn));
      assertThat(c.choose("HospitalMSP", m -> !m.equals("PharmacyMSP"), m -> !m.equals("LawFirmMSP"), turn))
          .as("turn %d: a peer that is down is never chosen, ready or not", turn)
          .containsExactlyInAnyOrder("HospitalMSP", "InsurerMSP", "LawFirmMSP");
    }
  }
}
