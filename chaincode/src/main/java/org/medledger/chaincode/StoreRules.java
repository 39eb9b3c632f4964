package org.medledger.chaincode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.AccessRecord;
import org.medledger.core.record.CertificateAttributes;
import org.medledger.core.record.EmergencyRecord;
import org.medledger.core.record.EscrowRecord;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.MemberChange;
import org.medledger.core.protocol.epoch.MemberSet;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordFormatException;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.core.record.Withdrawal;
import org.medledger.core.protocol.ConsentWithdrawal;

/**
 * The paper's Store, "parses the input parameter ... after verification ... sets events",
 * with every verification rule made explicit (docs/protocol.md §Chaincode verification
 * rules, R1–R14, and the withdrawal under R4; key epochs, R10 and R11, in {@link EpochRules}; the access
 * log and emergency access, R12–R14, here). Plain Java over {@link WorldState}, so the rules are tested without Fabric.
 * A rule violation throws before anything is written.
 */
public final class StoreRules {
  static final String PARTICIPANT = "ML-P";
  static final String TREATMENT = "ML-T";
  static final String RESPONDED = "ML-R";
  static final String CONSENT_USED = "ML-C";
  static final String TREATMENT_TAG = "ML-G";
  static final String SEQUENCE = "ML-S";
  static final String KEY_RECORD = "ML-K";
  static final String WITHDRAWN = "ML-W";
  /** [κ0, ind_e]: the emergency doctor's latest justification for the treatment (R13). */
  static final String EMERGENCY = "ML-J";
  /** [ind_e]: the times of a doctor's justifications in the last 24 hours (R13's rate limit). */
  static final String EMERGENCY_BY_DOCTOR = "ML-Q";
  /** [κ0]: the times of a treatment's justifications in the last 24 hours (R13's rate limit). */
  static final String EMERGENCY_BY_TREATMENT = "ML-U";
  /** How long a justification lets its doctor read (and log reading) the treatment. */
  /** [κ0]: κ of the patient's latest emergency escrow (R14); its presence allows R13. */
  static final String ESCROW = "ML-X";
  static final long EMERGENCY_VALID_MILLIS = 24L * 3600 * 1000;
  /** The rate-limit window and its limits: per doctor and per treatment, in any 24 hours. */
  static final long EMERGENCY_WINDOW_MILLIS = 24L * 3600 * 1000;
  static final int EMERGENCY_PER_DOCTOR = 3;
  static final int EMERGENCY_PER_TREATMENT = 3;

  private final WorldState state;

  public StoreRules(WorldState state) {
    this.state = state;
  }

  /** Stores v under κ = SHA-256(v) after verification; returns κ (hex). */
  public String store(Submitter submitter, byte[] v) {
    LedgerRecord record;
    try {
      record = RecordCodec.parse(v); // R1
    } catch (RecordFormatException e) {
      throw new RuleViolation("R1", "malformed record: " + e.getMessage());
    }
    byte[] kappa = RecordCodec.kappa(v);
    String kappaHex = Bytes.hex(kappa);
    if (state.get(kappaHex) != null) {
      return kappaHex; // R2: the same value again changes nothing
    }
    EventPayload event;
    if (record instanceof Withdrawal w) {
      String earlier = withdrawnBefore(submitter, w);
      if (earlier != null) return earlier; // withdrawing twice is fine: the first withdrawal stands
    }
    if (record instanceof Registration r) {
      event = register(submitter, r, kappa);
    } else if (record instanceof Txtc t) {
      event = openTreatment(submitter, t, kappa);
    } else if (record instanceof Txtr t) {
      event = respond(submitter, t, kappa);
    } else if (record instanceof Txk k) {
      event = fixKey(submitter, k, kappa);
    } else if (record instanceof Withdrawal w) {
      event = withdraw(w, kappa);
    } else if (record instanceof MemberChange ch) {
      event = new EpochRules(state, this).change(submitter, ch, kappa);
    } else if (record instanceof KeyEpoch ep) {
      event = new EpochRules(state, this).epoch(submitter, ep, kappa);
    } else if (record instanceof AccessRecord a) {
      event = logAccess(submitter, a, kappa);
    } else if (record instanceof EmergencyRecord e) {
      event = breakGlass(submitter, e, kappa);
    } else if (record instanceof EscrowRecord e) {
      event = allowEmergency(submitter, e, kappa);
    } else {
      event = process(submitter, (ProcessRecord) record, kappa);
    }
    state.put(kappaHex, v);
    state.setEvent(EventPayload.EVENT_NAME, RecordCodec.encodeEvent(event));
    return kappaHex;
  }

