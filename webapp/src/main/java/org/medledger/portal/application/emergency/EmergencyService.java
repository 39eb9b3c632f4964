package org.medledger.portal.application.emergency;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.protocol.AccessLog;
import org.medledger.core.protocol.EmergencyEscrow;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.protocol.epoch.KeyEpochs;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Cover;
import org.medledger.core.record.EmergencyRecord;
import org.medledger.core.record.EscrowRecord;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordContent;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.RecordWords;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.application.access.AccessLogService;
import org.medledger.portal.application.access.TreatmentOnLedger;
import org.medledger.portal.application.cover.Covers;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * Emergency access, "break the glass" (docs/protocol.md §Emergency access, docs/portal.md
 * "Emergency access"). The patient allows it per treatment (an escrow of the treatment key for
 * two custodians together); a doctor who is not a member writes a justification that every
 * member is told of; only once the ledger has committed it do the custodians give their shares,
 * and the doctor's reading is written to the access log before a record is shown. The chaincode
 * rate-limits justifications (rule R13).
 */
@ApplicationScoped
public class EmergencyService {
  private static final Logger LOG = Logger.getLogger(EmergencyService.class.getName());
  /** As long as rule R13 lets a justification cover reading. */
  static final Duration VALID = Duration.ofHours(24);
  /** Rule R13's limit, per doctor and per treatment in any 24 hours. */
  static final int EMERGENCY_LIMIT = 3;

  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject AccountService identities;
  @Inject DirectoryService directory;
  @Inject AccessLogService accessLog;
  @Inject Custodians custodians;
  @Inject org.medledger.portal.infrastructure.fhir.FhirResources fhir;

  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();

  /** Whether, and for which key, the patient allowed emergency access to a treatment. */
  public enum Permission {
    /** No escrow for this portal's custodians. */
    NONE,
    /** An escrow of a key before the latest member change: it opens only the records written before it. */
    EARLIER_KEY,
    /** An escrow of the key the treatment uses now. */
    CURRENT
  }

  /**
   * Whether the patient allowed emergency access to the treatment (an escrow for this portal's
   * custodians) with the key it uses now; after a member change she allows it again.
   */
  public boolean allowed(String kappa0Hex) {
    return permission(kappa0Hex) == Permission.CURRENT;
  }

