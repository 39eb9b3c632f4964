package org.medledger.portal.application.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.protocol.AccessLog;
import org.medledger.core.protocol.epoch.KeyRing;
import org.medledger.core.record.AccessRecord;
import org.medledger.core.record.Consent;
import org.medledger.core.record.EmergencyRecord;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * The access log (docs/protocol.md §Access record, docs/portal.md "Access log"): opening a case
 * file, exporting a treatment and reading it in an emergency each leave an access record on the
 * ledger before anything is served, and the patient and family read the log on the treatment
 * page. What and why are sealed under the treatment key; who and when are the ledger's.
 */
@ApplicationScoped
public class AccessLogService {
  private static final Logger LOG = Logger.getLogger(AccessLogService.class.getName());

  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject AccountService identities;
  @Inject DirectoryService directory;

  /** The ledger did not take the access record: nothing of the treatment is served. */
  public static final class NotRecordedException extends PortalException {
    private static final long serialVersionUID = 1L;

    NotRecordedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Writes {@code reader}'s access record and returns once the ledger has committed it. A treatment
   * whose key is not established yet has no content to read: nothing is written then.
   *
   * @throws PortalException not a member (the same refusal as the treatment page)
   * @throws NotRecordedException the ledger refused the record or is away: serve nothing
   */
  public void record(Actor reader, String kappa0Hex, AccessLog.What what, String why) {
    TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), kappa0Hex);
    Consent c = t.txtc().consent();
    long me = TreatmentService.memberIndex(reader, c);
    // The newest key epoch's members read (docs/protocol.md §Key epochs): an added member does, a
    // removed one no longer (R12 says the same).
    Role role = t.members().roleOf(me);
    if (role == null || (reader.role().pseudonymous() && role != reader.role())) {
      if (what != AccessLog.What.EMERGENCY_READ) {
        throw new PortalException("You are not a participant of this treatment; its records are not shown.");
      }
    }
    if (t.pinnedTag().isEmpty()) return; // nothing encrypted exists yet, so nothing can be read
    AccessRecord r;
    try {
      r = AccessLog.seal(reader.secret(), t.kappa0(), t.pinnedTag().get(), me, what, why);
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    record(identities.treatmentIdentity(reader, c), r); // ind_x' for a patient or family member
  }

  /** Stores an access record sealed elsewhere (emergency access, with the released key). */
  public void record(LedgerIdentity who, AccessRecord r) {
    try {
      ledger.store(who, r);
    } catch (LedgerException e) {
      LOG.warning(() -> "Access record not stored: " + e.getMessage());
      String why = e.kind() == LedgerException.Kind.REJECTED ? "the ledger refused it (" + e.getMessage() + ")"
          : "the ledger is not available right now";
      throw new NotRecordedException("Your access could not be recorded on the ledger, so nothing was opened: " + why
          + ". Every opening of a case file is recorded for the patient; please try again later.", e);
    }
  }

  /** One line of the access log, in people's words. */
  public record Entry(String who, String did, String why, Instant time, boolean emergency) {
    /** "Frank Weber (lawyer) opened the case file". */
    public String sentence() {
      return who + " " + did;
    }
  }

  /** Whether {@code viewer} sees the treatment's access log: its patient and family members. */
  public static boolean seesLog(TreatmentService.TreatmentView v) {
    return v != null && (v.myRole() == Role.PATIENT || v.myRole() == Role.FAMILY) && !v.leftOut();
  }

  /**
   * The access log of a treatment for its patient or a family member, newest first: every access
   * record opened with the viewer's key and every emergency justification. Empty for others.
   */
  public List<Entry> log(Actor viewer, TreatmentService.TreatmentView view) {
    if (!seesLog(view)) return List.of();
    TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), view.kappa0Hex());
    if (t.pinnedTag().isEmpty()) return List.of();
    Map<String, String> names = new java.util.HashMap<>();
    for (TreatmentService.MemberView m : view.members()) {
      names.put(m.indexHex(), m.me() ? "You" : m.name() + " (" + roleWord(m.role()) + ")");
    }
    List<Entry> out = new ArrayList<>();
    // Each access record names the epoch key it is sealed under; the viewer's key ring holds every
    // epoch's key she can have (the newest one's opens the earlier ones).
    try (KeyRing ring = KeyRing.of(viewer.secret(), t.kappa0(), t.tag0().get(), t.chain().records())) {
      for (MedLedgerClient.TreatmentEntry e : t.entries()) {
        if (e.type() != RecordType.ACCESS && e.type() != RecordType.EMERGENCY) continue;
        LedgerRecord r = ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
        Instant when = Instant.ofEpochMilli(e.timeMillis());
        if (r instanceof AccessRecord a) {
          String who = names.computeIfAbsent(ParticipantIndex.hex(a.reader()), h -> outsider(a.reader()));
          AccessLog.Entry opened;
          try {
            Optional<SiffKey> key = t.tagOf(a.tagHash()).flatMap(ring::keyFor);
            opened = key.isPresent() ? AccessLog.open(key.get(), a) : null;
          } catch (CryptoException ex) {
            opened = null;
          }
          if (opened == null) {
            out.add(new Entry(who, "looked at the treatment (the details cannot be read with your key)", "", when, false));
          } else {
            out.add(new Entry(who, did(opened.what()), opened.why(), when, opened.what() == AccessLog.What.EMERGENCY_READ));
          }
        } else if (r instanceof EmergencyRecord em) {
          String who = names.computeIfAbsent(ParticipantIndex.hex(em.doctor()), h -> outsider(em.doctor()));
          out.add(new Entry(who, "asked for emergency access", reason(em.reason()), when, true));
        }
      }
    }
    Collections.reverse(out);
    return out;
  }

  /** What the reader did, in plain words (docs/portal.md "Access log"). */
  static String did(AccessLog.What what) {
    return switch (what) {
      case CASE_FILE_PAGE -> "opened the case file";
      case CASE_FILE_PDF -> "downloaded the case file";
      case EVIDENCE_BUNDLE -> "downloaded the evidence bundle";
      case FHIR_EXPORT -> "downloaded the records for health software";
      case EMERGENCY_READ -> "read the treatment in an emergency";
    };
  }

  /** An emergency justification's reason, in plain words. */
  public static String reason(int code) {
    return switch (EmergencyRecord.Reason.of(code)) {
      case PATIENT_CANNOT_COMMUNICATE -> "The patient is unconscious or cannot communicate";
      case LIFE_THREATENING -> "A life-threatening condition";
      case DOCTORS_UNREACHABLE -> "Urgent care is needed and the patient's doctors cannot be reached";
    };
  }

  /** A doctor who is not a member (an emergency doctor): by name and institution from the directory. */
  private String outsider(long index) {
    try {
      return directory.byIndex(index).map(p -> p.name() + " (" + roleWord(p.role())
          + (p.institution() == null ? "" : ", " + p.institution()) + ")").orElse("Someone who is not a participant");
    } catch (RuntimeException e) {
      return "Someone who is not a participant";
    }
  }

  private static String roleWord(Role r) {
    return switch (r) {
      case LAWYER -> "lawyer";
      case FAMILY -> "family member";
      default -> r.title().toLowerCase(Locale.ROOT);
    };
  }
}
