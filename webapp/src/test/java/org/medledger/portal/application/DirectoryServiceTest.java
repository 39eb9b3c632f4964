package org.medledger.portal.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.ConsortiumPolicies;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedLedger;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * The directory as the portal reads it, over the embedded ledger running the chaincode: pages
 * of twenty, role by role (doctors first), by name within a role, each professional once, and
 * the search box's text read as a name or as a participant number.
 */
class DirectoryServiceTest {
  @TempDir static Path dir;
  static EmbeddedLedger ledger;
  static DirectoryService directory;
  static final List<String> doctors = new ArrayList<>();
  static final List<String> lawyers = new ArrayList<>();

  @BeforeAll
  static void registerSomeProfessionals() throws Exception {
    ledger = EmbeddedLedger.open(dir, new MedLedgerContract());
    ConsortiumPolicies.writeIfAbsent(ledger, ledger.certificateAuthority("HospitalMSP").administrator("admin"),
        ConsortiumPolicy.standard(1));
    MedLedgerClient client = new MedLedgerClient(ledger);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    // 27 doctors and 3 lawyers: the first page is twenty doctors, the second seven and the lawyers.
    for (int k = 0; k < 30; k++) {
      boolean doctor = k < 27;
      String msp = doctor ? "HospitalMSP" : "LawFirmMSP";
      String name = (doctor ? "Dr. Page " : "Lex Page ") + (char) ('A' + k % 26) + k;
      KeyPair keys = g.generateKeyPair();
      LedgerIdentity id = new LedgerIdentity(msp, ledger.certificateAuthority(msp)
          .issue("u" + k, doctor ? "doctor" : "lawyer", name, doctor ? "St. Page Hospital" : "Page & Partners",
              keys.getPublic()), keys.getPrivate());
      long index = ParticipantIndex.of(P256.encodeCompressed(P256.fromJcaPublicKey(keys.getPublic())));
      client.store(id, new Registration(doctor ? Role.DOCTOR : Role.LAWYER, index, id.certificate().getEncoded()));
      (doctor ? doctors : lawyers).add(ParticipantIndex.hex(index));
    }
    directory = new DirectoryService();
    directory.ledger = client;
    directory.portal = new PortalIdentity(ledger.certificateAuthority("HospitalMSP").administrator("portal"));
  }

  @AfterAll
  static void close() {
    ledger.close();
  }

  @Test
  void pagesOfTwentyRoleByRoleEachProfessionalOnce() {
    DirectoryService.Page first = directory.page(new DirectoryService.Query(null, "", ""), null);
    assertThat(first.participants()).hasSize(20).allMatch(p -> p.role() == Role.DOCTOR);
    assertThat(first.participants()).extracting(DirectoryService.Participant::name).isSorted();
    assertThat(first.next()).isNotNull();
    DirectoryService.Page second = directory.page(new DirectoryService.Query(null, "", ""), first.next());
    assertThat(second.participants()).hasSize(10);
    assertThat(second.next()).isNull();
    List<DirectoryService.Participant> all = new ArrayList<>(first.participants());
    all.addAll(second.participants());
    assertThat(all).extracting(DirectoryService.Participant::role).isSortedAccordingTo(
        java.util.Comparator.comparingInt(Role::code));
    List<String> everyone = new ArrayList<>(doctors);
    everyone.addAll(lawyers);
    assertThat(all).extracting(DirectoryService.Participant::indexHex).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(everyone);
  }

  @Test
  void theSearchBoxReadsANameOrAParticipantNumberAndTheInstitutionBoxAnInstitution() {
    assertThat(directory.search(null, "lex page")).extracting(DirectoryService.Participant::indexHex)
        .containsExactlyInAnyOrderElementsOf(lawyers);
    assertThat(directory.search(Role.LAWYER, "dr. page")).isEmpty();
    String one = doctors.get(5);
    assertThat(directory.search(null, one)).extracting(DirectoryService.Participant::indexHex).containsExactly(one);
    assertThat(directory.search(null, one.toUpperCase().substring(0, 8) + " " + one.substring(8)))
        .extracting(DirectoryService.Participant::indexHex).contains(one);
    assertThat(directory.page(new DirectoryService.Query(null, "", "page &"), null).participants())
        .extracting(DirectoryService.Participant::indexHex).containsExactlyInAnyOrderElementsOf(lawyers);
    assertThat(directory.search(Role.DOCTOR, "Dr. Page A0")).singleElement()
        .satisfies(p -> assertThat(p.institution()).isEqualTo("St. Page Hospital"));
    // Any word of the name: "Page A0" finds "Dr. Page A0" (and each person once).
    assertThat(directory.search(null, "Page A0")).singleElement()
        .satisfies(p -> assertThat(p.name()).isEqualTo("Dr. Page A0"));
    assertThat(directory.page(new DirectoryService.Query(null, "page", ""), null).participants())
        .hasSize(20).extracting(DirectoryService.Participant::indexHex).doesNotHaveDuplicates();
    assertThatThrownBy(() -> directory.search(null, "x".repeat(150))).isInstanceOf(PortalException.class)
        .hasMessage("Please search for at most 100 characters.");
  }

  @Test
  void aBookmarkThatDoesNotBelongToTheSearchIsAClearMessage() {
    DirectoryService.Page first = directory.page(new DirectoryService.Query(null, "", ""), null);
    assertThatThrownBy(() -> directory.page(new DirectoryService.Query(Role.DOCTOR, "dr. page b", ""), first.next()))
        .isInstanceOf(PortalException.class).hasMessageContaining("please search again");
  }
}