  // R3
  private EventPayload register(Submitter s, Registration r, byte[] kappa) {
    if (r.role().pseudonymous()) {
      throw new RuleViolation("R3", "patients and family members register pseudonymously; their certificates are not published");
    }
    if (r.index() != s.index()) {
      throw new RuleViolation("R3", "a participant may register only their own certificate (index "
          + ParticipantIndex.hex(r.index()) + " is not the submitter's " + ParticipantIndex.hex(s.index()) + ")");
    }
    if (!Arrays.equals(r.certificateDer(), s.certificateDer())) {
      throw new RuleViolation("R3", "the registered certificate is not the submitter's certificate");
    }
    if (s.role() != r.role()) {
      throw new RuleViolation("R3", "the certificate's role is " + roleName(s.role()) + ", not " + roleName(r.role()));
    }
    Map<String, String> attributes = vouchedFor(s, r.role());
    String key = state.compositeKey(PARTICIPANT, ParticipantIndex.hex(r.index()));
    if (state.get(key) != null) {
      throw new RuleViolation("R3", "index " + ParticipantIndex.hex(r.index()) + " is already registered");
    }
    state.put(key, Bytes.hex(kappa).getBytes(StandardCharsets.US_ASCII));
    // The directory's search index (Directory): the name and institution the CA signed.
    Directory.entries(r.role(), r.index(), attributes.get(CertificateAttributes.NAME),
        attributes.get(CertificateAttributes.INSTITUTION), Bytes.hex(kappa)).forEach(state::put);
    return new EventPayload(RecordType.REGISTRATION, kappa, new byte[32], List.of());
  }

  /**
   * R3 with the consortium policy (R9): the submitter's organisation may vouch for the role, and
   * its CA signed the professional's name and institution into the certificate. Without a policy
   * on the ledger no professional is admitted (fail closed). Returns the certificate's attributes.
   */
  private Map<String, String> vouchedFor(Submitter s, Role role) {
    ConsortiumPolicy policy = new PolicyRules(state).current().orElseThrow(() -> new RuleViolation("R3",
        "no consortium policy on the ledger: professionals cannot register until an administrator writes one (R9)"));
    String plural = role.name().toLowerCase(java.util.Locale.ROOT) + "s";
    if (!policy.mayVouch(s.mspId(), role)) {
      Set<String> vouchers = policy.vouchersFor(role);
      throw new RuleViolation("R3", s.mspId() + " may not vouch for " + plural + " (the consortium policy lets "
          + (vouchers.isEmpty() ? "no organisation" : String.join(", ", vouchers)) + " do so)");
    }
    Map<String, String> attributes;
    try {
      attributes = s.attributes();
    } catch (IllegalArgumentException e) {
      throw new RuleViolation("R3", e.getMessage());
    }
    for (String a : List.of(CertificateAttributes.NAME, CertificateAttributes.INSTITUTION)) {
      String value = attributes.get(a);
      if (value == null || value.isBlank()) {
        throw new RuleViolation("R3", "the certificate carries no " + a + " attribute: a professional's name and "
            + "institution must be signed by their institution's certificate authority");
      }
    }
    return attributes;
  }

  // R4
  private EventPayload openTreatment(Submitter s, Txtc t, byte[] kappa) {
    Consent c = t.consent();
    if (!TreatmentProtocol.consentValid(c)) {
      throw new RuleViolation("R4", "the patient's consent signature is not valid");
    }
    try {
      TreatmentProtocol.checkDistinctMembers(c);
    } catch (CryptoException e) {
      throw new RuleViolation("R4", e.getMessage());
    }
    if (s.index() != c.doctor() || s.role() != Role.DOCTOR) {
      throw new RuleViolation("R4", "only the doctor named in the patient's consent may open this treatment");
    }
    requireRegistered("R4", s, Role.DOCTOR);
    for (Role role : List.of(Role.INSURER, Role.LAWYER, Role.PHARMACIST)) {
      for (long ind : c.indexesOf(role)) {
        Registration reg = registration(ind);
        if (reg == null || reg.role() != role) {
          throw new RuleViolation("R4", "selected " + role.title().toLowerCase() + " " + ParticipantIndex.hex(ind)
              + " is not a registered " + role.title().toLowerCase());
        }
      }
    }
    String consentKey = state.compositeKey(CONSENT_USED, Bytes.hex(c.consentId()));
    if (state.get(consentKey) != null) {
      throw new RuleViolation("R4", "this consent was already used to open a treatment");
    }
    // Read even when absent: Fabric's MVCC then invalidates this txtc if a withdrawal of the
    // same consent commits first (the withdrawal reads ML-C, which this writes, likewise).
    if (state.get(withdrawnKey(c.consentId(), c.patientKey())) != null) {
      throw new RuleViolation("R4", "the patient withdrew this consent");
    }
    String k0 = Bytes.hex(kappa);
    state.put(consentKey, k0.getBytes(StandardCharsets.US_ASCII));
    index(k0, RecordType.TXTC, k0);
    List<Long> recipients = new ArrayList<>();
    for (Consent.Member m : c.members()) recipients.add(m.index());
    return new EventPayload(RecordType.TXTC, kappa, kappa, sortedUnique(recipients));
  }

