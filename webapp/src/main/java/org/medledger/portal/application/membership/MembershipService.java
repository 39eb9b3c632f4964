package org.medledger.portal.application.membership;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.protocol.epoch.EpochChain;
import org.medledger.core.protocol.epoch.KeyEpochs;
import org.medledger.core.protocol.epoch.MemberChanges;
import org.medledger.core.protocol.epoch.MemberSet;
import org.medledger.core.record.Consent;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txk;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.Card;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.infrastructure.crypto.SiffService;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * Who takes part in a treatment, after it started (issue 16, docs/protocol.md §Key epochs): the
 * patient adds a professional from the directory or removes a member (a signed member change);
 * the doctor's portal lets the new member set in with a new key once the added members have
 * accepted (an epoch record), by itself, as it builds the first key; every member sees the
 * history in plain words.
 */
@ApplicationScoped
public class MembershipService {
  private static final Logger LOG = Logger.getLogger(MembershipService.class.getName());

  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject SiffService siff;
  @Inject AccountService accounts;
  @Inject DirectoryService directory;

  /** A member the patient may remove. */
  public record Member(String id, String who) {}

  /** "Paula Pharma (pharmacist) left on …": who, joined or left, when the new key let it happen. */
  public record HistoryItem(String who, boolean joined, Instant when) {
    public String verb() {
      return joined ? "joined" : "left";
    }
  }

  /**
   * The "Who takes part" card: whether the viewer is the patient (who may change it), whom she
   * may remove, the history, and what waits.
   */
  public record View(boolean patient, List<Member> removable, List<HistoryItem> history, List<String> waiting) {}

  private record State(Txtc txtc, byte[] kappa0, EpochChain chain, Map<String, Long> millis, List<Txtr> answers,
      Optional<SiffTag> tag0) {
    Consent consent() {
      return txtc.consent();
    }
  }

  public View view(Actor x, String kappa0Hex) {
    State s = load(kappa0Hex);
    boolean patient = x.role() == Role.PATIENT && TreatmentService.memberIndex(x, s.consent()) == s.consent().patientIndex();
    List<Member> removable = new ArrayList<>();
    List<Long> leaving = s.chain().pending().map(MemberChange::removed).orElse(List.of());
    for (var m : s.chain().members().members()) {
      if (m.role() == Role.PATIENT || m.role() == Role.DOCTOR || leaving.contains(m.index())) continue;
      removable.add(new Member(ParticipantIndex.hex(m.index()), who(m.index(), m.role())));
    }
    List<HistoryItem> history = new ArrayList<>();
    for (EpochChain.Epoch e : s.chain().epochs()) {
      Long t = s.millis().get(Bytes.hex(EpochChain.kappa(e.record())));
      Instant when = t == null ? null : Instant.ofEpochMilli(t);
      for (var m : e.change().added()) history.add(new HistoryItem(who(m.index(), m.role()), true, when));
      for (long ind : e.change().removed()) history.add(new HistoryItem(who(ind, s.chain().everRole(ind)), false, when));
    }
    List<String> waiting = new ArrayList<>();
    s.chain().pending().ifPresent(c -> {
      java.util.Set<Long> answered = new java.util.HashSet<>();
      for (Txtr a : s.answers()) answered.add(a.responder());
      for (var m : c.added()) {
        waiting.add(who(m.index(), m.role()) + (answered.contains(m.index())
            ? " has accepted and joins as soon as the doctor's portal lets them in."
            : " is invited and has not accepted yet."));
      }
      for (long ind : c.removed()) {
        waiting.add(who(ind, s.chain().everRole(ind)) + " leaves as soon as the doctor's portal has set this up.");
      }
    });
    return new View(patient, removable, history, waiting);
  }

  /** The patient removes a member (by the id the card's list gives). */
  public void remove(Actor patient, String kappa0Hex, String memberId) {
    State s = load(kappa0Hex);
    long ind = parse(memberId);
    change(patient, s, List.of(), List.of(ind));
  }

  /** The patient adds a registered pharmacist, insurer or lawyer found in the directory. */
  public void add(Actor patient, String kappa0Hex, String participantId) {
    State s = load(kappa0Hex);
    long ind = parse(participantId);
    DirectoryService.Participant p = directory.byIndex(ind)
        .orElseThrow(() -> new PortalException("This person is not in the directory."));
    if (p.role() == Role.DOCTOR) {
      throw new PortalException("A treatment has one doctor. For another doctor's opinion, add them in a new treatment.");
    }
    change(patient, s, List.of(new Consent.Member(p.role(), ind, null)), List.of());
  }

