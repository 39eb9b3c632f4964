package org.medledger.ledger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;

/**
 * Typed access to the MedLedger chaincode over any {@link LedgerGateway}: the function names
 * and argument encodings of docs/protocol.md §Chaincode interface live here and nowhere else.
 */
public final class MedLedgerClient {
  public static final String STORE = "Store";
  public static final String GET = "Get";
  public static final String LIST_TREATMENT = "ListTreatment";
  public static final String GET_PARTICIPANT = "GetParticipant";
  public static final String SEARCH_PARTICIPANTS = "SearchParticipants";
  public static final String GET_BY_CONSENT = "GetByConsent";

  private static final Pattern ENTRY =
      Pattern.compile("\\{\"type\":\"([a-z]+)\",\"kappa\":\"([0-9a-f]{64})\",\"tx\":\"([^\"]*)\",\"time\":(\\d+)\\}");
  private static final Pattern PAGE =
      Pattern.compile("\\{\"records\":\\[((?:\"[A-Za-z0-9+/=]*+\",?)*+)\\],\"bookmark\":\"([A-Za-z0-9_-]*)\"\\}");
  private static final Pattern CONSENT_TREATMENT = Pattern.compile("^\\{\"treatment\":(?:null|\"([0-9a-f]{64})\"),");
  private static final Pattern WITHDRAWAL = Pattern.compile(
      "\\{\"kappa\":\"([0-9a-f]{64})\",\"key\":\"([0-9a-f]{66})\",\"tx\":\"([^\"]*)\",\"time\":(\\d+)\\}");
  private static final Pattern STRING = Pattern.compile("\"([A-Za-z0-9+/=]*)\"");

  private final LedgerGateway ledger;

  public MedLedgerClient(LedgerGateway ledger) {
    this.ledger = ledger;
  }

  public LedgerGateway ledger() {
    return ledger;
  }

  /** A stored record: κ, the encoded value, and the transaction that committed it. */
  public record Stored(byte[] kappa, byte[] value, String transactionId, long blockNumber) {
    public String kappaHex() {
      return Bytes.hex(kappa);
    }
  }

  /** One record of a treatment's listing. */
  public record TreatmentEntry(RecordType type, String kappaHex, String transactionId, long timeMillis) {}

  /** A withdrawal of a consent on the ledger: its κ, the key it was made under (vk_p'), when. */
  public record ConsentWithdrawn(String kappaHex, byte[] patientKey, String transactionId, long timeMillis) {}

  /**
   * What became of a consent id: the treatment it opened (κ0 hex), if any, and the withdrawals
   * stored for it, under whatever key (only one under the consent's own vk_p' counts: R4).
   */
  public record ConsentUse(Optional<String> treatment, List<ConsentWithdrawn> withdrawals) {
    /** The withdrawal made under {@code patientKey}, the key the consent names for its patient. */
    public Optional<ConsentWithdrawn> withdrawnBy(byte[] patientKey) {
      return withdrawals.stream().filter(w -> java.util.Arrays.equals(w.patientKey(), patientKey)).findFirst();
    }
  }

  /** Store(v) as {@code identity}; throws {@link LedgerException} (REJECTED) if refused. */
  public Stored store(LedgerIdentity identity, LedgerRecord record) {
    byte[] v = RecordCodec.encode(record);
    return storeRaw(identity, v);
  }

  /** Store of already-encoded bytes (tests of the chaincode's rules, benchmarks). */
  public Stored storeRaw(LedgerIdentity identity, byte[] v) {
    SubmitResult r = ledger.submit(identity, STORE, v);
    String kappaHex = new String(r.payload(), StandardCharsets.US_ASCII);
    return new Stored(Bytes.unhex(kappaHex), v, r.transactionId(), r.blockNumber());
  }

  /** Get(κ): the record bytes, or empty if no record has that key. */
  public Optional<byte[]> get(LedgerIdentity identity, byte[] kappa) {
    try {
      byte[] b64 = ledger.evaluate(identity, GET, Bytes.hex(kappa).getBytes(StandardCharsets.US_ASCII));
      return Optional.of(Base64.getDecoder().decode(b64));
    } catch (LedgerException e) {
      if (refusedBy(e, "Q1")) return Optional.empty();
      throw e;
    }
  }

  public Optional<LedgerRecord> getRecord(LedgerIdentity identity, byte[] kappa) {
    return get(identity, kappa).map(RecordCodec::parse);
  }