  // R4, withdrawal: the submitter is vk_p' (as for the patient's txtr, R5) and the signature
  // verifies under it. Whether vk_p' is the consent's patient key can only be known when a txtc
  // brings the consent; R4 then honours only a withdrawal under that key, so a withdrawal under
  // anyone else's key blocks nothing.
  private String withdrawnBefore(Submitter s, Withdrawal w) {
    if (s.role() != Role.PATIENT || !Arrays.equals(s.publicKey(), w.patientKey())) {
      throw new RuleViolation("R4", "only the patient, under her key of this consent, may withdraw it");
    }
    if (!ConsentWithdrawal.valid(w)) {
      throw new RuleViolation("R4", "the patient's withdrawal signature is not valid");
    }
    byte[] earlier = state.get(withdrawnKey(w.consentId(), w.patientKey()));
    if (earlier == null) return null;
    String v = new String(earlier, StandardCharsets.US_ASCII);
    return v.substring(0, v.indexOf('|'));
  }

  private EventPayload withdraw(Withdrawal w, byte[] kappa) {
    if (state.get(state.compositeKey(CONSENT_USED, Bytes.hex(w.consentId()))) != null) {
      throw new RuleViolation("R4", "this consent already opened a treatment; it can no longer be withdrawn");
    }
    String value = Bytes.hex(kappa) + "|" + state.transactionId() + "|" + state.transactionTime().toEpochMilli();
    state.put(withdrawnKey(w.consentId(), w.patientKey()), value.getBytes(StandardCharsets.US_ASCII));
    // R7: one event, to nobody: the consent names no treatment yet, and the doctor learns it at the scan.
    return new EventPayload(RecordType.WITHDRAWAL, kappa, new byte[32], List.of());
  }

  String withdrawnKey(byte[] consentId, byte[] patientKey) {
    return state.compositeKey(WITHDRAWN, Bytes.hex(consentId), Bytes.hex(patientKey));
  }

  // R5
  private EventPayload respond(Submitter s, Txtr t, byte[] kappa) {
    Txtc txtc = treatment("R5", t.kappa0());
    Consent c = txtc.consent();
    if (t.responder() != s.index()) {
      throw new RuleViolation("R5", "a participant may answer only for themselves");
    }
    Consent.Member member = null;
    for (Consent.Member m : c.responders()) if (m.index() == t.responder()) member = m;
    String k0 = Bytes.hex(t.kappa0());
    // Once the key is pinned, only the members the patient's pending change adds answer (R10),
    // for the doctor to build the next epoch's key (R11).
    boolean pinned = state.get(state.compositeKey(TREATMENT_TAG, k0)) != null;
    Consent.Member joining = null;
    if (pinned) {
      EpochRules.Current cur = new EpochRules(state, this).current(k0, c);
      if (cur.pending() != null) {
        for (Consent.Member m : cur.pending().added()) if (m.index() == t.responder()) joining = m;
      }
    }
    if (member == null && joining == null) {
      throw new RuleViolation("R5", "participant " + ParticipantIndex.hex(s.index()) + " was not selected in this treatment");
    }
    if (joining != null) member = joining;
    if (member.role().pseudonymous()) {
      if (!Arrays.equals(member.publicKey(), s.publicKey()) || s.role() != member.role()) {
        throw new RuleViolation("R5", "the certificate does not belong to the selected " + member.role().title().toLowerCase());
      }
    } else {
      requireRegistered("R5", s, member.role());
    }
    // Answers close when the doctor pins the key (first txd or txk): what the key was built from
    // can no longer change, and nobody joins a key that is already fixed (except through R10).
    if (pinned && joining == null) {
      throw new RuleViolation("R5", "the treatment key is already established; answers can no longer be given or replaced");
    }
    // Until then an answer may be replaced (a c_x the doctor cannot open must not block the
    // treatment). ML-R always names the latest; each replacement must be strictly later in
    // transaction time, so "latest" is the same in ledger order as in this state.
    String respondedKey = state.compositeKey(RESPONDED, k0, ParticipantIndex.hex(s.index()));
    byte[] previous = state.get(respondedKey);
    if (previous != null) {
      long before = indexedMillis(k0, RecordType.TXTR, new String(previous, StandardCharsets.US_ASCII));
      if (state.transactionTime().toEpochMilli() <= before) {
        throw new RuleViolation("R5", "a replacement answer must be later than the answer it replaces (transaction time "
            + state.transactionTime().toEpochMilli() + " ms is not after " + before + " ms)");
      }
    }
    state.put(respondedKey, Bytes.hex(kappa).getBytes(StandardCharsets.US_ASCII));
    index(k0, RecordType.TXTR, Bytes.hex(kappa));
    return new EventPayload(RecordType.TXTR, kappa, t.kappa0(), List.of(c.doctor()));
  }