  public Permission permission(String kappa0Hex) {
    TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), kappa0Hex);
    Optional<EscrowRecord> e = latestEscrow(t);
    if (e.isEmpty()) return Permission.NONE;
    Optional<SiffTag> now = t.pinnedTag();
    return now.isPresent() && java.util.Arrays.equals(now.get().hash(), e.get().tagHash()) ? Permission.CURRENT
        : Permission.EARLIER_KEY;
  }

  /**
   * The patient allows emergency access to her treatment: the key it uses now (the newest key
   * epoch's, which opens the earlier ones), sealed for both custodians together.
   */
  public void allow(Actor patient, String kappa0Hex) {
    TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), kappa0Hex);
    Consent c = t.txtc().consent();
    long me = TreatmentService.memberIndex(patient, c);
    if (patient.role() != Role.PATIENT || me != c.patientIndex()) {
      throw new PortalException("Only the patient can allow emergency access to her treatment.");
    }
    SiffTag tag = t.pinnedTag().orElseThrow(() -> new PortalException(
        "Emergency access can be allowed once the doctor has set up the treatment."));
    EscrowRecord e;
    try (SiffKey key = TreatmentProtocol.recoverKey(patient.secret(), t.kappa0(), tag)) {
      e = EmergencyEscrow.seal(key, t.kappa0(), tag, me, custodians.publicA(), custodians.publicB(), random);
    } catch (CryptoException ex) {
      throw new PortalException(ex.getMessage() + ".");
    }
    store(identities.treatmentIdentity(patient, c), e);
  }

  /** Why a doctor breaks the glass, for the form. */
  public record ReasonChoice(int code, String text) {}

  public static List<ReasonChoice> reasons() {
    List<ReasonChoice> out = new ArrayList<>();
    for (EmergencyRecord.Reason r : EmergencyRecord.Reason.values()) out.add(new ReasonChoice(r.code(), AccessLogService.reason(r.code())));
    return out;
  }

  /** One record as the emergency doctor reads it. */
  public record Line(String title, String who, Instant time, String text) {}

  /** The treatment as the emergency doctor reads it. */
  public record EmergencyView(String kappa0Hex, String heading, String patientLine, List<Line> records, Instant until) {}

  /**
   * Breaks the glass: writes the justification (every member is told by its event), then reads.
   *
   * @throws PortalException not a doctor, a member, not allowed by the patient, the limit reached, the ledger away
   */
  public EmergencyView breakGlass(Actor doctor, String kappa0Hex, int reason) {
    if (doctor.role() != Role.DOCTOR) throw new PortalException("Only a doctor can open a treatment in an emergency.");
    if (!EmergencyRecord.Reason.valid(reason)) throw new PortalException("Please choose why you need this treatment now.");
    TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), kappa0Hex);
    Consent c = t.txtc().consent();
    if (c.roleOf(doctor.index()) != null) {
      throw new PortalException("You take part in this treatment: open it from your dashboard, no emergency access is needed.");
    }
    if (latestEscrow(t).isEmpty()) {
      throw new PortalException("The patient has not allowed emergency access to this treatment; it cannot be opened.");
    }
    // Still justified (less than 24 hours): read again; the reading is logged each time.
    if (committedJustification(t, doctor.index()).isPresent()) return read(doctor, kappa0Hex, AccessLogService.reason(reason));
    byte[] request = new byte[EmergencyRecord.REQUEST_BYTES];
    random.nextBytes(request);
    store(identities.treatmentIdentity(doctor, c), new EmergencyRecord(t.kappa0(), doctor.index(), reason, request));
    LOG.info(() -> "Emergency access to treatment " + t.kappa0Hex().substring(0, 12) + " asked by " + doctor.indexHex());
    return read(doctor, kappa0Hex, AccessLogService.reason(reason));
  }

  /**
   * Reads the treatment for a doctor whose justification the ledger committed less than 24 hours
   * ago: the custodians check it on the ledger, give their shares, and the reading is logged first.
   */
  public EmergencyView read(Actor doctor, String kappa0Hex, String why) {
    TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), kappa0Hex);
    Instant justified = committedJustification(t, doctor.index()).orElseThrow(() -> new PortalException(
        "There is no emergency justification of yours for this treatment in the last 24 hours."));
    EscrowRecord escrow = latestEscrow(t).orElseThrow(() -> new PortalException(
        "The patient has not allowed emergency access to this treatment; it cannot be opened."));
    // The escrow holds the key of one of the treatment's epochs (R14): the newest unless the
    // members changed after the patient allowed it; that key opens its own epoch and the earlier.
    SiffTag tag = t.tagOf(escrow.tagHash()).orElseThrow(() -> new PortalException(
        "The patient's emergency permission is not for this treatment's key; it cannot be opened."));
    Map<String, SiffKey> keys = new HashMap<>();
    try (SiffKey key = release(t, doctor.index(), escrow)) {
      // No reading without its record in the patient's access log.
      accessLog.record(identities.treatmentIdentity(doctor, t.txtc().consent()),
          AccessLog.seal(key, t.kappa0(), tag, doctor.index(), AccessLog.What.EMERGENCY_READ, why == null ? "" : why));
      earlierKeys(t, tag, key, keys);
      keys.put(Bytes.hex(tag.hash()), key);
      return view(t, keys, justified.plus(VALID));
    } finally {
      keys.forEach((h, k) -> {
        if (!h.equals(Bytes.hex(tag.hash()))) k.close();
      });
    }
  }

  /** The keys of the epochs before {@code tag}'s, unwrapped from its epoch record with {@code key} (docs/protocol.md §Key epochs). */
  private static void earlierKeys(TreatmentOnLedger t, SiffTag tag, SiffKey key, Map<String, SiffKey> into) {
    int e = t.epochOf(tag);
    if (e < 1) return;
    KeyEpoch record = t.chain().records().get(e - 1);
    List<SiffTag> tags = t.tags();
    for (int j = 0; j < e; j++) {
      try {
        into.put(Bytes.hex(tags.get(j).hash()),
            KeyEpochs.unwrap(key, t.kappa0(), e, tag, j, tags.get(j), record.wrappedKeys().get(j)));
      } catch (CryptoException notOpened) {
        // that epoch's records stay unread, as a wrong key's would
      }
    }
  }

  /**
   * The custodians' release: each share only for a justification by this doctor that the ledger
   * has committed (read from the ledger here, not from the request), within 24 hours.
   */
  private SiffKey release(TreatmentOnLedger t, long doctor, EscrowRecord escrow) {
    if (committedJustification(t, doctor).isEmpty()) throw new PortalException("No committed emergency justification.");
    byte[] a = custodians.shareA(escrow);
    // Custodian B reads the ledger again by itself before giving its share.
    TreatmentOnLedger again = TreatmentOnLedger.read(ledger, portal.get(), t.kappa0Hex());
    if (committedJustification(again, doctor).isEmpty()) throw new PortalException("No committed emergency justification.");
    byte[] b = custodians.shareB(escrow);
    try {
      return EmergencyEscrow.open(a, b, escrow);
    } catch (CryptoException e) {
      throw new PortalException("The patient's emergency permission cannot be opened by this portal's emergency service.");
    } finally {
      Bytes.wipe(a);
      Bytes.wipe(b);
    }
  }

  /** When the ledger committed this doctor's latest justification, if less than 24 hours ago. */
  private Optional<Instant> committedJustification(TreatmentOnLedger t, long doctor) {
    Instant latest = null;
    for (MedLedgerClient.TreatmentEntry e : t.entries()) {
      if (e.type() != RecordType.EMERGENCY) continue;
      LedgerRecord r = ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
      if (r instanceof EmergencyRecord em && em.doctor() == doctor) latest = Instant.ofEpochMilli(e.timeMillis());
    }
    if (latest == null || latest.plus(VALID).isBefore(clock.instant())) return Optional.empty();
    return Optional.of(latest);
  }

  /** The patient's latest escrow for this portal's custodians. */
  private Optional<EscrowRecord> latestEscrow(TreatmentOnLedger t) {
    EscrowRecord out = null;
    for (MedLedgerClient.TreatmentEntry e : t.entries()) {
      if (e.type() != RecordType.ESCROW) continue;
      LedgerRecord r = ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
      if (r instanceof EscrowRecord es && custodians.holds(es)) out = es;
    }
    return Optional.ofNullable(out);
  }

  private EmergencyView view(TreatmentOnLedger t, Map<String, SiffKey> keys, Instant until) {
    Consent c = t.txtc().consent();
    String heading = "Treatment";
    String patientLine = "";
    List<Line> lines = new ArrayList<>();
    boolean coverSeen = false;
    for (MedLedgerClient.TreatmentEntry e : t.entries()) {
      if (!e.type().isProcessRecord()) continue;
      ProcessRecord p = (ProcessRecord) ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
      if (p == null) continue;
      SiffKey key = keys.get(Bytes.hex(SiffTag.parse(p.tag()).hash()));
      if (key == null) continue; // an epoch after the key the patient gave
      byte[] msg;
      try {
        msg = TreatmentProtocol.read(key, p);
      } catch (CryptoException ex) {
        continue; // not under this key
      }
      Instant when = Instant.ofEpochMilli(e.timeMillis());
      // The cover, by the reading rule of Covers.find: its FHIR form (how covers are written now)
      // or the cover record that earlier covers carry. Read only the second form, a FHIR cover
      // showed as a record and left the heading "Treatment" (FabricPortalsIT found it).
      Optional<Cover> asCover = !coverSeen && Covers.isCoverCandidate(p, c) ? coverIn(msg) : Optional.empty();
      if (asCover.isPresent()) {
        Cover cover = asCover.get();
        heading = cover.title() + " — " + cover.patientName();
        patientLine = "Patient: " + cover.patientName() + (cover.birthDate() == null ? ""
            : ", born " + cover.birthDate().format(java.time.format.DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH)));
        coverSeen = true;
        continue;
      }
      String title;
      String text;
      try {
        RecordContent content = RecordCodec.readContent(msg);
        var readable = fhir.read(content);
        title = readable.kind() != null ? RecordWords.kind(readable.kind(), p.type()) : RecordWords.title(p.type());
        text = readable.text();
      } catch (RuntimeException ex) {
        title = RecordWords.title(p.type());
        text = "(this record's content could not be read)";
      }
      lines.add(new Line(title, sender(p.sender(), c), when, text));
    }
    return new EmergencyView(t.kappa0Hex(), heading, patientLine, lines, until);
  }

  /** The cover in a decrypted txd number 0, in either form; empty when it is not a cover. */
  private Optional<Cover> coverIn(byte[] msg) {
    try {
      if (RecordCodec.looksLikeCover(msg)) return Optional.of(RecordCodec.parseCover(msg));
      if (RecordCodec.looksLikeContent(msg)) return fhir.coverOf(RecordCodec.readContent(msg));
    } catch (RuntimeException notACover) {
      // read as a record below
    }
    return Optional.empty();
  }

  private String sender(long index, Consent c) {
    Role role = c.roleOf(index);
    if (role != null && role.pseudonymous()) return role == Role.PATIENT ? "The patient" : "A family member";
    try {
      return directory.byIndex(index).map(DirectoryService.Participant::name).orElse(role == null ? "Someone" : role.title());
    } catch (RuntimeException e) {
      return role == null ? "Someone" : role.title();
    }
  }

  private void store(org.medledger.ledger.LedgerIdentity who, LedgerRecord r) {
    try {
      ledger.store(who, r);
    } catch (LedgerException e) {
      if (e.kind() == LedgerException.Kind.REJECTED) throw new PortalException(plain(e.getMessage()), e);
      throw new PortalException("The ledger is not available right now; please try again.", e);
    }
  }

  /** The chaincode's refusal without its rule number, as a sentence ("R13: ..." → "..."). */
  static String plain(String refusal) {
    String m = refusal == null ? "" : refusal;
    int i = m.indexOf("R1");
    if (i >= 0 && m.indexOf(':', i) > i) m = m.substring(m.indexOf(':', i) + 1).trim();
    if (m.contains("has asked for emergency access")) {
      return "You have asked for emergency access " + EMERGENCY_LIMIT + " times in the last 24 hours, the most allowed. "
          + "Please contact the patient's doctors.";
    }
    if (m.contains("opened in an emergency")) {
      return "This treatment was opened in an emergency " + EMERGENCY_LIMIT + " times in the last 24 hours, the most allowed. "
          + "Please contact the patient's doctors.";
    }
    if (m.contains("already has emergency access")) return "You already have emergency access to this treatment.";
    if (m.isEmpty()) return "The ledger refused the emergency access.";
    return Character.toUpperCase(m.charAt(0)) + m.substring(1) + ".";
  }
}
