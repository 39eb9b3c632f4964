package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Arrays;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordFormatException;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.core.record.ProcessRecord;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.cover.Covers;
import org.medledger.portal.application.notify.Notice;
import org.medledger.portal.application.notify.TreatmentNames;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.persistence.Account;
import org.medledger.portal.infrastructure.persistence.CheckpointRow;
import org.medledger.portal.infrastructure.persistence.InboxItem;
import org.medledger.portal.infrastructure.persistence.TreatmentMember;

/**
 * The inbox: one row per (local account, ledger record) addressed to it. Each event is handled
 * in one transaction together with the checkpoint, so a restart resumes exactly after the
 * last handled event; the unique key absorbs a replay of the same event.
 */
@ApplicationScoped
@Transactional
public class InboxService {
  @PersistenceContext(unitName = "medledger")
  EntityManager em;

  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;

  @Inject DirectoryService directory;

  @Inject TreatmentNames names;

  /**
   * What each inbox record says apart from the treatment's name (who did what), by record κ:
   * records never change, so this is worked out once (one or two ledger reads) and not on every
   * dashboard view. Holds names of professionals and roles only, never a cover. Bounded.
   */
  private final java.util.Map<String, Facts> facts = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_FACTS = 20_000;

  /** The treatment's doctor and the record's sender by name, and whether the record is the cover. */
  record Facts(String doctor, String sender, boolean cover) {
    static final Facts UNKNOWN = new Facts(null, null, false);
  }

  /** One inbox line for the pages; {@code title} says who did what, in plain words. */
  public record Item(long id, String recordType, String kappa0Hex, String transactionId, long blockNumber,
      Instant receivedAt, boolean unread, String title) {}

  /** Writes the inbox rows for {@code event} and moves the checkpoint; returns who was notified. */
  public List<InboxUpdated> handle(ChaincodeEvent event, String subscriber) {
    List<InboxUpdated> out = new ArrayList<>();
    if (EventPayload.EVENT_NAME.equals(event.eventName())) {
      EventPayload p;
      try {
        p = RecordCodec.parseEvent(event.payload());
      } catch (RecordFormatException e) {
        p = null; // not ours to understand; skip, but still move the checkpoint
      }
      if (p != null) {
        String kappa = Bytes.hex(p.kappa());
        String kappa0 = Bytes.hex(p.kappa0());
        if (p.recordType() == RecordType.TXTC) recognise(p, kappa0);
        if (p.recordType() == RecordType.MEMBER_CHANGE) recogniseAdded(p, kappa0);
        for (long recipient : p.recipients()) {
          Optional<Account> acc = localAccount(recipient);
          if (acc.isEmpty()) continue;
          String user = acc.get().getUsername();
          long seen = em.createNamedQuery("Inbox.exists", Long.class).setParameter("u", user).setParameter("k", kappa)
              .getSingleResult();
          if (seen > 0) continue;
          InboxItem i = new InboxItem();
          i.setUsername(user);
          i.setRecordType(p.recordType().label());
          i.setRecordKappa(kappa);
          i.setKappa0(kappa0);
          i.setTransactionId(event.transactionId());
          i.setBlockNumber(event.blockNumber());
          i.setReceivedAt(Instant.now());
          em.persist(i);
          out.add(new InboxUpdated(user, p.recordType().label(), kappa0, kappa));
        }
      }
    }
    checkpoint(subscriber, event.blockNumber(), event.transactionId());
    return out;
  }

  /** The active local account that is {@code index}: its long-term index or one of its ind_x'. */
  private Optional<Account> localAccount(long index) {
    String hex = ParticipantIndex.hex(index);
    Optional<Account> acc = em.createNamedQuery("Account.byIndex", Account.class).setParameter("i", hex)
        .getResultStream().findFirst();
    if (acc.isPresent()) return acc;
    TreatmentMember m = em.find(TreatmentMember.class, hex);
    if (m == null) return Optional.empty();
    return em.createNamedQuery("Account.byUsername", Account.class).setParameter("u", m.getUsername())
        .getResultStream().findFirst();
  }