  // R6
  private EventPayload process(Submitter s, ProcessRecord p, byte[] kappa) {
    Txtc txtc = treatment("R6", p.kappa0());
    Consent c = txtc.consent();
    Role writer = p.type().writer();
    if (p.sender() != s.index()) {
      throw new RuleViolation("R6", "the sender index is not the submitter's");
    }
    String k0 = Bytes.hex(p.kappa0());
    EpochRules.Current cur = new EpochRules(state, this).current(k0, c);
    if (cur.ever().get(s.index()) != writer || s.role() != writer) {
      throw new RuleViolation("R6", "only the selected " + writer.title().toLowerCase() + " may write " + p.type().label());
    }
    requireRegistered("R6", s, writer);
    String tagKey = state.compositeKey(TREATMENT_TAG, k0);
    byte[] knownTag = state.get(tagKey);
    // Only the doctor pins the tag (first txd, or a txk): a record by anyone else before that
    // would let them choose the treatment's key.
    if (knownTag == null && writer != Role.DOCTOR) {
      throw new RuleViolation("R6", "the doctor has not established the treatment key yet; a " + p.type().label()
          + " can be written once the doctor has");
    }
    MemberSet members = cur.members();
    if (!members.contains(s.index())) {
      throw new RuleViolation("R6", notInKey(cur, s.index()));
    }
    // A change that removes someone waits for its key: a record under the old key would still
    // open for the leaving member, so nobody writes until the doctor has set up the new one.
    if (cur.removalPending()) {
      throw new RuleViolation("R6", "the patient is changing who takes part in this treatment; records can be written "
          + "again once the doctor has set up the new key");
    }
    if (!members.othersThan(s.index()).equals(p.others())) {
      throw new RuleViolation("R6", "the record's participant indexes do not match the treatment");
    }
    if (knownTag == null) {
      int answered = state.byPartialKey(RESPONDED, k0).size();
      if (answered != c.responders().size()) {
        throw new RuleViolation("R6", "the treatment key is not established yet: " + answered + " of "
            + c.responders().size() + " participants have answered");
      }
    }
    SiffTag tag;
    try {
      tag = SiffTag.parse(p.tag());
    } catch (CryptoException e) {
      throw new RuleViolation("R6", "invalid tag: " + e.getMessage());
    }
    if (tag.members() != members.size()) {
      throw new RuleViolation("R6", "the tag is built for " + tag.members() + " members, the treatment's key has "
          + members.size());
    }
    String tagHash = Bytes.hex(tag.hash());
    if (knownTag == null) {
      state.put(tagKey, tagHash.getBytes(StandardCharsets.US_ASCII));
    } else if (!new String(knownTag, StandardCharsets.US_ASCII).equals(tagHash)) {
      throw new RuleViolation("R6", "the tag differs from the one this treatment already uses");
    }
    String seqKey = state.compositeKey(SEQUENCE, k0, ParticipantIndex.hex(s.index()), Integer.toUnsignedString(p.sequence()));
    if (state.get(seqKey) != null) {
      throw new RuleViolation("R6", "sequence number " + Integer.toUnsignedString(p.sequence()) + " is already used by this sender");
    }
    state.put(seqKey, Bytes.hex(kappa).getBytes(StandardCharsets.US_ASCII));
    index(k0, p.type(), Bytes.hex(kappa));
    return new EventPayload(p.type(), kappa, p.kappa0(), recipients(p.type(), members));
  }