  /**
   * The patient adds a family member or legal agent by the text of their card, as when she started
   * the treatment: their long-term key goes into her signed change (docs/protocol.md §Key epochs).
   */
  public void addFamily(Actor patient, String kappa0Hex, String cardText) {
    if (cardText == null || cardText.isBlank()) {
      throw new PortalException("Please paste the card text of the family member or legal agent to add.");
    }
    Card card = Card.parse(cardText);
    if (card.role() != Role.FAMILY) {
      throw new PortalException("This is not a family member's card: it is a " + card.role().title().toLowerCase(Locale.ROOT)
          + "'s. Add professionals by their name.");
    }
    State s = load(kappa0Hex);
    // Named by her key in this treatment, blinded as in the consent (§Per-treatment identities).
    byte[] key = TreatmentIdentities.treatmentKey(card.publicKey(), s.consent());
    change(patient, s, List.of(new Consent.Member(Role.FAMILY, ParticipantIndex.of(key), key)), List.of());
  }

  /**
   * Signs and stores the patient's change for the next epoch. A change that waits for its key
   * already is replaced by one that also holds it (the latest counts, rule R10), so adding after
   * removing never undoes the removal; adding someone whose removal waits cancels the removal.
   */
  private void change(Actor patient, State s, List<Consent.Member> add, List<Long> remove) {
    Consent c = s.consent();
    if (patient.role() != Role.PATIENT || TreatmentService.memberIndex(patient, c) != c.patientIndex()) {
      throw new PortalException("Only the patient decides who takes part in her treatment.");
    }
    if (s.tag0().isEmpty()) {
      throw new PortalException("Who takes part can change once the treatment has started (once everyone invited has "
          + "accepted and the doctor has written the first record).");
    }
    List<Long> removed = new ArrayList<>();
    List<Consent.Member> added = new ArrayList<>();
    s.chain().pending().ifPresent(p -> {
      removed.addAll(p.removed());
      added.addAll(p.added());
    });
    for (Consent.Member m : add) {
      if (removed.remove((Long) m.index())) continue; // they stay after all
      if (s.chain().members().contains(m.index()) || added.stream().anyMatch(a -> a.index() == m.index())) {
        throw new PortalException(who(m.index(), m.role()) + " already takes part in this treatment.");
      }
      added.add(m);
    }
    for (long ind : remove) {
      if (added.removeIf(a -> a.index() == ind)) continue; // invited, now not
      Role role = s.chain().members().roleOf(ind);
      if (role == null) throw new PortalException("This person does not take part in this treatment.");
      if (role == Role.PATIENT || role == Role.DOCTOR) {
        throw new PortalException("The patient and the doctor always take part in their treatment.");
      }
      if (!removed.contains(ind)) removed.add(ind);
    }
    MemberChange change;
    try {
      EcKeyPair signing = TreatmentIdentities.memberKeys(patient.secret(), Role.PATIENT, c);
      List<byte[]> family = new ArrayList<>();
      List<Long> insurers = new ArrayList<>(), lawyers = new ArrayList<>(), pharmacists = new ArrayList<>();
      for (Consent.Member m : added) {
        switch (m.role()) {
          case FAMILY -> family.add(m.publicKey());
          case INSURER -> insurers.add(m.index());
          case LAWYER -> lawyers.add(m.index());
          case PHARMACIST -> pharmacists.add(m.index());
          default -> throw new PortalException("A " + m.role().title().toLowerCase(Locale.ROOT) + " cannot be added.");
        }
      }
      if (family.isEmpty() && insurers.isEmpty() && lawyers.isEmpty() && pharmacists.isEmpty() && removed.isEmpty()) {
        throw new PortalException("Nothing changes: everyone stays as they were.");
      }
      change = MemberChanges.sign(signing, s.kappa0(), s.chain().epoch() + 1, family, insurers, lawyers, pharmacists, removed);
      s.chain().members().apply(change); // the same checks as the ledger's, with a message people read
    } catch (CryptoException e) {
      throw new PortalException(e.getMessage() + ".");
    }
    try {
      ledger.store(accounts.treatmentIdentity(patient, c), change);
    } catch (LedgerException e) {
      throw new PortalException("The ledger did not accept the change: " + e.getMessage());
    }
  }

