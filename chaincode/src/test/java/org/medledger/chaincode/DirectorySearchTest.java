package org.medledger.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.CertificateAttributes;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;

/**
 * The directory search (docs/protocol.md §Directory search) over registrations stored through
 * R3: every page bounded, the pages of a search together exactly the matching professionals
 * (no duplicates, no omissions), each filter, and refusals of bad arguments and bookmarks.
 */
class DirectorySearchTest {
  private static final String[] FIRST = {"Ana", "Ben", "Carla", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jana"};
  private static final String[] INSTITUTIONS = {"St. Mary's Hospital", "Northside Clinic", "Central Pharmacy",
      "Mutual Insurance", "Law & Health LLP"};
  private static final Role[] ROLES = {Role.DOCTOR, Role.PHARMACIST, Role.INSURER, Role.LAWYER};

  private final InMemoryWorldState state = new InMemoryWorldState();
  private final List<Person> people = new ArrayList<>();

  record Person(Role role, long index, String name, String institution) {
    String hex() {
      return ParticipantIndex.hex(index);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    state.begin();
    new PolicyRules(state).set(Submitter.of("TestMSP", TestCertificates.admin("admin", keys()), null),
        StoreRulesTest.testPolicy().encode());
    state.commit();
    // 120 professionals: several share a name (namesakes), names differ in case and spacing.
    for (int k = 0; k < 120; k++) {
      Role role = ROLES[k % 4];
      String name = (k % 7 == 0 ? "dr.  " : "") + FIRST[k % FIRST.length] + " " + "Surname" + (k % 23);
      register(role, name, INSTITUTIONS[k % INSTITUTIONS.length]);
    }
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private Person register(Role role, String name, String institution) throws Exception {
    String json = "{\"attrs\":{\"" + CertificateAttributes.NAME + "\":\"" + name + "\",\""
        + CertificateAttributes.INSTITUTION + "\":\"" + institution + "\"}}";
    Submitter s = Submitter.of("TestMSP", TestCertificates.issue(name, keys(), "client", json),
        role.name().toLowerCase());
    state.begin();
    new StoreRules(state).store(s, RecordCodec.encode(new Registration(role, s.index(), s.certificateDer())));
    state.commit();
    Person p = new Person(role, s.index(), name, institution);
    people.add(p);
    return p;
  }

  private static final Pattern RECORD = Pattern.compile("\"([A-Za-z0-9+/=]+)\"");
  private static final Pattern BOOKMARK = Pattern.compile("\"bookmark\":\"([A-Za-z0-9_-]*)\"");

  /** One page through the contract's JSON, as a client reads it. */
  private record Answer(List<Registration> records, String bookmark, int jsonBytes) {}

  private Answer page(String role, String name, String institution, String index, String size, String bookmark) {
    String json = new Queries(state)
        .searchParticipants(Directory.Search.of(role, name, institution, index, size), bookmark).json();
    String records = json.substring(json.indexOf('[') + 1, json.indexOf(']'));
    List<Registration> out = new ArrayList<>();
    Matcher m = RECORD.matcher(records);
    while (m.find()) out.add((Registration) RecordCodec.parse(Base64.getDecoder().decode(m.group(1))));
    Matcher b = BOOKMARK.matcher(json);
    assertThat(b.find()).as("bookmark field in %s", json).isTrue();
    return new Answer(out, b.group(1), json.getBytes(StandardCharsets.UTF_8).length);
  }

  /** Every page of a search, in order; checks each page's bound. */
  private List<Long> all(String role, String name, String institution, String index, String size) {
    List<Long> seen = new ArrayList<>();
    String bookmark = "";
    int pages = 0;
    do {
      Answer a = page(role, name, institution, index, size, bookmark);
      int max = size.isEmpty() ? Directory.DEFAULT_PAGE : Integer.parseInt(size);
      assertThat(a.records()).hasSizeLessThanOrEqualTo(max);
      assertThat(a.jsonBytes()).isLessThan(Directory.MAX_ANSWER_RECORD_BYTES * 4 / 3 + 64 * 1024);
      for (Registration r : a.records()) seen.add(r.index());
      bookmark = a.bookmark();
      assertThat(++pages).as("pages").isLessThan(1000);
    } while (!bookmark.isEmpty());
    return seen;
  }

  private List<Long> expected(Predicate<Person> p) {
    return people.stream().filter(p).map(Person::index).toList();
  }

  @Test
  void pagesTogetherAreTheWholeDirectoryOnceEachByRoleThenName() {
    List<Long> seen = all("", "", "", "", "17");
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected(p -> true));
    // Doctors, pharmacists, insurers, lawyers (the role codes), by folded name, index breaking ties.
    List<String> order = seen.stream().map(i -> person(i).role().code() + "\u0000" + Directory.fold(person(i).name())
        + "\u0000" + ParticipantIndex.hex(i)).toList();
    assertThat(order).isSorted();
  }

  /** Whether one of the first four words of the folded name starts a text beginning with q. */
  private static boolean wordPrefix(String name, String q) {
    return Directory.firstMatch(Directory.fold(name), Directory.fold(q)) >= 0;
  }

  @Test
  void theDefaultPageIsTwentyAndTheLargestFifty() {
    Answer first = page("", "", "", "", "", "");
    assertThat(first.records()).hasSize(Directory.DEFAULT_PAGE);
    assertThat(first.bookmark()).isNotEmpty();
    assertThat(page("", "", "", "", "50", "").records()).hasSize(50);
    for (String bad : List.of("51", "0", "-1", "many", "1000000")) {
      assertThatThrownBy(() -> page("", "", "", "", bad, ""))
          .isInstanceOf(RuleViolation.class).hasMessageStartingWith("Q0: the page size must be a number from 1 to 50");
    }
  }

  @Test
  void filtersByRole() {
    for (Role r : ROLES) {
      assertThat(all(r.name().toLowerCase(), "", "", "", "20")).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expected(p -> p.role() == r));
    }
    assertThatThrownBy(() -> page("patient", "", "", "", "", "")).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q0: patients and family members are pseudonymous");
    assertThatThrownBy(() -> page("surgeon", "", "", "", "", "")).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q0: the role must be");
  }

  @Test
  void filtersByTheBeginningOfAnyWordOfTheNameIgnoringCaseAndSpacing() {
    assertThat(all("", "ana", "", "", "5")).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
        expected(p -> wordPrefix(p.name(), "ana")));
    assertThat(all("", "DR. ANA", "", "", "5")).containsExactlyInAnyOrderElementsOf(
        expected(p -> p.name().startsWith("dr.  Ana")));
    // A later word: "surname1" finds Surname1 and Surname1x, whatever the first name.
    assertThat(all("", "surname1", "", "", "9")).doesNotHaveDuplicates().isNotEmpty()
        .containsExactlyInAnyOrderElementsOf(expected(p -> wordPrefix(p.name(), "surname1")));
    assertThat(all("doctor", "  CARLA   Surname1", "", "", "3")).isNotEmpty().containsExactlyInAnyOrderElementsOf(
        expected(p -> p.role() == Role.DOCTOR && p.name().contains("Carla Surname1")));
    assertThat(all("", "nobody", "", "", "")).isEmpty();
  }