  // R8
  private EventPayload fixKey(Submitter s, Txk k, byte[] kappa) {
    Txtc txtc = treatment("R8", k.kappa0());
    Consent c = txtc.consent();
    if (k.doctor() != s.index()) {
      throw new RuleViolation("R8", "the doctor index is not the submitter's");
    }
    if (s.index() != c.doctor() || s.role() != Role.DOCTOR) {
      throw new RuleViolation("R8", "only the treatment's doctor may establish its key");
    }
    requireRegistered("R8", s, Role.DOCTOR);
    String k0 = Bytes.hex(k.kappa0());
    String tagKey = state.compositeKey(TREATMENT_TAG, k0);
    if (state.get(tagKey) != null) {
      throw new RuleViolation("R8", "the treatment key is already established");
    }
    for (long ind : k.excluded()) {
      if (ind == c.patientIndex()) {
        throw new RuleViolation("R8", "the patient cannot be left out of their own treatment's key");
      }
      if (c.responders().stream().noneMatch(m -> m.index() == ind)) {
        throw new RuleViolation("R8", "participant " + ParticipantIndex.hex(ind)
            + " is not an invited participant of this treatment and cannot be left out");
      }
    }
    for (Consent.Member m : c.responders()) {
      if (k.excluded().contains(m.index())) continue;
      if (state.get(state.compositeKey(RESPONDED, k0, ParticipantIndex.hex(m.index()))) == null) {
        throw new RuleViolation("R8", "participant " + ParticipantIndex.hex(m.index())
            + " has not answered; the key can be built without them only if they are left out");
      }
    }
    SiffTag tag;
    try {
      tag = SiffTag.parse(k.tag());
    } catch (CryptoException e) {
      throw new RuleViolation("R8", "invalid tag: " + e.getMessage());
    }
    int members = c.members().size() - k.excluded().size();
    if (tag.members() != members) {
      throw new RuleViolation("R8", "the tag is built for " + tag.members() + " members, the key without the left-out has " + members);
    }
    String kHex = Bytes.hex(kappa);
    state.put(tagKey, Bytes.hex(tag.hash()).getBytes(StandardCharsets.US_ASCII));
    state.put(state.compositeKey(KEY_RECORD, k0), kHex.getBytes(StandardCharsets.US_ASCII));
    index(k0, RecordType.TXK, kHex);
    return new EventPayload(RecordType.TXK, kappa, k.kappa0(), recipients(RecordType.TXK, c, k.excluded()));
  }

  // R12: an access record is written by whoever reads the treatment as a whole, before the portal
  // serves it; only a member of the newest key epoch (or a doctor with a current justification)
  // may write one, so the log cannot be flooded by strangers, and it names a key of the treatment
  // (any epoch's: a page opened before an epoch still seals under the key it read with) so members
  // can open it.
  private EventPayload logAccess(Submitter s, AccessRecord a, byte[] kappa) {
    Txtc txtc = treatment("R12", a.kappa0());
    Consent c = txtc.consent();
    if (a.reader() != s.index()) {
      throw new RuleViolation("R12", "a reader may log only their own access (index " + ParticipantIndex.hex(a.reader())
          + " is not the submitter's " + ParticipantIndex.hex(s.index()) + ")");
    }
    String k0 = Bytes.hex(a.kappa0());
    byte[] pinned = state.get(state.compositeKey(TREATMENT_TAG, k0));
    if (pinned == null) {
      throw new RuleViolation("R12", "the treatment key is not established yet; there is nothing to read");
    }
    EpochRules.Current cur = new EpochRules(state, this).current(k0, c);
    if (!anEpochsKey(pinned, cur, a.tagHash())) {
      throw new RuleViolation("R12", "the access record is sealed under another key than the treatment's");
    }
    Consent.Member member = cur.members().member(s.index());
    if (member != null) {
      checkMember("R12", s, member);
    } else if (cur.ever().containsKey(s.index())) {
      throw new RuleViolation("R12", notInKey(cur, s.index()));
    } else {
      requireJustified(s, k0);
    }
    index(k0, RecordType.ACCESS, Bytes.hex(kappa));
    // The patient and the family see the access log; the event tells their pages at once.
    return new EventPayload(RecordType.ACCESS, kappa, a.kappa0(), patientAndFamily(cur.members()));
  }

