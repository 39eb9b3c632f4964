package org.medledger.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.record.RecordFormatException.Reason;

/** The consortium policy record (0x09): its exact bytes, round trip, and canonical form only. */
class ConsortiumPolicyTest {

  @Test
  void theStandardPolicyHasTheseExactBytes() {
    ConsortiumPolicy p = ConsortiumPolicy.standard(1);
    // docs/protocol.md §Consortium policy quotes these bytes.
    assertThat(Bytes.hex(p.encode())).isEqualTo("4d4c0109" + "010000000400000001"
        + "0200000037" + "04"
        + "0b" + Bytes.hex("HospitalMSP".getBytes()) + "0103"
        + "0a" + Bytes.hex("InsurerMSP".getBytes()) + "0105"
        + "0a" + Bytes.hex("LawFirmMSP".getBytes()) + "0106"
        + "0b" + Bytes.hex("PharmacyMSP".getBytes()) + "0104");
    assertThat(p.encode()).hasSize(73);
    assertThat(java.util.Base64.getEncoder().encodeToString(p.encode())).isEqualTo(
        "TUwBCQEAAAAEAAAAAQIAAAA3BAtIb3NwaXRhbE1TUAEDCkluc3VyZXJNU1ABBQpMYXdGaXJtTVNQAQYLUGhhcm1hY3lNU1ABBA==");
    assertThat(ConsortiumPolicy.parse(p.encode())).isEqualTo(p);
    assertThat(p.mayVouch("HospitalMSP", Role.DOCTOR)).isTrue();
    assertThat(p.mayVouch("LawFirmMSP", Role.DOCTOR)).isFalse();
    assertThat(p.mayVouch("OtherMSP", Role.DOCTOR)).isFalse();
    assertThat(p.majority()).isEqualTo(3);
    assertThat(p.vouchersFor(Role.DOCTOR)).containsExactly("HospitalMSP");
  }

  @Test
  void severalRolesAndAnOrganisationThatOnlyVotesRoundTrip() {
    TreeMap<String, Set<Role>> m = new TreeMap<>();
    m.put("ClinicMSP", EnumSet.of(Role.LAWYER, Role.DOCTOR, Role.PHARMACIST));
    m.put("RegulatorMSP", EnumSet.noneOf(Role.class));
    ConsortiumPolicy p = new ConsortiumPolicy(4_000_000_000L, m);
    assertThat(ConsortiumPolicy.parse(p.encode())).isEqualTo(p);
    assertThat(p.majority()).isEqualTo(2);
  }

  @Test
  void nonCanonicalOrInvalidPoliciesAreRefused() {
    byte[] v = ConsortiumPolicy.standard(1).encode();
    // swap the first two organisations' order: HospitalMSP (entry at 19) after InsurerMSP
    byte[] unsorted = v.clone();
    int a = 19, lenA = 1 + 11 + 2, lenB = 1 + 10 + 2;
    byte[] first = java.util.Arrays.copyOfRange(v, a, a + lenA);
    byte[] second = java.util.Arrays.copyOfRange(v, a + lenA, a + lenA + lenB);
    System.arraycopy(second, 0, unsorted, a, lenB);
    System.arraycopy(first, 0, unsorted, a + lenB, lenA);
    assertThatThrownBy(() -> ConsortiumPolicy.parse(unsorted)).isInstanceOf(RecordFormatException.class)
        .hasMessageContaining("sorted");
    byte[] patient = v.clone();
    patient[a + 1 + 11 + 1] = 1; // HospitalMSP vouches for patients
    assertThatThrownBy(() -> ConsortiumPolicy.parse(patient)).hasMessageContaining("pseudonymous");
    byte[] zeroVersion = v.clone();
    zeroVersion[9 + 3] = 0;
    zeroVersion[9] = 0;
    assertThat(catchReason(zeroVersion)).isEqualTo(Reason.INVALID_FIELD);
    byte[] badId = v.clone();
    badId[a + 1] = ' ';
    assertThatThrownBy(() -> ConsortiumPolicy.parse(badId)).hasMessageContaining("not an MSP id");
    // it is not a record Store accepts
    assertThatThrownBy(() -> RecordCodec.parse(v)).isInstanceOf(RecordFormatException.class)
        .hasMessageContaining("not a record that can be stored");
    assertThatThrownBy(() -> new ConsortiumPolicy(1, new TreeMap<>())).hasMessageContaining("1 to 32");
  }

  private static Reason catchReason(byte[] v) {
    try {
      ConsortiumPolicy.parse(v);
    } catch (RecordFormatException e) {
      return e.reason();
    }
    throw new AssertionError("accepted");
  }
}