  /** Every record of treatment κ0 in commit order (empty if there is no such treatment). */
  public List<TreatmentEntry> treatment(LedgerIdentity identity, byte[] kappa0) {
    String json;
    try {
      json = new String(ledger.evaluate(identity, LIST_TREATMENT, Bytes.hex(kappa0).getBytes(StandardCharsets.US_ASCII)),
          StandardCharsets.UTF_8);
    } catch (LedgerException e) {
      if (refusedBy(e, "Q2")) return List.of();
      throw e;
    }
    List<TreatmentEntry> out = new ArrayList<>();
    Matcher m = ENTRY.matcher(json);
    while (m.find()) {
      out.add(new TreatmentEntry(RecordType.fromLabel(m.group(1)), m.group(2), m.group(3), Long.parseLong(m.group(4))));
    }
    return out;
  }

  /** GetByConsent: the treatment opened with a consent id and the withdrawals of that id. */
  public ConsentUse byConsent(LedgerIdentity identity, byte[] consentId) {
    String json = new String(ledger.evaluate(identity, GET_BY_CONSENT, Bytes.hex(consentId).getBytes(StandardCharsets.US_ASCII)),
        StandardCharsets.UTF_8);
    Matcher t = CONSENT_TREATMENT.matcher(json);
    if (!t.find()) throw new LedgerException(LedgerException.Kind.FAILED, "GetByConsent answered " + json);
    List<ConsentWithdrawn> ws = new ArrayList<>();
    Matcher m = WITHDRAWAL.matcher(json);
    while (m.find()) {
      ws.add(new ConsentWithdrawn(m.group(1), Bytes.unhex(m.group(2)), m.group(3), Long.parseLong(m.group(4))));
    }
    return new ConsentUse(Optional.ofNullable(t.group(1)), List.copyOf(ws));
  }

  /** The registration published under ind_x, if any. */
  public Optional<Registration> participant(LedgerIdentity identity, long index) {
    try {
      byte[] b64 = ledger.evaluate(identity, GET_PARTICIPANT, ParticipantIndex.hex(index).getBytes(StandardCharsets.US_ASCII));
      return Optional.of((Registration) RecordCodec.parse(Base64.getDecoder().decode(b64)));
    } catch (LedgerException e) {
      if (refusedBy(e, "Q3")) return Optional.empty();
      throw e;
    }
  }

  /**
   * A directory search (docs/protocol.md §Directory search): professionals of {@code role} (null:
   * any) whose name starts with {@code name} and institution with {@code institution} (case and
   * spacing ignored; empty: any), whose ind_x in hex starts with {@code indexPrefix} (empty:
   * any); {@code pageSize} 1–50, 0 for the chaincode's default (20).
   */
  public record DirectorySearch(Role role, String name, String institution, String indexPrefix, int pageSize) {
    public DirectorySearch {
      name = name == null ? "" : name;
      institution = institution == null ? "" : institution;
      indexPrefix = indexPrefix == null ? "" : indexPrefix;
    }

    public static DirectorySearch byName(Role role, String name, int pageSize) {
      return new DirectorySearch(role, name, "", "", pageSize);
    }
  }

  /** One page of a search; {@code bookmark} asks for the next ("" after the last page). */
  public record DirectoryPage(List<Registration> registrations, String bookmark) {
    public boolean more() {
      return !bookmark.isEmpty();
    }
  }

  /**
   * One page of a directory search, from {@code bookmark} (null or "" for the first page). A
   * bad filter (Q0) or a bookmark the search did not give (Q5) is a {@link LedgerException}
   * REJECTED with the chaincode's message.
   */
  public DirectoryPage searchParticipants(LedgerIdentity identity, DirectorySearch search, String bookmark) {
    byte[] answer = ledger.evaluate(identity, SEARCH_PARTICIPANTS,
        utf8(search.role() == null ? "" : search.role().name().toLowerCase(java.util.Locale.ROOT)),
        utf8(search.name()), utf8(search.institution()), utf8(search.indexPrefix()),
        utf8(search.pageSize() == 0 ? "" : Integer.toString(search.pageSize())), utf8(bookmark == null ? "" : bookmark));
    String json = new String(answer, StandardCharsets.UTF_8);
    Matcher page = PAGE.matcher(json);
    if (!page.matches()) {
      throw new LedgerException(LedgerException.Kind.FAILED, "the directory search answered something unexpected");
    }
    List<Registration> out = new ArrayList<>();
    Matcher m = STRING.matcher(page.group(1));
    while (m.find()) out.add((Registration) RecordCodec.parse(Base64.getDecoder().decode(m.group(1))));
    return new DirectoryPage(List.copyOf(out), page.group(2));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The chaincode refused with {@code rule} (docs/protocol.md: every refusal starts with its
   * rule id, e.g. "Q1: no record with key ..."), on either ledger; "not found" is one of them.
   */
  private static boolean refusedBy(LedgerException e, String rule) {
    String m = e.getMessage();
    return e.kind() == LedgerException.Kind.REJECTED && m != null && m.contains(rule + ": ");
  }
}