  /** Why {@code index}, selected once, is not a member of the newest key (R6, R12). */
  private static String notInKey(EpochRules.Current cur, long index) {
    String why = cur.excluded().contains(index) && cur.epoch() == 0 ? "the doctor built it without them"
        : cur.joining(index) ? "they join once the doctor has set up the new key" : "the patient removed them";
    return "participant " + ParticipantIndex.hex(index) + " is not part of this treatment's key (" + why + ")";
  }

  /**
   * Whether H(tag) is the key of one of the treatment's epochs: the newest ({@code pinned}, read from ML-G) or one an
   * epoch record replaced (R12, R14). Every member of the newest epoch can open each of them.
   */
  private static boolean anEpochsKey(byte[] pinned, EpochRules.Current cur, byte[] tagHash) {
    String h = Bytes.hex(tagHash);
    return new String(pinned, StandardCharsets.US_ASCII).equals(h) || cur.earlierTags().contains(h);
  }

  /** The patient and the family members of a member set: who keeps the access log. */
  private static List<Long> patientAndFamily(MemberSet members) {
    List<Long> out = new ArrayList<>(members.indexesOf(Role.PATIENT));
    out.addAll(members.indexesOf(Role.FAMILY));
    return sortedUnique(out);
  }

  /** R12 for a non-member: a registered doctor whose justification (R13) is committed and current. */
  private void requireJustified(Submitter s, String k0) {
    byte[] j = state.get(state.compositeKey(EMERGENCY, k0, ParticipantIndex.hex(s.index())));
    if (j == null || s.role() != Role.DOCTOR) {
      throw new RuleViolation("R12", "participant " + ParticipantIndex.hex(s.index())
          + " is not a member of this treatment and has no emergency justification for it");
    }
    requireRegistered("R12", s, Role.DOCTOR);
    String v = new String(j, StandardCharsets.US_ASCII);
    long at = Long.parseLong(v.substring(v.lastIndexOf('|') + 1));
    if (state.transactionTime().toEpochMilli() - at > EMERGENCY_VALID_MILLIS) {
      throw new RuleViolation("R12", "the emergency justification of " + ParticipantIndex.hex(s.index())
          + " has expired (24 hours); a new one is needed");
    }
  }

  /** The submitter is the consent's member: the same key (patient, family) or registered in the role. */
  private void checkMember(String rule, Submitter s, Consent.Member member) {
    if (member.role().pseudonymous()) {
      if (!Arrays.equals(member.publicKey(), s.publicKey()) || s.role() != member.role()) {
        throw new RuleViolation(rule, "the certificate does not belong to the treatment's " + member.role().title().toLowerCase());
      }
    } else {
      requireRegistered(rule, s, member.role());
    }
  }

