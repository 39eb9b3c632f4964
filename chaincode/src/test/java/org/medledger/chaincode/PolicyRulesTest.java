package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;

/** R9: who writes the consortium policy, and who changes it. */
class PolicyRulesTest {
  private final SecureRandom random = new SecureRandom();
  private final InMemoryWorldState state = new InMemoryWorldState();

  private Submitter admin(String mspId) {
    return Submitter.of(mspId, TestCertificates.admin("Admin@" + mspId, keys()), null);
  }

  private java.security.KeyPair keys() {
    return UserSecret.generate(random).signingKeyPair().toJca();
  }

  private PolicyRules.Outcome set(Submitter s, ConsortiumPolicy p) {
    state.begin();
    PolicyRules.Outcome o = new PolicyRules(state).set(s, p.encode());
    state.commit();
    return o;
  }

  private void refused(Submitter s, byte[] v, String messagePart) {
    TreeMap<String, byte[]> before = new TreeMap<>(state.committed);
    state.begin();
    assertThatThrownBy(() -> new PolicyRules(state).set(s, v)).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("R9:").hasMessageContaining(messagePart);
    state.commit();
    assertThat(state.committed.keySet()).isEqualTo(before.keySet());
  }

  private ConsortiumPolicy current() {
    return ConsortiumPolicy.parse(new Queries(state).policy());
  }

  /** The standard policy, and ClinicMSP vouching for doctors too. */
  private static ConsortiumPolicy withClinic(long version) {
    TreeMap<String, Set<Role>> m = new TreeMap<>(ConsortiumPolicy.standard(1).vouching());
    m.put("ClinicMSP", EnumSet.of(Role.DOCTOR));
    return new ConsortiumPolicy(version, m);
  }

  private String registerDoctor(String mspId) {
    Submitter s = Submitter.of(mspId, TestCertificates.issue("Dr Who", keys()), "doctor");
    state.begin();
    String k = new StoreRules(state).store(s, RecordCodec.encode(new Registration(Role.DOCTOR, s.index(), s.certificateDer())));
    state.commit();
    return k;
  }

  @Test
  void onlyAnAdministratorWritesTheFirstPolicyWhichNamesTheirOrganisation() {
    assertThatThrownBy(() -> new Queries(state).policy()).hasMessageStartingWith("Q4:");
    Submitter client = Submitter.of("HospitalMSP", TestCertificates.issue("Dr Client", keys()), "doctor");
    refused(client, ConsortiumPolicy.standard(1).encode(), "only an administrator");
    Submitter twoOus = Submitter.of("HospitalMSP", TestCertificates.issue("Both", keys(), "admin+OU=client", null), null);
    refused(twoOus, ConsortiumPolicy.standard(1).encode(), "only an administrator");
    refused(admin("HospitalMSP"), ConsortiumPolicy.standard(2).encode(), "the first one has version 1");
    refused(admin("OtherMSP"), ConsortiumPolicy.standard(1).encode(), "must name the writer's organisation OtherMSP");
    refused(admin("HospitalMSP"), new byte[] {'M', 'L', 1, 9}, "malformed policy");

    assertThat(set(admin("HospitalMSP"), ConsortiumPolicy.standard(1)))
        .isEqualTo(new PolicyRules.Outcome(1, true, 1, 1));
    assertThat(current()).isEqualTo(ConsortiumPolicy.standard(1));
  }

  @Test
  void aChangeTakesEffectOnlyWhenAdministratorsOfAMajorityOfOrganisationsApprovedIt() {
    set(admin("HospitalMSP"), ConsortiumPolicy.standard(1));
    assertThatThrownBy(() -> registerDoctor("ClinicMSP")).hasMessageContaining("ClinicMSP may not vouch for doctors");

    ConsortiumPolicy next = withClinic(2);
    assertThat(set(admin("HospitalMSP"), next)).isEqualTo(new PolicyRules.Outcome(2, false, 1, 3));
    assertThat(current()).as("one administrator alone changes nothing").isEqualTo(ConsortiumPolicy.standard(1));
    refused(admin("HospitalMSP"), next.encode(), "HospitalMSP has already approved");
    refused(admin("ClinicMSP"), next.encode(), "only administrators of the organisations of the policy in force");
    refused(admin("PharmacyMSP"), withClinic(3).encode(), "a change must have version 2");
    Submitter pharmacyClient = Submitter.of("PharmacyMSP", TestCertificates.issue("Phil", keys()), "pharmacist");
    refused(pharmacyClient, next.encode(), "only an administrator");
    assertThat(set(admin("PharmacyMSP"), next)).isEqualTo(new PolicyRules.Outcome(2, false, 2, 3));
    assertThat(current().version()).isEqualTo(1);
    assertThatThrownBy(() -> registerDoctor("ClinicMSP")).hasMessageContaining("may not vouch");

    assertThat(set(admin("LawFirmMSP"), next)).isEqualTo(new PolicyRules.Outcome(2, true, 3, 3));
    assertThat(current()).isEqualTo(next);
    registerDoctor("ClinicMSP");
    // a competing proposal for version 2 is stale now
    refused(admin("InsurerMSP"), ConsortiumPolicy.standard(2).encode(), "a change must have version 3");
    // and the next change needs 3 of the 5 organisations that policy names
    assertThat(set(admin("ClinicMSP"), ConsortiumPolicy.standard(3))).isEqualTo(new PolicyRules.Outcome(3, false, 1, 3));
  }

  @Test
  void policyToolWritesTheArgumentNetworkShPasses() {
    String b64 = PolicyTool.run("encode", "1", "HospitalMSP=doctor", "PharmacyMSP=pharmacist", "InsurerMSP=insurer",
        "LawFirmMSP=lawyer");
    assertThat(java.util.Base64.getDecoder().decode(b64)).isEqualTo(ConsortiumPolicy.standard(1).encode());
    assertThat(PolicyTool.run("decode", b64))
        .isEqualTo("policy v1 {HospitalMSP: doctor; InsurerMSP: insurer; LawFirmMSP: lawyer; PharmacyMSP: pharmacist}");
    assertThat(PolicyTool.run("decode", PolicyTool.run("encode", "2", "ClinicMSP=doctor,lawyer", "RegulatorMSP=")))
        .isEqualTo("policy v2 {ClinicMSP: doctor lawyer; RegulatorMSP:}");
    assertThatThrownBy(() -> PolicyTool.run("encode", "1", "HospitalMSP=patient")).hasMessageContaining("pseudonymous");
    assertThatThrownBy(() -> PolicyTool.run("encode", "1", "HospitalMSP")).hasMessageContaining("MSP=role");
  }
}