  /**
   * The doctor's portal lets the new member set in: once every member the patient's change adds
   * has accepted, it builds the new key and stores the epoch record (rule R11). False when there
   * is nothing to do or not yet; never for another doctor.
   */
  public boolean completeIfReady(Actor doctor, String kappa0Hex) {
    State s = load(kappa0Hex);
    if (doctor.role() != Role.DOCTOR || s.consent().doctor() != doctor.index()) return false;
    Optional<MemberChange> pending = s.chain().pending();
    if (pending.isEmpty() || s.tag0().isEmpty()) return false;
    MemberSet next = s.chain().members().apply(pending.get());
    List<Txtr> latest = TreatmentProtocol.latestAnswers(s.answers());
    if (!KeyEpochs.missingAnswers(doctor.secret(), s.txtc(), s.kappa0(), next, latest).isEmpty()) return false;
    KeyEpoch epoch = siff.epochRecord(doctor.secret(), s.txtc(), s.kappa0(), next, latest, pending.get(),
        s.chain().pendingKappa().orElseThrow(), s.chain().tags(s.tag0().get()));
    try {
      ledger.store(accounts.treatmentIdentity(doctor, s.consent()), epoch);
    } catch (LedgerException e) {
      // Two of the doctor's sessions (a page and the login) may try at once: the ledger takes
      // one epoch record (R11) and refuses the other, which changes nothing.
      if (load(kappa0Hex).chain().epoch() >= epoch.epoch()) return false;
      throw e;
    }
    LOG.info(() -> "Treatment " + kappa0Hex.substring(0, 12) + ": the new members were let in (key epoch " + epoch.epoch() + ")");
    return true;
  }

  private State load(String kappa0Hex) {
    String hex = kappa0Hex == null ? "" : kappa0Hex.trim().toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) throw new PortalException("This is not a treatment address.");
    byte[] k0 = Bytes.unhex(hex);
    Optional<LedgerRecord> first = ledger.getRecord(portal.get(), k0);
    if (first.isEmpty() || !(first.get() instanceof Txtc txtc)) throw new PortalException("There is no such treatment.");
    List<Map.Entry<byte[], LedgerRecord>> ordered = new ArrayList<>();
    Map<String, Long> millis = new HashMap<>();
    List<Txtr> answers = new ArrayList<>();
    Txk txk = null;
    SiffTag firstTag = null;
    for (MedLedgerClient.TreatmentEntry e : ledger.treatment(portal.get(), k0)) {
      millis.put(e.kappaHex(), e.timeMillis());
      if (e.type() == org.medledger.core.record.RecordType.TXTC) continue;
      LedgerRecord r = ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).orElse(null);
      if (r == null) continue;
      ordered.add(Map.entry(Bytes.unhex(e.kappaHex()), r));
      if (r instanceof Txtr t) answers.add(t);
      if (r instanceof Txk k) txk = k;
      if (r instanceof ProcessRecord p && firstTag == null) firstTag = SiffTag.parse(p.tag());
    }
    Optional<SiffTag> tag0 = txk != null ? Optional.of(SiffTag.parse(txk.tag())) : Optional.ofNullable(firstTag);
    EpochChain chain = EpochChain.of(txtc.consent(), txk == null ? List.of() : txk.excluded(), ordered);
    return new State(txtc, k0, chain, millis, answers, tag0);
  }

  /** A member in people's words: "Paula Pharma (pharmacist)", never an index. */
  private String who(long index, Role role) {
    if (role == Role.FAMILY) return "A family member";
    Optional<DirectoryService.Participant> p = directory.byIndex(index);
    String roleWord = role == null ? "participant" : role.title().toLowerCase(Locale.ROOT);
    return p.map(x -> x.name() + " (" + roleWord + ")").orElse("A " + roleWord);
  }

  private static long parse(String id) {
    try {
      return ParticipantIndex.parse(id == null ? "" : id.trim());
    } catch (IllegalArgumentException e) {
      throw new PortalException("Please choose someone from the list.");
    }
  }
}