  // R13: break the glass. A registered doctor who is not a member says, on the ledger, that she
  // needs the treatment now; every member is told by the event. Rate-limited here, in the
  // chaincode, so that no portal can lift the limit: per doctor and per treatment in any 24 hours.
  private EventPayload breakGlass(Submitter s, EmergencyRecord e, byte[] kappa) {
    Txtc txtc = treatment("R13", e.kappa0());
    Consent c = txtc.consent();
    if (e.doctor() != s.index()) {
      throw new RuleViolation("R13", "the doctor index is not the submitter's");
    }
    if (s.role() != Role.DOCTOR) {
      throw new RuleViolation("R13", "only a doctor may ask for emergency access");
    }
    requireRegistered("R13", s, Role.DOCTOR);
    String k0 = Bytes.hex(e.kappa0());
    EpochRules.Current cur = new EpochRules(state, this).current(k0, c);
    if (cur.members().contains(s.index())) {
      throw new RuleViolation("R13", "participant " + ParticipantIndex.hex(s.index())
          + " is a member of this treatment and reads it without an emergency justification");
    }
    if (state.get(state.compositeKey(TREATMENT_TAG, k0)) == null) {
      throw new RuleViolation("R13", "the treatment key is not established yet; there is nothing to read");
    }
    if (state.get(state.compositeKey(ESCROW, k0)) == null) {
      throw new RuleViolation("R13", "the patient has not allowed emergency access to this treatment");
    }
    long now = state.transactionTime().toEpochMilli();
    String justKey = state.compositeKey(EMERGENCY, k0, ParticipantIndex.hex(s.index()));
    byte[] current = state.get(justKey);
    if (current != null) {
      String v = new String(current, StandardCharsets.US_ASCII);
      long at = Long.parseLong(v.substring(v.lastIndexOf('|') + 1));
      if (now - at <= EMERGENCY_VALID_MILLIS) {
        throw new RuleViolation("R13", "doctor " + ParticipantIndex.hex(s.index())
            + " already has emergency access to this treatment (for 24 hours from " + at + " ms)");
      }
    }
    String byDoctor = state.compositeKey(EMERGENCY_BY_DOCTOR, ParticipantIndex.hex(s.index()));
    String byTreatment = state.compositeKey(EMERGENCY_BY_TREATMENT, k0);
    List<Long> doctorTimes = recent(byDoctor, now);
    if (doctorTimes.size() >= EMERGENCY_PER_DOCTOR) {
      throw new RuleViolation("R13", "doctor " + ParticipantIndex.hex(s.index()) + " has asked for emergency access "
          + EMERGENCY_PER_DOCTOR + " times in the last 24 hours; the limit is " + EMERGENCY_PER_DOCTOR);
    }
    List<Long> treatmentTimes = recent(byTreatment, now);
    if (treatmentTimes.size() >= EMERGENCY_PER_TREATMENT) {
      throw new RuleViolation("R13", "this treatment was opened in an emergency " + EMERGENCY_PER_TREATMENT
          + " times in the last 24 hours; the limit is " + EMERGENCY_PER_TREATMENT);
    }
    doctorTimes.add(now);
    treatmentTimes.add(now);
    state.put(byDoctor, times(doctorTimes));
    state.put(byTreatment, times(treatmentTimes));
    String kHex = Bytes.hex(kappa);
    state.put(justKey, (kHex + "|" + state.transactionId() + "|" + now).getBytes(StandardCharsets.US_ASCII));
    index(k0, RecordType.EMERGENCY, kHex);
    // Every member of the newest key is told, never silently (the left-out and the removed cannot
    // read anyway).
    return new EventPayload(RecordType.EMERGENCY, kappa, e.kappa0(), sortedUnique(cur.members().indexes()));
  }

  // R14: the patient (and only she, under her key of this treatment) allows emergency access by
  // sealing a key of the treatment for two custodians; a later escrow replaces the earlier one.
  private EventPayload allowEmergency(Submitter s, EscrowRecord e, byte[] kappa) {
    Txtc txtc = treatment("R14", e.kappa0());
    Consent c = txtc.consent();
    if (e.patient() != s.index() || e.patient() != c.patientIndex() || s.role() != Role.PATIENT
        || !Arrays.equals(s.publicKey(), c.patientKey())) {
      throw new RuleViolation("R14", "only the treatment's patient, under her key of this treatment, may allow emergency access");
    }
    String k0 = Bytes.hex(e.kappa0());
    byte[] pinned = state.get(state.compositeKey(TREATMENT_TAG, k0));
    if (pinned == null) {
      throw new RuleViolation("R14", "the treatment key is not established yet");
    }
    EpochRules.Current cur = new EpochRules(state, this).current(k0, c);
    // Any epoch's key is hers to give (an older one opens less); her portal gives the newest.
    if (!anEpochsKey(pinned, cur, e.tagHash())) {
      throw new RuleViolation("R14", "the escrow holds another key than the treatment's");
    }
    if (Arrays.equals(e.custodianA(), e.custodianB())) {
      throw new RuleViolation("R14", "the two emergency custodians must be different");
    }
    String kHex = Bytes.hex(kappa);
    state.put(state.compositeKey(ESCROW, k0), kHex.getBytes(StandardCharsets.US_ASCII));
    index(k0, RecordType.ESCROW, kHex);
    return new EventPayload(RecordType.ESCROW, kappa, e.kappa0(), patientAndFamily(cur.members()));
  }

  /** The times (epoch millis, ascending) a rate-limit key holds that are within the window before {@code now}. */
  private List<Long> recent(String key, long now) {
    byte[] v = state.get(key);
    List<Long> out = new ArrayList<>();
    if (v == null) return out;
    for (String t : new String(v, StandardCharsets.US_ASCII).split(",")) {
      long at = Long.parseLong(t);
      if (now - at < EMERGENCY_WINDOW_MILLIS) out.add(at);
    }
    return out;
  }

