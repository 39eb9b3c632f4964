package org.medledger.ledger.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import org.medledger.ledger.embedded.VerificationReport;

/**
 * The directory search on the embedded ledger with a few hundred registrations: every page
 * bounded in entries and bytes whatever the directory's size, the pages of each search exactly
 * its matches, and the ledger's history (registrations writing the search index) replays.
 */
class EmbeddedDirectoryTest {
  private static final String[][] ORGS = {{"HospitalMSP", "doctor", "St. Mary's Hospital"},
      {"PharmacyMSP", "pharmacist", "Central Pharmacy"}, {"InsurerMSP", "insurer", "Mutual Insurance"},
      {"LawFirmMSP", "lawyer", "Law & Health"}};
  private static final int PEOPLE = 300;

  @TempDir Path dir;
  private EmbeddedLedger ledger;
  private MedLedgerClient client;
  private final List<Registration> registered = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  @BeforeEach
  void register() throws Exception {
    ledger = EmbeddedLedger.open(dir, new MedLedgerContract());
    client = new MedLedgerClient(ledger);
    ConsortiumPolicies.writeIfAbsent(ledger, ledger.certificateAuthority("HospitalMSP").administrator("admin"),
        ConsortiumPolicy.standard(1));
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    for (int k = 0; k < PEOPLE; k++) {
      String[] org = ORGS[k % 4];
      String name = "Person " + (char) ('A' + k % 26) + " " + k;
      KeyPair keys = g.generateKeyPair();
      LedgerIdentity id = new LedgerIdentity(org[0],
          ledger.certificateAuthority(org[0]).issue("p" + k, org[1], name, org[2], keys.getPublic()), keys.getPrivate());
      long index = ParticipantIndex.of(P256.encodeCompressed(P256.fromJcaPublicKey(keys.getPublic())));
      Registration r = new Registration(Role.fromName(org[1]), index, id.certificate().getEncoded());
      client.store(id, r);
      registered.add(r);
      names.add(name);
    }
  }

  @AfterEach
  void replay() {
    VerificationReport live = ledger.verify(ledger.head().orElseThrow());
    assertThat(live.valid()).as(live.toString()).isTrue();
    ledger.close();
  }

  private LedgerIdentity reader() {
    return ledger.certificateAuthority("LawFirmMSP").administrator("reader");
  }

  private List<Long> all(MedLedgerClient.DirectorySearch search, int maxPage) {
    List<Long> seen = new ArrayList<>();
    String bookmark = "";
    do {
      MedLedgerClient.DirectoryPage p = client.searchParticipants(reader(), search, bookmark);
      assertThat(p.registrations()).hasSizeLessThanOrEqualTo(maxPage);
      p.registrations().forEach(r -> seen.add(r.index()));
      bookmark = p.bookmark();
    } while (!bookmark.isEmpty());
    return seen;
  }

  @Test
  void everySearchIsBoundedPagesThatTogetherHoldEachMatchOnce() {
    List<Long> everyone = registered.stream().map(Registration::index).toList();
    assertThat(all(new MedLedgerClient.DirectorySearch(null, "", "", "", 50), 50))
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(everyone);
    assertThat(all(new MedLedgerClient.DirectorySearch(null, "", "", "", 0), 20))
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(everyone);
    assertThat(all(MedLedgerClient.DirectorySearch.byName(Role.PHARMACIST, "", 7), 7))
        .containsExactlyInAnyOrderElementsOf(registered.stream().filter(r -> r.role() == Role.PHARMACIST)
            .map(Registration::index).toList());
    List<Long> personB = new ArrayList<>();
    for (int k = 0; k < PEOPLE; k++) if (names.get(k).startsWith("Person B")) personB.add(registered.get(k).index());
    assertThat(all(MedLedgerClient.DirectorySearch.byName(null, "person b", 5), 5))
        .containsExactlyInAnyOrderElementsOf(personB);
    List<Long> lawB = new ArrayList<>();
    for (int k = 0; k < PEOPLE; k++) {
      if (names.get(k).startsWith("Person B") && registered.get(k).role() == Role.LAWYER) lawB.add(registered.get(k).index());
    }
    assertThat(all(new MedLedgerClient.DirectorySearch(null, "person b", "law", "", 0), 20))
        .containsExactlyInAnyOrderElementsOf(lawB);
  }

  @Test
  void anAnswerIsBoundedInBytesWhateverTheDirectorysSize() {
    // The largest page: 50 registrations, each under 1 KiB here; the whole directory is 300.
    byte[] answer = ledger.evaluate(reader(), MedLedgerClient.SEARCH_PARTICIPANTS, new byte[0], new byte[0],
        new byte[0], new byte[0], "50".getBytes(), new byte[0]);
    int oneRecord = answer.length / 50;
    assertThat(answer.length).isLessThan(50 * 1400);
    assertThat(oneRecord).isPositive();
    // What ListParticipants (kept for the network's readiness probe) answers for the same ledger.
    byte[] whole = ledger.evaluate(reader(), "ListParticipants");
    assertThat(whole.length).isGreaterThan(5 * answer.length);
  }
}