  @Test
  void aNameWhoseWordsRepeatIsFoundOnce() throws Exception {
    Person twice = register(Role.LAWYER, "Ana Ana Anabel", "Twice LLP");
    assertThat(all("lawyer", "ana", "twice", "", "")).containsExactly(twice.index());
    assertThat(all("", "anab", "", "", "")).containsExactly(twice.index());
    assertThat(all("", "ana ana", "", "", "")).containsExactly(twice.index());
  }

  @Test
  void filtersByInstitutionPrefixAloneAndWithName() {
    assertThat(all("", "", "st. mary", "", "7")).containsExactlyInAnyOrderElementsOf(
        expected(p -> p.institution().startsWith("St. Mary")));
    assertThat(all("pharmacist", "", "Central", "", "7")).containsExactlyInAnyOrderElementsOf(
        expected(p -> p.role() == Role.PHARMACIST && p.institution().startsWith("Central")));
    assertThat(all("", "ben", "northside", "", "4")).isNotEmpty().containsExactlyInAnyOrderElementsOf(
        expected(p -> wordPrefix(p.name(), "ben") && p.institution().startsWith("Northside")));
  }

  @Test
  void filtersByIndexExactOrHexPrefix() {
    Person p = people.get(42);
    assertThat(all("", "", "", p.hex(), "")).containsExactly(p.index());
    assertThat(all("", "", "", p.hex().toUpperCase(), "")).containsExactly(p.index());
    String prefix = p.hex().substring(0, 2);
    assertThat(all("", "", "", prefix, "3")).contains(p.index())
        .containsExactlyInAnyOrderElementsOf(expected(x -> x.hex().startsWith(prefix)));
    // The index with the other filters: they still apply.
    String other = p.role() == Role.DOCTOR ? "lawyer" : "doctor";
    assertThat(all(other, "", "", p.hex(), "")).isEmpty();
    for (String bad : List.of("xyz", "0123456789abcdef0", "12 34")) {
      assertThatThrownBy(() -> page("", "", "", bad, "", "")).isInstanceOf(RuleViolation.class)
          .hasMessageStartingWith("Q0: the index must be 1 to 16 hex digits");
    }
  }