  /**
   * A new treatment: finds this portal's patients and family members in it by their blinded
   * keys (docs/protocol.md §Per-treatment identities) and remembers their ind_x', so this and
   * the treatment's later events reach them. Costs one point multiplication per local patient
   * or family account, and only when a recipient is not already known.
   */
  private void recognise(EventPayload p, String kappa0Hex) {
    boolean unknown = false;
    for (long r : p.recipients()) unknown |= localAccount(r).isEmpty();
    if (!unknown) return;
    Optional<LedgerRecord> r = ledger.getRecord(portal.get(), p.kappa0());
    if (r.isEmpty() || !(r.get() instanceof Txtc txtc)) return;
    List<Account> pseudonymous = em.createQuery("select a from Account a where a.role in :roles"
        + " and (a.status is null or a.status = org.medledger.portal.infrastructure.persistence.AccountStatus.ACTIVE)",
        Account.class).setParameter("roles", List.of(Role.PATIENT, Role.FAMILY)).getResultList();
    for (Account a : pseudonymous) {
      Optional<byte[]> key = TreatmentIdentities.memberKey(a.getPublicKey(), a.getRole(), txtc.consent());
      if (key.isEmpty() || Arrays.equals(key.get(), a.getPublicKey())) continue; // not in it, or a long-term key
      String hex = ParticipantIndex.hex(ParticipantIndex.of(key.get()));
      if (em.find(TreatmentMember.class, hex) == null) em.persist(new TreatmentMember(hex, a.getUsername(), kappa0Hex));
    }
    em.flush();
  }

  /**
   * A member change: finds this portal's family members whom the patient added (named in her
   * change by their key blinded with the consent id, docs/protocol.md §Key epochs) and remembers
   * their ind_x', so the invitation and the treatment's later events reach them. One point
   * multiplication per local family account, only when a recipient is not already known.
   */
  private void recogniseAdded(EventPayload p, String kappa0Hex) {
    boolean unknown = false;
    for (long r : p.recipients()) unknown |= localAccount(r).isEmpty();
    if (!unknown) return;
    Optional<LedgerRecord> change = ledger.getRecord(portal.get(), p.kappa());
    Optional<LedgerRecord> opening = ledger.getRecord(portal.get(), p.kappa0());
    if (change.isEmpty() || !(change.get() instanceof org.medledger.core.record.MemberChange mc)
        || opening.isEmpty() || !(opening.get() instanceof Txtc txtc)) return;
    java.util.Set<Long> addedFamily = new java.util.HashSet<>();
    for (Consent.Member m : mc.added()) if (m.role() == Role.FAMILY) addedFamily.add(m.index());
    if (addedFamily.isEmpty()) return;
    List<Account> family = em.createQuery("select a from Account a where a.role = :role"
        + " and (a.status is null or a.status = org.medledger.portal.infrastructure.persistence.AccountStatus.ACTIVE)",
        Account.class).setParameter("role", Role.FAMILY).getResultList();
    for (Account a : family) {
      long idx = ParticipantIndex.of(TreatmentIdentities.treatmentKey(a.getPublicKey(), txtc.consent()));
      if (!addedFamily.contains(idx)) continue;
      String hex = ParticipantIndex.hex(idx);
      if (em.find(TreatmentMember.class, hex) == null) em.persist(new TreatmentMember(hex, a.getUsername(), kappa0Hex));
    }
    em.flush();
  }

  /**
   * Gives up on {@code event} after its last failed attempt: the checkpoint moves past it (no
   * inbox rows are written for it) and the row keeps how many events were skipped and which
   * was the last, so an operator can find it in the ledger and in the log. {@code reason} is an
   * exception class name, never a message.
   */
  public void recordFailed(String subscriber, ChaincodeEvent event, String reason) {
    checkpoint(subscriber, event.blockNumber(), event.transactionId());
    CheckpointRow row = em.find(CheckpointRow.class, subscriber);
    row.setFailedEvents(row.getFailedEvents() + 1);
    row.setLastFailedTransactionId(event.transactionId());
    row.setLastFailedBlock(event.blockNumber());
    row.setLastFailedReason(reason.length() > 200 ? reason.substring(0, 200) : reason);
    row.setLastFailedAt(Instant.now());
  }