  private static byte[] times(List<Long> times) {
    StringBuilder sb = new StringBuilder();
    for (long t : times) sb.append(sb.length() == 0 ? "" : ",").append(t);
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * R7: event receivers of the paper's Table 3, without the members a txk left out of the key;
   * a txk itself goes to every member, the left-out included, so they learn they are out.
   */
  static List<Long> recipients(RecordType type, Consent c, List<Long> excluded) {
    List<Long> out = new ArrayList<>();
    switch (type) {
      case TXD -> { out.add(c.patientIndex()); out.addAll(c.pharmacists()); }
      case TXM -> { out.add(c.patientIndex()); out.addAll(c.insurers()); }
      case TXA -> out.add(c.patientIndex());
      case TXK -> {
        for (Consent.Member m : c.members()) out.add(m.index());
        return sortedUnique(out);
      }
      default -> throw new IllegalArgumentException(type.label());
    }
    out.removeAll(excluded);
    return sortedUnique(out);
  }

  /** R7 for process records: the paper's Table 3 over the newest epoch's members. */
  static List<Long> recipients(RecordType type, MemberSet members) {
    List<Long> out = new ArrayList<>(members.indexesOf(Role.PATIENT));
    switch (type) {
      case TXD -> out.addAll(members.indexesOf(Role.PHARMACIST));
      case TXM -> out.addAll(members.indexesOf(Role.INSURER));
      case TXA -> { }
      default -> throw new IllegalArgumentException(type.label());
    }
    return sortedUnique(out);
  }

  /** The responders the treatment's txk left out of the key (none without a txk). */
  List<Long> excluded(String kappa0Hex) {
    byte[] kHex = state.get(state.compositeKey(KEY_RECORD, kappa0Hex));
    if (kHex == null) return List.of();
    return ((Txk) RecordCodec.parse(state.get(new String(kHex, StandardCharsets.US_ASCII)))).excluded();
  }

  /** The commit time (epoch millis) the treatment index holds for one of its records. */
  private long indexedMillis(String kappa0Hex, RecordType type, String kappaHex) {
    byte[] v = state.get(state.compositeKey(TREATMENT, kappa0Hex, type.label(), kappaHex));
    String s = new String(v, StandardCharsets.US_ASCII);
    return Long.parseLong(s.substring(s.indexOf('|') + 1));
  }

  void index(String kappa0Hex, RecordType type, String kappaHex) {
    String value = state.transactionId() + "|" + state.transactionTime().toEpochMilli();
    state.put(state.compositeKey(TREATMENT, kappa0Hex, type.label(), kappaHex), value.getBytes(StandardCharsets.US_ASCII));
  }

  Txtc treatment(String rule, byte[] kappa0) {
    byte[] v = state.get(Bytes.hex(kappa0));
    if (v == null) {
      throw new RuleViolation(rule, "no treatment " + Bytes.hex(kappa0) + " on the ledger");
    }
    LedgerRecord r = RecordCodec.parse(v);
    if (!(r instanceof Txtc t)) {
      throw new RuleViolation(rule, Bytes.hex(kappa0) + " is not a treatment (txtc)");
    }
    return t;
  }

  Registration registration(long index) {
    byte[] kappaHex = state.get(state.compositeKey(PARTICIPANT, ParticipantIndex.hex(index)));
    if (kappaHex == null) return null;
    return (Registration) RecordCodec.parse(state.get(new String(kappaHex, StandardCharsets.US_ASCII)));
  }

  void requireRegistered(String rule, Submitter s, Role role) {
    if (s.role() != role) {
      throw new RuleViolation(rule, "the certificate's role is " + roleName(s.role()) + ", not " + role.title().toLowerCase());
    }
    Registration reg = registration(s.index());
    if (reg == null || reg.role() != role || !sameKey(reg, s)) {
      throw new RuleViolation(rule, "the submitter is not registered as " + role.title().toLowerCase()
          + " under index " + ParticipantIndex.hex(s.index()));
    }
  }

  private static boolean sameKey(Registration reg, Submitter s) {
    try {
      return Arrays.equals(CertificateKeys.SHARED.compressedKey(reg.certificateDer()), s.publicKey());
    } catch (CryptoException e) {
      return false;
    }
  }

  private static String roleName(Role r) {
    return r == null ? "not set" : r.title().toLowerCase();
  }

  static List<Long> sortedUnique(List<Long> in) {
    Set<Long> seen = new HashSet<>();
    List<Long> out = new ArrayList<>();
    for (long v : in) if (seen.add(v)) out.add(v);
    out.sort(Long::compareUnsigned);
    return out;
  }
}
