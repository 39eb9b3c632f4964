package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.TransactionEvidence;
import org.medledger.portal.infrastructure.crypto.SiffService;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.persistence.AccountRepository;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * The treatment use cases (docs/protocol.md §Flow): the patient's consent, the doctor's txtc,
 * the invitations' txtr, the doctor's SIFF key building, process records and reading them back.
 * Every method acts as one {@link Actor}; reads use the portal's identity. A failure a user
 * caused becomes a {@link PortalException} and nothing is stored.
 */
@ApplicationScoped
public class TreatmentService {
  private static final Logger LOG = Logger.getLogger(TreatmentService.class.getName());
  /** Prefix of the consent text inside the patient's QR code. */
  public static final String CONSENT_PREFIX = "medledger-consent:1:";

  @Inject MedLedgerClient ledger;
  @Inject LedgerGateway gateway;
  @Inject @Portal PortalIdentity portal;
  @Inject SiffService siff;
  @Inject AccountRepository accounts;
  @Inject DirectoryService directory;
  @Inject QrCodes qr;
  @Inject AccountService identities;

  // ---------------------------------------------------------------- views

  public record ConsentView(String text, String qrDataUri, List<String> summary) {}

  public record MemberView(Role role, String indexHex, String name, boolean answered, boolean me) {
    public String roleTitle() {
      return role.title();
    }
  }

  public record Evidence(String transactionId, long blockNumber, String blockHash, Instant time, String mspId,
      String signer, boolean valid) {}

  public record RecordView(RecordType type, String kappaHex, String senderName, Role senderRole, int sequence,
      Instant time, String transactionId, String text, boolean readable, Evidence evidence) {
    public String typeLabel() {
      return type.label();
    }

    public String title() {
      return switch (type) {
        case TXTC -> "Treatment opened";
        case TXTR -> "Invitation accepted";
        case TXD -> "Doctor's record";
        case TXM -> "Pharmacist's record";
        case TXA -> "Insurer's record";
        default -> type.label();
      };
    }
  }

  public record TreatmentView(String kappa0Hex, Role myRole, List<MemberView> members, List<RecordView> records,
      String status, boolean canRespond, boolean keyReady, boolean canBuildKey, RecordType writable, int nextSequence,
      Instant openedAt, int answered, int responders) {
    public String shortId() {
      return kappa0Hex.substring(0, 12);
    }

    public String myRoleTitle() {
      return myRole.title();
    }

    public String writableLabel() {
      return writable == null ? "" : writable.label();
    }

    public RecordView lastRecord() {
      return records.isEmpty() ? null : records.get(records.size() - 1);
    }
  }

  public record Summary(String kappa0Hex, String status, int records, String myRoleTitle, Instant lastTime,
      String lastTitle, int members) {
    public String shortId() {
      return kappa0Hex.substring(0, 12);
    }
  }

  // ---------------------------------------------------------------- patient: consent