  public void checkpoint(String subscriber, long block, String txId) {
    CheckpointRow row = em.find(CheckpointRow.class, subscriber);
    if (row == null) {
      row = new CheckpointRow(subscriber);
      em.persist(row);
    }
    row.setBlockNumber(block);
    row.setTransactionId(txId);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public OptionalLong checkpointBlock(String subscriber) {
    CheckpointRow row = em.find(CheckpointRow.class, subscriber);
    return row == null || row.getBlockNumber() < 0 ? OptionalLong.empty() : OptionalLong.of(row.getBlockNumber());
  }

  /** How many events {@code subscriber} gave up on (recorded by {@link #recordFailed}). */
  @Transactional(Transactional.TxType.SUPPORTS)
  public long failedEvents(String subscriber) {
    CheckpointRow row = em.find(CheckpointRow.class, subscriber);
    return row == null ? 0 : row.getFailedEvents();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Optional<String> checkpointTransaction(String subscriber) {
    CheckpointRow row = em.find(CheckpointRow.class, subscriber);
    return row == null ? Optional.empty() : Optional.ofNullable(row.getTransactionId());
  }

  /**
   * The inbox without the viewer's key: each treatment named by its doctor (docs/portal.md
   * §Notifications). For counting and tests; the pages use {@link #items(Actor, int)}.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<Item> items(String username, int max) {
    Role viewer = role(username);
    return em.createNamedQuery("Inbox.forUser", InboxItem.class).setParameter("u", username).setMaxResults(max)
        .getResultStream().map(i -> item(i, notice(i.getRecordType(), i.getKappa0(), i.getRecordKappa(), viewer)
            .sentence(null))).toList();
  }

  /**
   * The inbox as {@code viewer} reads it: each sentence names its treatment by the heading of
   * the cover read with the viewer's own key ({@link TreatmentNames}), or by its doctor until
   * the viewer knows the cover.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<Item> items(Actor viewer, int max) {
    java.util.Map<String, Optional<String>> headings = new java.util.HashMap<>();
    return em.createNamedQuery("Inbox.forUser", InboxItem.class).setParameter("u", viewer.username()).setMaxResults(max)
        .getResultStream().map(i -> {
          Optional<String> heading = headings.computeIfAbsent(i.getKappa0(), k -> names.of(viewer, k));
          return item(i, notice(i.getRecordType(), i.getKappa0(), i.getRecordKappa(), viewer.role())
              .sentence(heading.orElse(null)));
        }).toList();
  }

  /**
   * The pop-up's sentence for a pushed update: the same as the inbox's, the treatment named by
   * what the user's own pages read before (nobody's key is at hand here). Sent to that user only.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public String sentence(InboxUpdated u) {
    return notice(u.recordType(), u.kappa0Hex(), u.recordKappaHex(), role(u.username()))
        .sentence(names.known(u.username(), u.kappa0Hex()).orElse(null));
  }

  private Role role(String username) {
    return em.createNamedQuery("Account.byUsername", Account.class).setParameter("u", username).getResultStream()
        .findFirst().map(Account::getRole).orElse(null);
  }

  /** Marks the items of one treatment read: the viewer opened it (the bell goes down). */
  public void markTreatmentRead(String username, String kappa0Hex) {
    em.createQuery("update InboxItem i set i.readAt = :t where i.username = :u and i.kappa0 = :k and i.readAt is null")
        .setParameter("u", username).setParameter("k", kappa0Hex).setParameter("t", Instant.now()).executeUpdate();
  }

  /** The notice of one record for a viewer of {@code viewer}'s role, per docs/portal.md §Notifications. */
  Notice notice(String recordType, String kappa0Hex, String recordKappaHex, Role viewer) {
    Facts f = recordKappaHex == null ? null : facts.get(recordKappaHex);
    if (f == null) {
      f = facts(kappa0Hex, recordKappaHex);
      if (f.doctor() != null && recordKappaHex != null) { // not kept while names are unknown
        if (facts.size() > MAX_FACTS) facts.clear();
        facts.put(recordKappaHex, f);
      }
    }
    return new Notice(Notice.Kind.of(recordType, f.cover()), viewer, f.doctor(), f.sender());
  }

  /**
   * Reads the treatment's opening and the record: the doctor's and the sender's names, and
   * whether the record is the doctor's txd number 0 — the cover, by the writing rule of
   * docs/protocol.md §Cover (text records start at 1), which needs nobody's key. UNKNOWN (not
   * kept) while the ledger is away: a sentence without names, not an error page.
   */
  private Facts facts(String kappa0Hex, String recordKappaHex) {
    try {
      Optional<Txtc> txtc = ledger.getRecord(portal.get(), Bytes.unhex(kappa0Hex)).filter(Txtc.class::isInstance)
          .map(Txtc.class::cast);
      if (txtc.isEmpty()) return Facts.UNKNOWN;
      String doctor = professional(txtc.get().consent().doctor(), null);
      Optional<LedgerRecord> r = recordKappaHex == null ? Optional.empty()
          : ledger.getRecord(portal.get(), Bytes.unhex(recordKappaHex));
      long who;
      boolean cover = false;
      if (r.isPresent() && r.get() instanceof org.medledger.core.record.Txtr tr) {
        who = tr.responder();
      } else if (r.isPresent() && r.get() instanceof ProcessRecord p) {
        who = p.sender();
        cover = Covers.isCoverCandidate(p, txtc.get().consent());
      } else if (r.isPresent() && r.get() instanceof org.medledger.core.record.AccessRecord a) {
        who = a.reader(); // who looked (application.access); an emergency doctor is no member
        String s = sender(who, txtc.get());
        return new Facts(doctor, s != null ? s : professional(who, "A doctor"), false);
      } else if (r.isPresent() && r.get() instanceof org.medledger.core.record.EmergencyRecord em) {
        return new Facts(doctor, professional(em.doctor(), "A doctor"), false);
      } else {
        return new Facts(doctor, null, false);
      }
      return new Facts(doctor, sender(who, txtc.get()), cover);
    } catch (RuntimeException e) {
      return Facts.UNKNOWN;
    }
  }

  /** The sender of a record: a professional by name, anyone else by role only. */
  private String sender(long who, Txtc txtc) {
    Role role = txtc.consent().roleOf(who);
    if (role == null) return null;
    String byRole = "The " + role.title().toLowerCase(java.util.Locale.ROOT);
    return role.pseudonymous() ? byRole : professional(who, byRole);
  }

  private String professional(long index, String fallback) {
    try {
      return directory.byIndex(index).map(DirectoryService.Participant::name).orElse(fallback);
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public long unread(String username) {
    return em.createNamedQuery("Inbox.unread", Long.class).setParameter("u", username).getSingleResult();
  }

  /** Treatments this account was invited to or opened, or added to later (κ0 of its txtc and member change events), newest first. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public List<String> treatments(String username) {
    return em.createNamedQuery("Inbox.treatments", InboxItem.class).setParameter("u", username).getResultStream()
        .map(InboxItem::getKappa0).distinct().toList();
  }

  public void markAllRead(String username) {
    em.createNamedQuery("Inbox.markRead").setParameter("u", username).setParameter("t", Instant.now()).executeUpdate();
  }

  private static Item item(InboxItem i, String title) {
    return new Item(i.getId(), i.getRecordType(), i.getKappa0(), i.getTransactionId(), i.getBlockNumber(),
        i.getReceivedAt(), i.getReadAt() == null, title);
  }
}