  @Test
  void aRareFilterCostsPagesNotALongScan() throws Exception {
    // MAX_SCAN namesakes precede her in the name range, and the institution filter keeps only
    // her: the search examines at most MAX_SCAN keys per call and hands the rest to the next.
    for (int k = 0; k < Directory.MAX_SCAN; k++) register(Role.DOCTOR, "Aaron Filler" + k, "Filler Hospital");
    Person rare = register(Role.LAWYER, "Aaron Zed", "Rare Chambers");
    Answer first = page("", "aaron", "rare", "", "", "");
    assertThat(first.records()).isEmpty();
    assertThat(first.bookmark()).as("the scan stopped at its bound and says where to go on").isNotEmpty();
    assertThat(all("", "aaron", "rare", "", "")).containsExactly(rare.index());
    assertThat(all("", "", "rare", "", "")).containsExactly(rare.index());
    assertThat(all("", "", "", "", "50")).hasSize(people.size()).doesNotHaveDuplicates();
  }

  @Test
  void aChangedOrForeignBookmarkIsRefused() {
    String bookmark = page("doctor", "", "", "", "5", "").bookmark();
    assertThat(page("doctor", "", "", "", "5", bookmark).records()).hasSize(5);
    // The same bookmark with another page size is fine: it is bound to the filters only.
    assertThat(page("doctor", "", "", "", "9", bookmark).records()).hasSize(9);
    assertThatThrownBy(() -> page("lawyer", "", "", "", "5", bookmark)).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q5: the bookmark does not belong to this search");
    byte[] raw = Base64.getUrlDecoder().decode(bookmark);
    raw[raw.length - 1] ^= 1;
    String changed = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertThatThrownBy(() -> page("doctor", "", "", "", "5", changed)).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q5: the bookmark does not belong to this search");
    assertThatThrownBy(() -> page("doctor", "", "", "", "5", "not a bookmark!")).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q5: the bookmark is not one a directory search gave");
    // A well-formed bookmark (its check computed) that points outside the search's range.
    Directory.Search doctors = Directory.Search.of("doctor", "", "", "", "5");
    String outside = Directory.bookmark(doctors, "ML-D\u0000n\u00006\u0000a");
    assertThatThrownBy(() -> page("doctor", "", "", "", "5", outside)).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q5: the bookmark points outside this search's results");
  }

  @Test
  void tooLongSearchTextIsRefusedNamingTheField() {
    assertThatThrownBy(() -> page("", "x".repeat(101), "", "", "", "")).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q0: the name to search for is longer than 100 characters");
    assertThatThrownBy(() -> page("", "", "y".repeat(101), "", "", "")).isInstanceOf(RuleViolation.class)
        .hasMessageStartingWith("Q0: the institution to search for is longer than 100 characters");
  }

  @Test
  void foldingIsCaseSpacingAndCompatibilityInsensitive() {
    assertThat(Directory.fold("  Ana\u00a0\tTWIN ")).isEqualTo("ana twin");
    assertThat(Directory.fold("\uff21na")).isEqualTo("ana"); // fullwidth A
    assertThat(Directory.fold("a\u0000b\u0007c")).isEqualTo("abc");
  }

  private Person person(long index) {
    Set<Long> once = new HashSet<>();
    return people.stream().filter(p -> p.index() == index && once.add(index)).findFirst().orElseThrow();
  }
}