  /**
   * The patient's signed selection, as the text and QR code the doctor scans.
   *
   * @param familyCards participant-card texts of family members (one per line)
   */
  public ConsentView consent(Actor patient, String familyCards, String doctorIndex, List<String> pharmacists,
      List<String> insurers, List<String> lawyers) {
    if (patient.role() != Role.PATIENT) throw new PortalException("Only a patient starts a treatment.");
    if (doctorIndex == null || doctorIndex.isBlank()) throw new PortalException("Please choose the doctor.");
    List<byte[]> family = new ArrayList<>();
    if (familyCards != null) {
      for (String line : familyCards.split("\\R")) {
        if (line.isBlank()) continue;
        Card c = Card.parse(line);
        if (c.role() != Role.FAMILY) {
          throw new PortalException("The card " + ParticipantIndex.hex(c.index()) + " is not a family member's card.");
        }
        family.add(c.publicKey());
      }
    }
    long doctor = registered(doctorIndex, Role.DOCTOR);
    List<Long> m = indexes(pharmacists, Role.PHARMACIST);
    List<Long> a = indexes(insurers, Role.INSURER);
    List<Long> i = indexes(lawyers, Role.LAWYER);
    Consent c;
    try {
      c = siff.consent(patient.secret(), family, a, i, m, doctor);
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    String text = CONSENT_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(RecordCodec.encodeConsent(c));
    List<String> summary = new ArrayList<>();
    for (Consent.Member mem : c.members()) {
      summary.add(mem.role().title() + ": " + name(mem.index(), mem.role(), patient, c.patientIndex()));
    }
    return new ConsentView(text, qr.dataUri(text, 360), summary);
  }

  // ---------------------------------------------------------------- doctor: open

  /** Decodes the consent from an uploaded picture of the patient's QR code and opens it. */
  public String openFromImage(Actor doctor, byte[] image) {
    String text;
    try {
      text = qr.decode(image);
    } catch (QrCodes.UnreadableException e) {
      throw new PortalException(e.getMessage());
    }
    return open(doctor, text);
  }

  /** Opens the treatment (Store txtc); returns κ0 as hex. */
  public String open(Actor doctor, String consentText) {
    if (doctor.role() != Role.DOCTOR) throw new PortalException("Only a doctor opens a treatment.");
    Consent consent = parseConsent(consentText);
    if (consent.doctor() != doctor.index()) {
      throw new PortalException("This consent names another doctor (" + ParticipantIndex.hex(consent.doctor())
          + "); only that doctor can open it.");
    }
    Txtc txtc;
    try {
      txtc = siff.open(doctor.secret(), consent);
    } catch (CryptoException e) {
      throw new PortalException("The consent cannot be used: " + e.getMessage() + ".");
    }
    MedLedgerClient.Stored s = store(doctor, txtc);
    LOG.info(() -> "Treatment " + s.kappaHex().substring(0, 12) + " opened by " + doctor.indexHex());
    return s.kappaHex();
  }

  static Consent parseConsent(String text) {
    String t = text == null ? "" : text.trim();
    if (t.isEmpty()) throw new PortalException("Please upload the picture of the patient's QR code or paste its text.");
    if (t.startsWith(Card.PREFIX)) {
      throw new PortalException("This is a participant card, not a patient's consent.");
    }
    if (t.startsWith(CONSENT_PREFIX)) t = t.substring(CONSENT_PREFIX.length());
    byte[] bytes;
    try {
      bytes = t.indexOf('+') >= 0 || t.indexOf('/') >= 0 ? Base64.getMimeDecoder().decode(t)
          : Base64.getUrlDecoder().decode(t.replace("=", "").replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new PortalException("This QR code is not a MedLedger consent.");
    }
    try {
      return RecordCodec.parseConsent(bytes);
    } catch (IllegalArgumentException e) {
      throw new PortalException("This QR code is not a MedLedger consent.");
    }
  }

  // ---------------------------------------------------------------- members: respond

  public void respond(Actor x, String kappa0Hex) {
    Loaded t = load(kappa0Hex, x);
    if (t.txtc.consent().responders().stream().noneMatch(m -> m.index() == t.me)) {
      throw new PortalException("You are the doctor of this treatment; you do not answer its invitation.");
    }
    if (t.answered.contains(t.me)) throw new PortalException("You have already accepted this invitation.");
    Txtr r;
    try {
      r = siff.respond(x.secret(), t.me, t.txtc, t.kappa0);
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    // A patient or family member answers under their key of this treatment (ind_x', vk_x').
    store(identities.treatmentIdentity(x, t.txtc.consent()), r);
  }

  // ---------------------------------------------------------------- doctor: key

  /** Builds the SIFF function once every responder has answered; keeps the public tag locally. */
  public void buildKey(Actor doctor, String kappa0Hex) {
    Loaded t = load(kappa0Hex, doctor);
    if (t.txtc.consent().doctor() != doctor.index()) throw new PortalException("Only the treatment's doctor builds its key.");
    if (t.tag().isPresent()) return;
    int need = t.txtc.consent().responders().size();
    if (t.responses.size() < need) {
      throw new PortalException(t.responses.size() + " of " + need + " participants have answered; the key needs all of them.");
    }
    SiffTag tag;
    try {
      tag = siff.buildTag(doctor.secret(), t.txtc, t.kappa0, t.responses);
    } catch (CryptoException e) {
      throw new PortalException("The key cannot be built: " + e.getMessage() + ".");
    }
    accounts.savePendingTag(kappa0Hex, tag.encoded());
  }

  // ---------------------------------------------------------------- process records

  public void write(Actor writer, String kappa0Hex, String message) {
    byte[] msg = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
    if (msg.length == 0) throw new PortalException("The record is empty.");
    if (msg.length > RecordCodec.MAX_MESSAGE_BYTES) {
      throw new PortalException("The record is " + msg.length + " bytes; the limit is " + RecordCodec.MAX_MESSAGE_BYTES
          + " bytes (256 KiB). Nothing was stored.");
    }
    Loaded t = load(kappa0Hex, writer);
    RecordType type = switch (writer.role()) {
      case DOCTOR -> RecordType.TXD;
      case PHARMACIST -> RecordType.TXM;
      case INSURER -> RecordType.TXA;
      default -> throw new PortalException("Your role does not write records in a treatment.");
    };
    if (t.role != writer.role()) throw new PortalException("You are not this treatment's " + writer.role().title().toLowerCase(Locale.ROOT) + ".");
    if (type == RecordType.TXD && t.tag().isEmpty()) buildKey(writer, kappa0Hex);
    Loaded now = type == RecordType.TXD ? load(kappa0Hex, writer) : t;
    SiffTag tag = now.tag().orElseThrow(() -> new PortalException(
        "The treatment key is not ready yet: the doctor builds it once every participant has answered."));
    ProcessRecord r;
    try {
      r = siff.seal(writer.secret(), type, now.txtc, now.kappa0, tag, writer.index(), now.nextSequence(writer.index()), msg);
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    store(writer, r);
    if (type == RecordType.TXD) accounts.dropPendingTag(kappa0Hex);
  }

  // ---------------------------------------------------------------- reading

  /** The treatment as {@code x} may see it; refuses anyone who is not a member. */
  public TreatmentView view(Actor x, String kappa0Hex, boolean withEvidence) {
    Loaded t = load(kappa0Hex, x);
    Consent c = t.txtc.consent();
    List<MemberView> members = new ArrayList<>();
    for (Consent.Member m : c.members()) {
      boolean answered = m.role() == Role.DOCTOR || t.answered.contains(m.index());
      members.add(new MemberView(m.role(), ParticipantIndex.hex(m.index()), name(m.index(), m.role(), x, t.me), answered,
          m.index() == t.me));
    }
    List<RecordView> records = new ArrayList<>();
    for (Entry e : t.entries) {
      Evidence ev = withEvidence ? evidence(e.entry.transactionId()) : null;
      Instant time = Instant.ofEpochMilli(e.entry.timeMillis());
      if (e.record instanceof Txtc) {
        records.add(new RecordView(RecordType.TXTC, e.entry.kappaHex(), name(c.doctor(), Role.DOCTOR, x, t.me),
            Role.DOCTOR, 0, time, e.entry.transactionId(), members.size() + " members invited", true, ev));
      } else if (e.record instanceof Txtr tr) {
        records.add(new RecordView(RecordType.TXTR, e.entry.kappaHex(),
            name(tr.responder(), c.roleOf(tr.responder()), x, t.me), c.roleOf(tr.responder()), 0, time,
            e.entry.transactionId(), "accepted the invitation", true, ev));
      } else if (e.record instanceof ProcessRecord p) {
        String text;
        boolean ok;
        try {
          text = new String(siff.open(x.secret(), p), StandardCharsets.UTF_8);
          ok = true;
        } catch (CryptoException ex) {
          text = "(cannot be decrypted with your key)";
          ok = false;
        }
        records.add(new RecordView(p.type(), e.entry.kappaHex(), name(p.sender(), c.roleOf(p.sender()), x, t.me),
            c.roleOf(p.sender()), p.sequence(), time, e.entry.transactionId(), text, ok, ev));
      }
    }
    boolean isResponder = c.responders().stream().anyMatch(m -> m.index() == t.me);
    boolean canRespond = isResponder && !t.answered.contains(t.me);
    int need = c.responders().size();
    boolean allAnswered = t.responses.size() >= need;
    boolean keyReady = t.tag().isPresent();
    boolean isDoctor = c.doctor() == t.me;
    RecordType writable = switch (t.role) {
      case DOCTOR -> allAnswered ? RecordType.TXD : null;
      case PHARMACIST -> keyReady ? RecordType.TXM : null;
      case INSURER -> keyReady ? RecordType.TXA : null;
      default -> null;
    };
    String status;
    if (!allAnswered) status = "Waiting for answers: " + t.responses.size() + " of " + need;
    else if (t.hasProcessRecords()) status = "Active: " + t.processCount() + " record" + (t.processCount() == 1 ? "" : "s");
    else if (keyReady) status = "Key ready, no record yet";
    else status = "Every participant answered; the doctor builds the key";
    Instant opened = t.entries.isEmpty() ? null : Instant.ofEpochMilli(t.entries.get(0).entry.timeMillis());
    return new TreatmentView(kappa0Hex, t.role, members, records, status, canRespond, keyReady,
        isDoctor && allAnswered && !keyReady, writable, t.nextSequence(t.me), opened, t.responses.size(), need);
  }

  /** One dashboard line, or empty if the treatment is gone or {@code x} is not a member. */
  public Optional<Summary> summary(Actor x, String kappa0Hex) {
    try {
      Loaded t = load(kappa0Hex, x);
      Entry last = t.entries.get(t.entries.size() - 1);
      int need = t.txtc.consent().responders().size();
      String status = t.responses.size() < need ? "Waiting for answers (" + t.responses.size() + "/" + need + ")"
          : t.hasProcessRecords() ? "Active" : "Key pending";
      boolean mine = t.txtc.consent().responders().stream().anyMatch(m -> m.index() == t.me) && !t.answered.contains(t.me);
      if (mine) status = "Invitation waiting for you";
      return Optional.of(new Summary(kappa0Hex, status, t.entries.size(), t.role.title(),
          Instant.ofEpochMilli(last.entry.timeMillis()), last.record.type().label(), t.txtc.consent().members().size()));
    } catch (PortalException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- internals

  private record Entry(MedLedgerClient.TreatmentEntry entry, LedgerRecord record) {}

  /** A treatment read from the ledger for one member. */
  private final class Loaded {
    final byte[] kappa0;
    final String kappa0Hex;
    final Txtc txtc;
    final Role role;
    /** The member's index in this treatment: ind_x' for a patient or family member, else ind_x. */
    final long me;
    final List<Entry> entries = new ArrayList<>();
    final List<Txtr> responses = new ArrayList<>();
    final Set<Long> answered = new HashSet<>();
    final List<ProcessRecord> process = new ArrayList<>();

    Loaded(byte[] kappa0, String hex, Txtc txtc, Role role, long me) {
      this.kappa0 = kappa0;
      this.kappa0Hex = hex;
      this.txtc = txtc;
      this.role = role;
      this.me = me;
    }

    Optional<SiffTag> tag() {
      if (!process.isEmpty()) return Optional.of(SiffTag.parse(process.get(0).tag()));
      return accounts.pendingTag(kappa0Hex).map(p -> SiffTag.parse(p.getTag()));
    }

    boolean hasProcessRecords() {
      return !process.isEmpty();
    }

    int processCount() {
      return process.size();
    }

    int nextSequence(long sender) {
      int max = 0;
      for (ProcessRecord p : process) if (p.sender() == sender) max = Math.max(max, p.sequence());
      return max + 1;
    }
  }

  private Loaded load(String kappa0Hex, Actor x) {
    String hex = kappa0Hex == null ? "" : kappa0Hex.trim().toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) throw new PortalException("This is not a treatment address.");
    byte[] kappa0 = Bytes.unhex(hex);
    Optional<LedgerRecord> first = ledger.getRecord(portal.get(), kappa0);
    if (first.isEmpty() || !(first.get() instanceof Txtc txtc)) throw new PortalException("There is no such treatment.");
    long me = memberIndex(x, txtc.consent());
    Role role = txtc.consent().roleOf(me);
    if (role == null || (x.role().pseudonymous() && role != x.role())) {
      LOG.info(() -> "Refused " + x.username() + " access to treatment " + hex.substring(0, 12) + " (not a member)");
      throw new PortalException("You are not a participant of this treatment; its records are not shown.");
    }
    Loaded t = new Loaded(kappa0, hex, txtc, role, me);
    Map<String, LedgerRecord> byKappa = new LinkedHashMap<>();
    for (MedLedgerClient.TreatmentEntry e : ledger.treatment(portal.get(), kappa0)) {
      LedgerRecord r = e.type() == RecordType.TXTC ? txtc
          : ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
      if (r == null) continue;
      byKappa.put(e.kappaHex(), r);
      t.entries.add(new Entry(e, r));
      if (r instanceof Txtr tr) {
        t.responses.add(tr);
        t.answered.add(tr.responder());
      } else if (r instanceof ProcessRecord p) {
        t.process.add(p);
      }
    }
    return t;
  }

  /**
   * {@code x}'s index in the treatment of {@code c}: a patient's or family member's blinded
   * index ind_x' (computed from the account's public key, docs/protocol.md §Per-treatment
   * identities), or the long-term index when the consent names that (older consents) or the
   * role is a professional one.
   */
  static long memberIndex(Actor x, Consent c) {
    if (!x.role().pseudonymous()) return x.index();
    byte[] vk = org.medledger.core.crypto.P256.encodeCompressed(
        org.medledger.core.crypto.P256.fromJcaPublicKey(x.certificate().getPublicKey()));
    return org.medledger.core.protocol.TreatmentIdentities.memberKey(vk, x.role(), c).map(ParticipantIndex::of)
        .orElse(x.index());
  }

  private MedLedgerClient.Stored store(Actor who, LedgerRecord r) {
    return store(who.identity(), r);
  }

  private MedLedgerClient.Stored store(org.medledger.ledger.LedgerIdentity who, LedgerRecord r) {
    try {
      return ledger.store(who, r);
    } catch (LedgerException e) {
      if (e.kind() == LedgerException.Kind.REJECTED) throw new PortalException("The ledger refused the record: " + e.getMessage(), e);
      throw new PortalException("The ledger is not available right now (" + e.getMessage() + "); please try again.", e);
    }
  }

  private Evidence evidence(String txId) {
    Optional<TransactionEvidence> ev = gateway.transaction(portal.get(), txId);
    if (ev.isEmpty()) return null;
    TransactionEvidence e = ev.get();
    String signer = "?";
    try {
      X509Certificate cert = org.medledger.ledger.embedded.EmbeddedCertificateAuthority.parsePem(e.creatorCertificatePem());
      signer = DirectoryService.rdn(cert, "CN") + " (" + DirectoryService.rdn(cert, "O") + ")";
    } catch (IllegalArgumentException ex) {
      // keep "?"
    }
    return new Evidence(e.transactionId(), e.blockNumber(), e.blockHashHex(), e.timestamp(), e.creatorMspId(), signer, e.valid());
  }

  /** How {@code viewer} sees a member: pseudonymous members by role and short index only. */
  String name(long index, Role role, Actor viewer) {
    return name(index, role, viewer, viewer.index());
  }

  /** The same, {@code me} being the viewer's index in the treatment at hand. */
  String name(long index, Role role, Actor viewer, long me) {
    String hex = ParticipantIndex.hex(index);
    if (index == viewer.index() || index == me) return viewer.displayName() + " (you)";
    if (role != null && role.pseudonymous()) return role.title().split(" ")[0] + " " + hex.substring(0, 6);
    return directory.byIndex(index).map(DirectoryService.Participant::name).orElse(hex);
  }

  private long registered(String indexHex, Role role) {
    long index;
    try {
      index = ParticipantIndex.parse(indexHex);
    } catch (IllegalArgumentException e) {
      throw new PortalException("'" + indexHex + "' is not a participant index (16 hex digits).");
    }
    var p = directory.byIndex(index);
    if (p.isEmpty() || p.get().role() != role) {
      throw new PortalException(indexHex + " is not a registered " + role.title().toLowerCase(Locale.ROOT) + ".");
    }
    return index;
  }

  private List<Long> indexes(List<String> hexes, Role role) {
    List<Long> out = new ArrayList<>();
    if (hexes != null) for (String h : hexes) if (h != null && !h.isBlank()) out.add(registered(h, role));
    return out;
  }
}
