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
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Txk;
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
  /** The doctor's page, the event handler and the login may build one key at once. */
  private final KeyWork keyWork = new KeyWork();
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
  @Inject org.medledger.portal.application.consent.ConsentService consents;
  @Inject org.medledger.portal.application.cover.Covers covers;
  /** Reads a record's content (text or FHIR) in people's words. */
  @Inject org.medledger.portal.infrastructure.fhir.FhirResources fhir;

  // ---------------------------------------------------------------- views

  public record ConsentView(String text, String qrDataUri, List<String> summary) {}

  /**
   * One member as the viewer sees them. {@code unreadable}: the doctor cannot open their latest
   * answer (computed for the doctor only); {@code leftOut}: the doctor built the key without them.
   */
  public record MemberView(Role role, String indexHex, String name, boolean answered, boolean me, boolean unreadable,
      boolean leftOut, String institution) {
    /** The members table's "Who": a professional with their institution (from their certificate). */
    public String who() {
      return institution == null || me ? name : name + ", " + institution;
    }

    public String roleTitle() {
      return role.title();
    }

    /** The doctor may continue without anyone but the patient. */
    public boolean canBeLeftOut() {
      return role != Role.PATIENT && role != Role.DOCTOR;
    }

    /** Plain words for the members table. */
    public String answerState() {
      if (leftOut) return "Not part of the key";
      if (unreadable) return "Answer could not be read";
      return answered ? "Answered" : "Waiting";
    }
  }

  public record Evidence(String transactionId, long blockNumber, String blockHash, Instant time, String mspId,
      String signer, boolean valid) {}

  /**
   * One record as the viewer reads it. {@code text}: in people's words (a structured record
   * rendered, never its JSON); {@code kind}: the FHIR resource type of a structured record, else
   * null; {@code content}: the decrypted content of a process record (null for the others, the
   * cover and what does not open); {@code senderHex}: the writer's index in this treatment.
   */
  public record RecordView(RecordType type, String kappaHex, String senderName, Role senderRole, int sequence,
      Instant time, String transactionId, String text, boolean readable, Evidence evidence, boolean cover, String kind,
      org.medledger.core.record.RecordContent content, String senderHex) {
    public RecordView(RecordType type, String kappaHex, String senderName, Role senderRole, int sequence, Instant time,
        String transactionId, String text, boolean readable, Evidence evidence, boolean cover) {
      this(type, kappaHex, senderName, senderRole, sequence, time, transactionId, text, readable, evidence, cover, null,
          null, null);
    }

    /** The content type, for the ledger evidence ("application/fhir+json;fhirVersion=4.0"), or null. */
    public String contentType() {
      return content == null ? null : content.contentType();
    }

    public String typeLabel() {
      return type.label();
    }

    /** The page's class for the record: its type, or "cover" for the doctor's txd that carries the cover. */
    public String cssClass() {
      return cover ? "cover" : type.label();
    }

    /** People's words for the record ("Diagnosis"; "Treatment details" for the cover), from {@link RecordWords}. */
    public String title() {
      if (kind != null) return RecordWords.kind(kind, type);
      return RecordWords.title(cover ? RecordType.COVER : type);
    }
  }

  /**
   * The treatment page. {@code unreadable}: for the doctor, the members whose answer cannot be
   * opened, each of whom the doctor may wait for or leave out; {@code myAnswerUnreadable}: for a
   * responder, their own answer on the ledger cannot be opened and may be sent again;
   * {@code leftOut}: the viewer is not part of the treatment's key.
   */
  public record TreatmentView(String kappa0Hex, Role myRole, List<MemberView> members, List<RecordView> records,
      String status, boolean canRespond, boolean keyReady, boolean canBuildKey, RecordType writable, int nextSequence,
      Instant openedAt, int answered, int responders, List<MemberView> unreadable, boolean myAnswerUnreadable,
      boolean leftOut, org.medledger.portal.application.cover.TreatmentCover cover) {
    /** The treatment's name: "Chest pain — Anna Example", or who it is with until the cover is known. */
    public String heading() {
      return cover != null ? cover.heading() : "Treatment with " + doctorName();
    }

    /**
     * Said plainly while the cover is not known yet; null once it is, and once the treatment is
     * set up without one (the patient gave no reason or name: nothing more will appear).
     */
    public String coverPending() {
      if (cover != null || keyReady) return null;
      return "The reason for the visit and the patient's name appear here once " + doctorName()
          + " has set up the treatment (after everyone has accepted).";
    }

    public String shortId() {
      return kappa0Hex.substring(0, 12);
    }

    public String myRoleTitle() {
      return myRole.title();
    }

    public String writableLabel() {
      return writable == null ? "" : writable.label();
    }

    /** The heading of the form for the record the viewer may write: "New diagnosis". */
    public String writableTitle() {
      return RecordWords.write(writable);
    }

    /** The treatment's doctor as the viewer sees them. */
    public String doctorName() {
      return members.stream().filter(m -> m.role() == Role.DOCTOR).map(MemberView::name).findFirst().orElse("");
    }

    public RecordView lastRecord() {
      return records.isEmpty() ? null : records.get(records.size() - 1);
    }
  }

  /** One dashboard line; {@code doctorName} and {@code openedAt} make its readable name. */
  public record Summary(String kappa0Hex, String status, int records, String myRoleTitle, Instant lastTime,
      String lastTitle, int members, String doctorName, Instant openedAt, String title, String coverTransactionId) {
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
    return consent(patient, null, familyCards, doctorIndex, pharmacists, insurers, lawyers);
  }

  /** The same with the treatment's cover (title, the patient's name...), sealed beside the consent (docs/protocol.md §Cover). */
  public ConsentView consent(Actor patient, org.medledger.portal.application.cover.CoverRequest cover, String familyCards,
      String doctorIndex, List<String> pharmacists, List<String> insurers, List<String> lawyers) {
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
    if (cover != null) text = covers.seal(patient, c, family, cover, text);
    consents.made(patient, c, text); // she can show it again or withdraw it until a doctor opens it
    // Her family members by the names she just typed, not "A family member".
    var given = cover == null ? null : org.medledger.portal.application.cover.Covers.given(c, family, cover);
    List<String> summary = new ArrayList<>();
    for (Consent.Member mem : c.members()) {
      summary.add(mem.role().title() + ": " + name(mem.index(), mem.role(), patient, c.patientIndex(), given));
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
    // A consent opens one treatment (R4): a second scan goes to it, a withdrawn one is refused.
    consents.checkUnused(doctor, consent);
    Txtc txtc;
    try {
      txtc = siff.open(doctor.secret(), consent);
    } catch (CryptoException e) {
      throw new PortalException("The consent cannot be used: " + e.getMessage() + ".");
    }
    MedLedgerClient.Stored s;
    try {
      s = store(doctor, txtc);
    } catch (PortalException refused) {
      consents.explainRefusal(doctor, consent, refused); // used or withdrawn meanwhile (a race)
      throw refused;
    }
    covers.received(doctor, consentText);
    LOG.info(() -> "Treatment " + s.kappaHex().substring(0, 12) + " opened by " + doctor.indexHex());
    return s.kappaHex();
  }

  public static Consent parseConsent(String text) {
    String t = text == null ? "" : text.trim();
    if (t.isEmpty()) throw new PortalException("Please upload the picture of the patient's QR code or paste its text.");
    if (t.startsWith(Card.PREFIX)) {
      throw new PortalException("This is a participant card, not a patient's consent.");
    }
    if (t.startsWith(CONSENT_PREFIX)) t = t.substring(CONSENT_PREFIX.length());
    t = org.medledger.portal.application.cover.ConsentCode.consentPart(t);
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
    if (t.chain().joining(t.me)) { // added by the patient's change (docs/protocol.md §Key epochs)
      if (t.answered.contains(t.me) && siff.answerOpens(x.secret(), t.me, t.txtc, t.latestOf(t.me))) {
        throw new PortalException("You have already accepted this invitation.");
      }
      try {
        // Under her identity in this treatment: a family member answers as ind_x', not as herself.
        store(identities.treatmentIdentity(x, t.txtc.consent()), org.medledger.core.protocol.epoch.KeyEpochs.respond(
            x.secret(), t.me, t.txtc, t.kappa0, t.chain().pending().orElseThrow()));
      } catch (CryptoException e) {
        throw new PortalException(e.getMessage() + ".");
      }
      return;
    }
    if (t.txtc.consent().responders().stream().noneMatch(m -> m.index() == t.me)) {
      throw new PortalException("You are the doctor of this treatment; you do not answer its invitation.");
    }
    if (t.pinnedTag().isPresent()) {
      throw new PortalException(t.excluded().contains(t.me) ? LEFT_OUT
          : "The treatment's key is already established; invitations can no longer be answered.");
    }
    // A second answer only replaces one the doctor cannot open (rule R5 allows it until the key is pinned).
    if (t.answered.contains(t.me) && siff.answerOpens(x.secret(), t.me, t.txtc, t.latestOf(t.me))) {
      throw new PortalException("You have already accepted this invitation.");
    }
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

  /** Shown to a member the doctor left out of the key, in plain words. */
  public static final String LEFT_OUT = "You are not part of this treatment's key: the doctor continued without you because "
      + "your answer could not be read or did not come. You cannot read or add records in this treatment.";

  /**
   * Builds the SIFF function once every responder has answered and every answer opens; keeps the
   * public tag locally until the doctor's first record pins it (the paper's flow). An answer
   * that cannot be opened is named, with the doctor's two choices.
   */
  public void buildKey(Actor doctor, String kappa0Hex) {
    keyWork.run(kappa0Hex, () -> buildKeyNow(doctor, kappa0Hex));
  }

  private void buildKeyNow(Actor doctor, String kappa0Hex) {
    Loaded t = load(kappa0Hex, doctor);
    if (t.txtc.consent().doctor() != doctor.index()) throw new PortalException("Only the treatment's doctor builds its key.");
    if (t.tag(true).isPresent()) return;
    int need = t.txtc.consent().responders().size();
    if (t.answered.size() < need) {
      throw new PortalException(t.answered.size() + " of " + need + " participants have answered; the key needs all of them.");
    }
    SiffTag tag;
    try {
      tag = siff.buildTag(doctor.secret(), t.txtc, t.kappa0, t.latest(), List.of());
    } catch (TreatmentProtocol.UnreadableAnswersException e) {
      throw new PortalException(unreadableMessage(e.members(), t.txtc.consent(), doctor));
    } catch (CryptoException e) {
      throw new PortalException("The key cannot be built: " + e.getMessage() + ".");
    }
    accounts.savePendingTag(kappa0Hex, tag.encoded());
    covers.writePending(doctor, kappa0Hex); // the cover becomes the first record as soon as the key exists
  }

  /**
   * The doctor continues without members whose answer cannot be read (or who never answered):
   * builds the key for everyone else and pins it on the ledger with a key record (rule R8). The
   * members left out are told by its event and can no longer read or write in this treatment.
   */
  public void buildKeyWithout(Actor doctor, String kappa0Hex, List<String> leftOutHex) {
    keyWork.run(kappa0Hex, () -> buildKeyWithoutNow(doctor, kappa0Hex, leftOutHex));
  }

  private void buildKeyWithoutNow(Actor doctor, String kappa0Hex, List<String> leftOutHex) {
    Loaded t = load(kappa0Hex, doctor);
    Consent c = t.txtc.consent();
    if (c.doctor() != doctor.index()) throw new PortalException("Only the treatment's doctor builds its key.");
    if (t.pinnedTag().isPresent()) throw new PortalException("The treatment's key is already established.");
    if (leftOutHex == null || leftOutHex.isEmpty()) throw new PortalException("Please choose whom to continue without.");
    TreatmentProtocol.AnswerCheck check = siff.checkAnswers(doctor.secret(), t.txtc, t.kappa0, t.latest());
    List<Long> leftOut = new ArrayList<>();
    for (String h : leftOutHex) {
      long ind;
      try {
        ind = ParticipantIndex.parse(h);
      } catch (IllegalArgumentException e) {
        throw new PortalException("'" + h + "' is not a participant index (16 hex digits).");
      }
      Role role = c.roleOf(ind);
      if (role == null || role == Role.DOCTOR) throw new PortalException("This person is not invited to this treatment.");
      if (ind == c.patientIndex()) throw new PortalException("The patient cannot be left out of their own treatment.");
      if (!check.unreadable().contains(ind) && !check.missing().contains(ind)) {
        throw new PortalException(name(ind, role, doctor) + "'s answer can be read; they stay part of the treatment.");
      }
      if (!leftOut.contains(ind)) leftOut.add(ind);
    }
    Txk txk;
    try {
      SiffTag tag = siff.buildTag(doctor.secret(), t.txtc, t.kappa0, t.latest(), leftOut);
      txk = TreatmentProtocol.keyRecord(t.txtc, t.kappa0, leftOut, tag);
    } catch (TreatmentProtocol.UnreadableAnswersException e) {
      throw new PortalException(unreadableMessage(e.members(), t.txtc.consent(), doctor));
    } catch (CryptoException e) {
      throw new PortalException("The key cannot be built: " + e.getMessage() + ".");
    }
    store(doctor, txk);
    accounts.dropPendingTag(kappa0Hex);
    covers.writePending(doctor, kappa0Hex);
    LOG.info(() -> "Treatment " + kappa0Hex.substring(0, 12) + ": key established without " + leftOut.size() + " member(s)");
  }

  /** For the doctor's page: the plain-words sentence about one member whose answer does not open. */
  public String unreadableText(MemberView m) {
    return unreadableSentence(m.name(), m.role() == Role.PATIENT);
  }

  /** "Anna's answer could not be read. You can wait for a corrected answer or continue without Anna." */
  private String unreadableMessage(List<Long> members, Consent c, Actor viewer) {
    StringBuilder sb = new StringBuilder();
    for (long ind : members) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(unreadableSentence(name(ind, c.roleOf(ind), viewer), ind == c.patientIndex()));
    }
    return sb.toString();
  }

  static String unreadableSentence(String name, boolean patient) {
    if (patient) return name + "'s answer could not be read. Please wait for a corrected answer; a treatment always includes its patient.";
    return name + "'s answer could not be read. You can wait for a corrected answer or continue without " + name + ".";
  }

  // ---------------------------------------------------------------- process records

  public void write(Actor writer, String kappa0Hex, String message) {
    byte[] msg = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
    if (msg.length == 0) throw new PortalException("The record is empty.");
    if (msg.length > RecordCodec.MAX_MESSAGE_BYTES) {
      throw new PortalException("The record is " + msg.length + " bytes; the limit is " + RecordCodec.MAX_MESSAGE_BYTES
          + " bytes (256 KiB). Nothing was stored.");
    }
    // A text that began like a cover or a typed message would be read as one: text never does.
    if (RecordCodec.looksLikeCover(msg) || RecordCodec.looksLikeContent(msg)) {
      throw new PortalException("The record contains control characters; please write text.");
    }
    if (writer.role() == Role.DOCTOR) covers.writePending(writer, kappa0Hex); // the cover stays the first record
    seal(writer, kappa0Hex, msg, null);
  }

  /**
   * Stores typed content (a FHIR resource the caller has validated, docs/protocol.md §Content of
   * a record) as the writer's next record.
   */
  public void write(Actor writer, String kappa0Hex, org.medledger.core.record.RecordContent content) {
    byte[] msg;
    try {
      msg = RecordCodec.encodeContent(content);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The record is too large: " + e.getMessage() + " bytes (256 KiB). Nothing was stored.");
    }
    if (writer.role() == Role.DOCTOR) covers.writePending(writer, kappa0Hex); // the cover stays the first record
    seal(writer, kappa0Hex, msg, null);
  }

  /**
   * The doctor's cover as txd number 0 (docs/protocol.md §Cover), only once the key exists (it
   * never builds one). False when the key is not ready; throws when the ledger refuses.
   */
  public boolean writeCover(Actor doctor, String kappa0Hex, byte[] coverRecord) {
    // the cover's FHIR form (a typed message) or, as written before, its cover record
    if (!(RecordCodec.looksLikeCover(coverRecord) || RecordCodec.looksLikeContent(coverRecord)) || doctor.role() != Role.DOCTOR) {
      throw new IllegalArgumentException("not a cover");
    }
    Loaded t = load(kappa0Hex, doctor);
    if (t.txtc.consent().doctor() != doctor.index() || t.excluded().contains(doctor.index())) return false;
    if (t.freshPendingTag(doctor).isEmpty()) return false;
    seal(doctor, kappa0Hex, coverRecord, org.medledger.portal.application.cover.Covers.SEQUENCE);
    return true;
  }

  /** Seals and stores {@code msg} as the writer's next record, or with {@code sequence} when given (the cover). */
  private void seal(Actor writer, String kappa0Hex, byte[] msg, Integer sequence) {
    Loaded t = load(kappa0Hex, writer);
    RecordType type = switch (writer.role()) {
      case DOCTOR -> RecordType.TXD;
      case PHARMACIST -> RecordType.TXM;
      case INSURER -> RecordType.TXA;
      default -> throw new PortalException("Your role does not write records in a treatment.");
    };
    if (t.role != writer.role()) throw new PortalException("You are not this treatment's " + writer.role().title().toLowerCase(Locale.ROOT) + ".");
    if (t.excluded().contains(writer.index())) throw new PortalException(LEFT_OUT);
    if (t.chain().epoch() > 0 || t.chain().pending().isPresent()) {
      sealInNewestEpoch(writer, t, type, msg, sequence);
      return;
    }
    boolean doctor = type == RecordType.TXD;
    if (doctor && t.freshPendingTag(writer).isEmpty()) buildKey(writer, kappa0Hex);
    Loaded now = doctor ? load(kappa0Hex, writer) : t;
    // Only the doctor's own pending tag may be used before the key is pinned (rule R6).
    SiffTag tag = now.tag(doctor).orElseThrow(() -> new PortalException(
        "The treatment key is not ready yet: the doctor establishes it once every participant has answered."));
    ProcessRecord r;
    try {
      r = siff.seal(writer.secret(), type, now.txtc, now.kappa0, tag, writer.index(),
          sequence != null ? sequence : now.nextSequence(writer.index()), msg, now.excluded());
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    store(writer, r);
    if (type == RecordType.TXD) accounts.dropPendingTag(kappa0Hex);
  }

  /** Shown to a member the patient removed from the treatment, in plain words. */
  public static final String REMOVED = "The patient removed you from this treatment. You can still read the records "
      + "written while you took part, but nothing written since, and you cannot add records.";

  /**
   * A record under the newest key epoch (docs/protocol.md §Key epochs): the epoch's members and
   * tag, the key from the member's own σ. While the patient's change removes someone, nothing is
   * written (rule R6): under the old key the leaving member could still read it.
   */
  private void sealInNewestEpoch(Actor writer, Loaded t, RecordType type, byte[] msg, Integer sequence) {
    var chain = t.chain();
    if (!chain.members().contains(t.me)) {
      throw new PortalException(chain.joining(t.me)
          ? "You can add records once the doctor's portal has set up the treatment for its new members."
          : REMOVED);
    }
    if (chain.pending().map(c -> !c.removed().isEmpty()).orElse(false)) {
      throw new PortalException("The patient is changing who takes part in this treatment. Records can be written again "
          + "in a moment, once the doctor's portal has set this up.");
    }
    SiffTag tag = chain.newestTag().orElseGet(() -> t.pinnedTag().orElseThrow(() -> new PortalException(
        "The treatment key is not ready yet: the doctor establishes it once every participant has answered.")));
    ProcessRecord r;
    try {
      r = siff.sealInEpoch(writer.secret(), type, t.kappa0, t.tag0().orElseThrow(), chain.records(), tag, chain.members(),
          t.me, sequence != null ? sequence : t.nextSequence(t.me), msg);
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    store(writer, r);
  }

  /** The role {@code index} has in the treatment: the consent's, or the one a member change gave. */
  private static Role roleIn(Loaded t, long index) {
    Role r = t.txtc.consent().roleOf(index);
    return r != null ? r : t.chain().everRole(index);
  }

  // ---------------------------------------------------------------- reading

  /** The treatment as {@code x} may see it; refuses anyone who is not a member. */
  public TreatmentView view(Actor x, String kappa0Hex, boolean withEvidence) {
    Loaded t = load(kappa0Hex, x);
    Consent c = t.txtc.consent();
    boolean isDoctor = c.doctor() == t.me;
    boolean pinned = t.pinnedTag().isPresent();
    // The doctor opens the latest answers on every view until the key is pinned (one ECDH each):
    // that is how a bad answer is found before it blocks anything.
    List<Long> unreadableIdx = isDoctor && !pinned
        ? siff.checkAnswers(x.secret(), t.txtc, t.kappa0, t.latest()).unreadable() : List.of();
    List<Long> excluded = t.excluded();
    var chain = t.chain();
    List<MemberView> members = new ArrayList<>();
    List<MemberView> unreadable = new ArrayList<>();
    List<RecordView> records = new ArrayList<>();
    // With key epochs the newest epoch's members are listed (docs/protocol.md §Key epochs), and
    // those the patient's pending change adds.
    List<Consent.Member> listed = new ArrayList<>(chain.epoch() > 0 ? chain.members().members() : c.members());
    chain.pending().ifPresent(ch -> listed.addAll(ch.added()));
    boolean removed = chain.epoch() > 0 && !chain.members().contains(t.me) && !excluded.contains(t.me);
    org.medledger.portal.application.cover.Covers.Found found;
    // One key ring per view (docs/protocol.md §Key epochs): the cover and every record are read
    // with it, and its keys are wiped however the view ends.
    try (org.medledger.core.protocol.epoch.KeyRing ring = ringOf(x, t)) {
      found = covers.find(x, t.txtc, t.me, t.process, ring);
      var cover = found.cover();
      for (Consent.Member m : listed) {
        boolean answered = m.role() == Role.DOCTOR || t.answered.contains(m.index());
        MemberView mv = new MemberView(m.role(), ParticipantIndex.hex(m.index()), name(m.index(), m.role(), x, t.me, cover), answered,
            m.index() == t.me, unreadableIdx.contains(m.index()), excluded.contains(m.index()),
            m.role().pseudonymous() ? null : directory.byIndex(m.index()).map(DirectoryService.Participant::institution).orElse(null));
        members.add(mv);
        if (mv.unreadable()) unreadable.add(mv);
      }
      Set<Long> seen = new HashSet<>();
      for (Entry e : t.entries) {
        Evidence ev = withEvidence ? evidence(e.entry.transactionId()) : null;
        Instant time = Instant.ofEpochMilli(e.entry.timeMillis());
        if (e.record instanceof Txtc) {
          records.add(new RecordView(RecordType.TXTC, e.entry.kappaHex(), name(c.doctor(), Role.DOCTOR, x, t.me, cover),
              Role.DOCTOR, 0, time, e.entry.transactionId(), c.members().size() + " participants", true, ev, false));
        } else if (e.record instanceof Txtr tr) {
          boolean again = !seen.add(tr.responder());
          records.add(new RecordView(RecordType.TXTR, e.entry.kappaHex(),
              name(tr.responder(), roleIn(t, tr.responder()), x, t.me, cover), roleIn(t, tr.responder()), 0, time,
              e.entry.transactionId(), again ? "sent their answer again" : "", true, ev, false));
        } else if (e.record instanceof Txk k) {
          String text;
          if (k.excluded().contains(t.me)) {
            text = LEFT_OUT;
          } else if (k.excluded().isEmpty()) {
            text = "The doctor established the treatment key.";
          } else {
            List<String> names = new ArrayList<>();
            for (long ind : k.excluded()) names.add(name(ind, c.roleOf(ind), x, t.me, cover));
            text = "The doctor established the treatment key without " + String.join(", ", names) + ".";
          }
          records.add(new RecordView(RecordType.TXK, e.entry.kappaHex(), name(c.doctor(), Role.DOCTOR, x, t.me, cover), Role.DOCTOR, 0,
              time, e.entry.transactionId(), text, true, ev, false));
        } else if (e.record instanceof ProcessRecord p && p == found.record()) {
          records.add(new RecordView(p.type(), e.entry.kappaHex(), name(p.sender(), c.roleOf(p.sender()), x, t.me, cover),
              c.roleOf(p.sender()), 0, time, e.entry.transactionId(), cover.describe(), true, ev, true));
        } else if (e.record instanceof ProcessRecord p) {
          String text;
          boolean ok;
          String kind = null;
          org.medledger.core.record.RecordContent content = null;
          try {
            content = RecordCodec.readContent(ring != null ? ring.read(p) : siff.open(x.secret(), p));
            org.medledger.portal.application.fhir.Readable readable = fhir.read(content);
            text = readable.text();
            kind = readable.kind();
            ok = true;
          } catch (CryptoException ex) {
            text = "(cannot be decrypted with your key)";
            ok = false;
          } catch (org.medledger.core.record.RecordFormatException ex) {
            text = "(this record's content could not be read)";
            ok = false;
          }
          records.add(new RecordView(p.type(), e.entry.kappaHex(), name(p.sender(), roleIn(t, p.sender()), x, t.me, cover),
              roleIn(t, p.sender()), p.sequence(), time, e.entry.transactionId(), text, ok, ev, false, kind, content,
              org.medledger.core.record.ParticipantIndex.hex(p.sender())));
        }
      }
    }
    boolean joining = chain.joining(t.me);
    boolean isResponder = c.responders().stream().anyMatch(m -> m.index() == t.me) || joining;
    boolean leftOut = excluded.contains(t.me) || removed;
    // A responder whose answer on the ledger does not open may send it again until the key is pinned.
    boolean myAnswerUnreadable = isResponder && !pinned && t.answered.contains(t.me)
        && !siff.answerOpens(x.secret(), t.me, t.txtc, t.latestOf(t.me));
    boolean canRespond = isResponder && !pinned && (!t.answered.contains(t.me) || myAnswerUnreadable);
    if (joining) {
      myAnswerUnreadable = t.answered.contains(t.me) && !siff.answerOpens(x.secret(), t.me, t.txtc, t.latestOf(t.me));
      canRespond = !t.answered.contains(t.me) || myAnswerUnreadable;
    }
    int need = c.responders().size();
    int answeredCount = t.answered.size();
    if (chain.epoch() > 0 || chain.pending().isPresent()) { // count those listed: today's members and the invited
      need = (int) listed.stream().filter(m -> m.role() != Role.DOCTOR).count();
      answeredCount = (int) listed.stream().filter(m -> m.role() != Role.DOCTOR && t.answered.contains(m.index())).count();
    }
    boolean allAnswered = answeredCount >= need;
    boolean keyReady = t.tag(isDoctor).isPresent() && !joining;
    RecordType writable = leftOut ? null : switch (t.role) {
      case DOCTOR -> keyReady || (allAnswered && unreadable.isEmpty()) ? RecordType.TXD : null;
      case PHARMACIST -> keyReady ? RecordType.TXM : null;
      case INSURER -> keyReady ? RecordType.TXA : null;
      default -> null;
    };
    int written = t.processCount() - (found.record() != null ? 1 : 0); // the cover is not one of the records people write
    String status;
    if (removed) status = "You no longer take part in this treatment";
    else if (leftOut) status = "You are not part of this treatment's key";
    else if (joining && canRespond) status = "You are invited to join this treatment";
    else if (joining) status = "Waiting for the doctor's portal to let you in";
    else if (!unreadable.isEmpty()) status = "An answer could not be read";
    else if (myAnswerUnreadable) status = "Your answer could not be read";
    else if (!allAnswered && !pinned) status = "Waiting for answers: " + answeredCount + " of " + need;
    else if (written > 0) status = "Active: " + written + " record" + (written == 1 ? "" : "s");
    else if (keyReady) status = "Key ready, no record yet";
    else status = "Every participant answered; the doctor builds the key";
    Instant opened = t.entries.isEmpty() ? null : Instant.ofEpochMilli(t.entries.get(0).entry.timeMillis());
    return new TreatmentView(kappa0Hex, t.role, members, records, status, canRespond, keyReady,
        isDoctor && allAnswered && !keyReady && unreadable.isEmpty(), writable, t.nextSequence(t.me), opened,
        answeredCount, need, unreadable, myAnswerUnreadable, leftOut, found.cover());
  }

  /** The treatment's cover for {@code x}; after a member change read with her keys of every epoch she holds. */
  private org.medledger.portal.application.cover.Covers.Found cover(Actor x, Loaded t) {
    try (var ring = ringOf(x, t)) {
      return covers.find(x, t.txtc, t.me, t.process, ring);
    }
  }

  /** {@code x}'s keys of every epoch she holds after a member change; null before any (the txk's key alone). */
  private org.medledger.core.protocol.epoch.KeyRing ringOf(Actor x, Loaded t) {
    var chain = t.chain();
    return chain.epoch() > 0 && t.tag0().isPresent()
        ? siff.keyRing(x.secret(), t.kappa0, t.tag0().get(), chain.records()) : null;
  }

  /** One dashboard line, or empty if the treatment is gone or {@code x} is not a member. */
  public Optional<Summary> summary(Actor x, String kappa0Hex) {
    try {
      Loaded t = load(kappa0Hex, x);
      Entry last = t.entries.get(t.entries.size() - 1);
      int need = t.txtc.consent().responders().size();
      boolean pinned = t.pinnedTag().isPresent();
      var found = cover(x, t);
      boolean written = t.process.stream().anyMatch(p -> p != found.record());
      String status = !pinned && t.answered.size() < need ? "Waiting for answers (" + t.answered.size() + "/" + need + ")"
          : written ? "Active" : pinned ? "Key ready" : "Waiting for the doctor";
      boolean mine = !pinned && t.txtc.consent().responders().stream().anyMatch(m -> m.index() == t.me)
          && !t.answered.contains(t.me)
          || t.chain().joining(t.me) && !t.answered.contains(t.me); // added by the patient's change
      if (mine) status = "Invitation waiting for you";
      if (t.excluded().contains(t.me)) status = "Not part of the key";
      String coverTx = t.entries.stream().filter(e -> found.record() != null && e.record == found.record())
          .map(e -> e.entry.transactionId()).findFirst().orElse(null);
      return Optional.of(new Summary(kappa0Hex, status, t.entries.size(), t.role.title(),
          Instant.ofEpochMilli(last.entry.timeMillis()),
          RecordWords.title(last.record == found.record() ? RecordType.COVER : last.record.type()),
          t.txtc.consent().members().size(), name(t.txtc.consent().doctor(), Role.DOCTOR, x, t.me),
          Instant.ofEpochMilli(t.entries.get(0).entry.timeMillis()),
          found.cover() == null ? null : found.cover().heading(), coverTx));
    } catch (PortalException e) {
      return Optional.empty();
    }
  }

  /**
   * What {@code x} has to do next in a treatment, in plain words, or empty: answer an invitation,
   * write the first diagnosis once everyone has answered (the doctor), record the dispensing or
   * the insurance decision once the doctor's diagnosis is there. For the dashboard's "To do".
   */
  public Optional<String> todo(Actor x, String kappa0Hex) {
    try {
      Loaded t = load(kappa0Hex, x);
      Consent c = t.txtc.consent();
      if (t.excluded().contains(t.me)) return Optional.empty();
      boolean pinned = t.pinnedTag().isPresent();
      if (t.chain().joining(t.me) && !t.answered.contains(t.me)) {
        return Optional.of("Answer the invitation from " + name(c.doctor(), Role.DOCTOR, x, t.me));
      }
      boolean responder = c.responders().stream().anyMatch(m -> m.index() == t.me);
      if (responder && !pinned && !t.answered.contains(t.me)) {
        String doctor = name(c.doctor(), Role.DOCTOR, x, t.me);
        // The patient asked for this treatment: she confirms it, she is not invited to it.
        return Optional.of(t.role == Role.PATIENT ? "Confirm your treatment with " + doctor
            : "Answer the invitation from " + doctor);
      }
      boolean mine = t.process.stream().anyMatch(p -> p.sender() == t.me);
      // The doctor's txd number 0 is the cover (docs/protocol.md §Cover), not a diagnosis.
      boolean diagnosed = t.process.stream()
          .anyMatch(p -> p.type() == RecordType.TXD && !org.medledger.portal.application.cover.Covers.isCoverCandidate(p, c));
      return switch (t.role) {
        case DOCTOR -> !diagnosed && (pinned || t.answered.size() >= c.responders().size())
            ? Optional.of("Write the first diagnosis: everyone has answered") : Optional.empty();
        case PHARMACIST -> diagnosed && !mine ? Optional.of("Record the dispensing") : Optional.empty();
        case INSURER -> t.process.stream().anyMatch(p -> p.type() == RecordType.TXM) && !mine
            ? Optional.of("Record the insurance decision") : Optional.empty();
        default -> Optional.empty();
      };
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
    /** Every txtr in ledger order; a responder's last one is the answer that counts (R5). */
    final List<Txtr> responses = new ArrayList<>();
    final Set<Long> answered = new HashSet<>();
    final List<ProcessRecord> process = new ArrayList<>();
    /** Every record with its κ, in ledger order: what the key epochs are read from. */
    final List<Map.Entry<byte[], LedgerRecord>> ordered = new ArrayList<>();
    Txk txk;
    private org.medledger.core.protocol.epoch.EpochChain chain;

    /** The treatment's key epochs: members, the patient's pending change (docs/protocol.md §Key epochs). */
    org.medledger.core.protocol.epoch.EpochChain chain() {
      if (chain == null) chain = org.medledger.core.protocol.epoch.EpochChain.of(txtc.consent(), excluded(), ordered);
      return chain;
    }

    /** The tag of epoch 0: the doctor's txk, or else the first process record's. */
    Optional<SiffTag> tag0() {
      if (txk != null) return Optional.of(SiffTag.parse(txk.tag()));
      if (!process.isEmpty()) return Optional.of(SiffTag.parse(process.get(0).tag()));
      return Optional.empty();
    }

    Loaded(byte[] kappa0, String hex, Txtc txtc, Role role, long me) {
      this.kappa0 = kappa0;
      this.kappa0Hex = hex;
      this.txtc = txtc;
      this.role = role;
      this.me = me;
    }

    /** The tag the ledger pinned: the newest epoch's, the doctor's txk, or else the first process record's (R6, R8, R11). */
    Optional<SiffTag> pinnedTag() {
      if (chain().epoch() > 0) return chain().newestTag();
      if (txk != null) return Optional.of(SiffTag.parse(txk.tag()));
      if (!process.isEmpty()) return Optional.of(SiffTag.parse(process.get(0).tag()));
      return Optional.empty();
    }

    /** The pinned tag, or for the doctor the one built and kept locally until their first record. */
    Optional<SiffTag> tag(boolean doctor) {
      Optional<SiffTag> pinned = pinnedTag();
      if (pinned.isPresent() || !doctor) return pinned;
      return accounts.pendingTag(kappa0Hex).map(p -> SiffTag.parse(p.getTag()));
    }

    /** The doctor's pending tag if it still fits the latest answers; a stale one is dropped (R5). */
    Optional<SiffTag> freshPendingTag(Actor doctor) {
      if (pinnedTag().isPresent()) return pinnedTag();
      Optional<SiffTag> pending = tag(true);
      if (pending.isPresent() && !siff.tagFits(doctor.secret(), txtc, kappa0, latest(), pending.get())) {
        accounts.dropPendingTag(kappa0Hex);
        return Optional.empty();
      }
      return pending;
    }

    List<Long> excluded() {
      return txk == null ? List.of() : txk.excluded();
    }

    List<Txtr> latest() {
      return TreatmentProtocol.latestAnswers(responses);
    }

    Txtr latestOf(long responder) {
      Txtr out = null;
      for (Txtr r : responses) if (r.responder() == responder) out = r;
      return out;
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
    List<MedLedgerClient.TreatmentEntry> listed = null;
    if (role == null && x.role() != Role.PATIENT) {
      // Perhaps added by the patient's member change (docs/protocol.md §Key epochs): a
      // professional, or a family member by her key blinded for this treatment.
      listed = ledger.treatment(portal.get(), kappa0);
      role = addedRole(listed, txtc, me);
    }
    if (role == null || (x.role().pseudonymous() && role != x.role())) {
      LOG.info(() -> "Refused " + x.username() + " access to treatment " + hex.substring(0, 12) + " (not a member)");
      throw new PortalException("You are not a participant of this treatment; its records are not shown.");
    }
    Loaded t = new Loaded(kappa0, hex, txtc, role, me);
    Map<String, LedgerRecord> byKappa = new LinkedHashMap<>();
    for (MedLedgerClient.TreatmentEntry e : listed != null ? listed : ledger.treatment(portal.get(), kappa0)) {
      // Who looked, and emergency access, are the access log (application.access), not the timeline.
      if (e.type() == RecordType.ACCESS || e.type() == RecordType.EMERGENCY || e.type() == RecordType.ESCROW) continue;
      LedgerRecord r = e.type() == RecordType.TXTC ? txtc
          : ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
      if (r == null) continue;
      byKappa.put(e.kappaHex(), r);
      t.ordered.add(Map.entry(Bytes.unhex(e.kappaHex()), r));
      if (r instanceof org.medledger.core.record.MemberChange || r instanceof org.medledger.core.record.KeyEpoch) continue;
      t.entries.add(new Entry(e, r));
      if (r instanceof Txtr tr) {
        t.responses.add(tr);
        t.answered.add(tr.responder());
      } else if (r instanceof ProcessRecord p) {
        t.process.add(p);
      } else if (r instanceof Txk k) {
        t.txk = k;
      }
    }
    return t;
  }

  /** The role a professional has through a member change of the treatment, or null. */
  private Role addedRole(List<MedLedgerClient.TreatmentEntry> entries, Txtc txtc, long me) {
    for (MedLedgerClient.TreatmentEntry e : entries) {
      if (e.type() != RecordType.MEMBER_CHANGE) continue;
      var r = ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex()));
      if (r.isPresent() && r.get() instanceof org.medledger.core.record.MemberChange c) {
        for (Consent.Member m : c.added()) if (m.index() == me) return m.role();
      }
    }
    return null;
  }

  /**
   * {@code x}'s index in the treatment of {@code c}: a patient's or family member's blinded
   * index ind_x' (computed from the account's public key, docs/protocol.md §Per-treatment
   * identities), or the long-term index when the consent names that (older consents) or the
   * role is a professional one.
   */
  public static long memberIndex(Actor x, Consent c) {
    if (!x.role().pseudonymous()) return x.index();
    byte[] vk = org.medledger.core.crypto.P256.encodeCompressed(
        org.medledger.core.crypto.P256.fromJcaPublicKey(x.certificate().getPublicKey()));
    return org.medledger.core.protocol.TreatmentIdentities.memberKeyOrAdded(vk, x.role(), c).map(ParticipantIndex::of)
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
    return name(index, role, viewer, me, null);
  }

  /** The same with the treatment's cover, which names the patient and the family members. */
  String name(long index, Role role, Actor viewer, long me, org.medledger.portal.application.cover.TreatmentCover cover) {
    String hex = ParticipantIndex.hex(index);
    if (index == viewer.index() || index == me) return viewer.displayName() + " (you)";
    if (role != null && role.pseudonymous()) return org.medledger.portal.application.cover.Covers.pseudonymName(index, role, cover);
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
