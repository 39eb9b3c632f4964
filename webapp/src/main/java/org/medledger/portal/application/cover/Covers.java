package org.medledger.portal.application.cover;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.P256;
import org.medledger.core.protocol.CoverSeal;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.protocol.epoch.KeyRing;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Cover;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.access.TreatmentOnLedger;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.infrastructure.crypto.SiffService;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.persistence.SealedCoverRepository;

/**
 * People, not hashes (issue 13): a treatment's cover — its title, the patient's name and birth
 * date, the family members' names — for its members and nobody else (docs/protocol.md §Cover).
 * The patient's portal seals it beside her consent and keeps her copy; the doctor's portal opens
 * it when the code is scanned, keeps it until the treatment's key exists, then writes it as the
 * doctor's txd number 0, which every member opens with the treatment key. This service is the
 * one place that seals, opens, writes and reads covers and names the pseudonymous members.
 */
@ApplicationScoped
public class Covers {
  private static final Logger LOG = Logger.getLogger(Covers.class.getName());
  /** The cover's sequence number among the doctor's txd; text records start at 1. */
  public static final int SEQUENCE = 0;

  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject SealedCoverRepository store;
  @Inject SiffService siff;
  @Inject DirectoryService directory;
  @Inject TreatmentService treatments;
  @Inject org.medledger.portal.infrastructure.fhir.FhirResources fhir;

  /** What a reader found: the cover (or null) and, when it is on the ledger, its record. */
  public record Found(TreatmentCover cover, ProcessRecord record) {
    static final Found NONE = new Found(null, null);
  }

  // ---------------------------------------------------------------- the patient

  /**
   * Seals the patient's cover for the consent's doctor, keeps her copy, and returns the QR
   * code's text with it.
   *
   * @param familyKeys the family members' long-term keys, in the order of {@code request.familyNames()}
   */
  public String seal(Actor patient, Consent consent, List<byte[]> familyKeys, CoverRequest request, String consentText) {
    Cover cover = cover(consent, familyKeys, request);
    EcKeyPair skP = TreatmentIdentities.memberKeys(patient.secret(), Role.PATIENT, consent);
    byte[] box = CoverSeal.seal(skP, doctorKey(consent.doctor()), consent, cover);
    store.save(id(consent, consent.patientIndex()), box);
    return ConsentCode.withCover(consentText, box);
  }

  /**
   * The cover as the patient just gave it, for the summary shown with her new consent (her
   * family members by the names she typed). Refuses what {@link #seal} refuses.
   */
  public static TreatmentCover given(Consent consent, List<byte[]> familyKeys, CoverRequest request) {
    return TreatmentCover.of(cover(consent, familyKeys, request), false);
  }

  /** The cover from the page's fields, each refusal naming its field. */
  static Cover cover(Consent consent, List<byte[]> familyKeys, CoverRequest r) {
    String title = r.title() == null ? "" : r.title().strip();
    String name = r.patientName() == null ? "" : r.patientName().strip();
    if (title.isEmpty()) throw new PortalException("Reason for the visit is required.");
    if (name.isEmpty()) throw new PortalException("Your name is required.");
    if (r.birthDate() != null && r.birthDate().isAfter(LocalDate.now())) {
      throw new PortalException("Birth date lies in the future.");
    }
    List<String> names = r.familyNames().stream().map(s -> s == null ? "" : s.strip()).filter(s -> !s.isEmpty()).toList();
    if (names.size() != familyKeys.size()) {
      throw new PortalException("Family members' names: please give one name per family member, one per line in the order "
          + "of their cards (" + familyKeys.size() + " card" + (familyKeys.size() == 1 ? "" : "s") + ", " + names.size()
          + " name" + (names.size() == 1 ? "" : "s") + ").");
    }
    Map<Long, String> family = new LinkedHashMap<>();
    for (int i = 0; i < familyKeys.size(); i++) {
      family.put(ParticipantIndex.of(TreatmentIdentities.treatmentKey(familyKeys.get(i), consent)), names.get(i));
    }
    try {
      return new Cover(title, name, r.birthDate(), family);
    } catch (IllegalArgumentException e) {
      throw new PortalException(fieldMessage(e.getMessage()));
    }
  }

  /** "title is 130 bytes long; the limit is 120" → "Reason for the visit is 130 bytes long; …". */
  private static String fieldMessage(String m) {
    String s = m.replaceFirst("^title", "Reason for the visit").replaceFirst("^patient's name", "Your name")
        .replaceFirst("^family member's name", "A family member's name").replaceFirst("^birth date", "Birth date")
        .replaceFirst("^family names", "The family");
    return s.endsWith(".") ? s : s + ".";
  }

  // ---------------------------------------------------------------- the doctor

  /**
   * Before the doctor opens a treatment: checks the code is a consent for this doctor and says
   * who and what it is about. Nothing is stored.
   */
  public ScanPreview preview(Actor doctor, String text) {
    if (doctor.role() != Role.DOCTOR) throw new PortalException("Only a doctor opens a treatment.");
    Consent c = TreatmentService.parseConsent(text);
    if (c.doctor() != doctor.index()) {
      throw new PortalException("This consent names another doctor (" + ParticipantIndex.hex(c.doctor())
          + "); only that doctor can open it.");
    }
    if (!TreatmentProtocol.consentValid(c)) throw new PortalException("The consent cannot be used: the patient's signature is not valid.");
    TreatmentCover cover = ConsentCode.coverPart(text).flatMap(box -> openAsDoctor(doctor, c, box)).orElse(null);
    List<String> who = new ArrayList<>();
    for (Consent.Member m : c.members()) {
      String name = m.role().pseudonymous() ? pseudonymName(m.index(), m.role(), cover)
          : professional(m.index()).orElse(ParticipantIndex.hex(m.index()));
      if (m.role() == Role.DOCTOR) name = name + " (you)";
      who.add(name + " (" + m.role().title().toLowerCase(Locale.ROOT) + ")");
    }
    return new ScanPreview(cover, who);
  }

  /** After the doctor opened the treatment: keeps the cover until it can be written. Never throws. */
  public void received(Actor doctor, String text) {
    try {
      Consent c = TreatmentService.parseConsent(text);
      Optional<byte[]> box = ConsentCode.coverPart(text);
      if (box.isPresent() && openAsDoctor(doctor, c, box.get()).isPresent()) store.save(id(c, doctor.index()), box.get());
    } catch (RuntimeException e) {
      LOG.warning(() -> "The treatment's cover could not be kept (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Writes the doctor's kept cover as the treatment's txd number 0 once the key exists (called
   * right after the key is built, and before the doctor's first text record so the cover comes
   * first). Does nothing when there is no kept cover, the key is not ready, or the cover is on
   * the ledger already. Never throws: the cover can be written at the next occasion.
   */
  public void writePending(Actor doctor, String kappa0Hex) {
    try {
      Optional<LedgerRecord> first = ledger.getRecord(portal.get(), Bytes.unhex(kappa0Hex));
      if (first.isEmpty() || !(first.get() instanceof Txtc txtc) || txtc.consent().doctor() != doctor.index()) return;
      Consent c = txtc.consent();
      String id = id(c, doctor.index());
      Optional<byte[]> box = store.find(id);
      if (box.isEmpty()) return;
      if (doctorsCoverOnLedger(kappa0Hex, c)) {
        store.drop(id);
        return;
      }
      Optional<TreatmentCover> cover = openAsDoctor(doctor, c, box.get());
      if (cover.isEmpty()) {
        store.drop(id);
        return;
      }
      Cover plain = new Cover(cover.get().title(), cover.get().patientName(), cover.get().birthDate(), cover.get().family());
      // On the ledger the cover is FHIR (a Bundle of Patient, EpisodeOfCare and RelatedPerson),
      // validated before it is encrypted; the QR code keeps the compact cover record.
      byte[] message;
      try {
        message = RecordCodec.encodeContent(fhir.cover(plain));
      } catch (org.medledger.portal.application.fhir.InvalidRecordException e) {
        // a cover the validator refuses is still the treatment's cover: written as a cover record,
        // which every reader reads too (never expected; the cover's own rules are stricter)
        LOG.warning(() -> "Treatment " + kappa0Hex.substring(0, 12) + ": the cover's FHIR form was refused; written as a cover record");
        message = RecordCodec.encodeCover(plain);
      }
      if (treatments.writeCover(doctor, kappa0Hex, message)) {
        store.drop(id);
        LOG.info(() -> "Treatment " + kappa0Hex.substring(0, 12) + ": its cover is on the ledger");
      }
    } catch (RuntimeException e) {
      LOG.warning(() -> "Treatment " + kappa0Hex.substring(0, Math.min(12, kappa0Hex.length()))
          + ": the cover could not be written now (" + e.getClass().getSimpleName() + ")");
    }
  }

  private boolean doctorsCoverOnLedger(String kappa0Hex, Consent c) {
    for (MedLedgerClient.TreatmentEntry e : ledger.treatment(portal.get(), Bytes.unhex(kappa0Hex))) {
      if (e.type() != RecordType.TXD) continue;
      Optional<LedgerRecord> r = ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex()));
      if (r.isPresent() && r.get() instanceof ProcessRecord p && p.sender() == c.doctor() && p.sequence() == SEQUENCE) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- every member

  /**
   * The cover of a treatment for {@code x}, or empty when {@code x} is not one of its members or
   * nobody wrote one. For the case file and any page that names a treatment.
   */
  public Optional<TreatmentCover> of(Actor x, String kappa0Hex) {
    try {
      byte[] k0 = Bytes.unhex(kappa0Hex);
      Optional<LedgerRecord> first = ledger.getRecord(portal.get(), k0);
      if (first.isEmpty() || !(first.get() instanceof Txtc txtc)) return Optional.empty();
      long me = TreatmentService.memberIndex(x, txtc.consent());
      List<MedLedgerClient.TreatmentEntry> entries = ledger.treatment(portal.get(), k0);
      if (entries.stream().anyMatch(e -> e.type() == RecordType.KEY_EPOCH)) {
        // Members changed: whoever takes or took part reads it with the keys of her epochs.
        TreatmentOnLedger t = TreatmentOnLedger.read(ledger, portal.get(), kappa0Hex);
        if (t.chain().everRole(me) == null || t.tag0().isEmpty()) return Optional.empty();
        try (KeyRing ring = KeyRing.of(x.secret(), k0, t.tag0().get(), t.chain().records())) {
          return Optional.ofNullable(find(x, txtc, me, firstTxds(entries), ring).cover());
        }
      }
      if (txtc.consent().roleOf(me) == null) return Optional.empty();
      return Optional.ofNullable(find(x, txtc, me, firstTxds(entries)).cover());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The reading rule (docs/protocol.md §Cover): the doctor's txd with sequence number 0, if its
   * message is a cover (its FHIR form, or the cover record that covers written before carry), opened with the treatment key; before it exists, the patient's
   * or the doctor's own sealed copy.
   *
   * @param me {@code x}'s index in the treatment
   * @param process the treatment's process records in ledger order
   */
  public Found find(Actor x, Txtc txtc, long me, List<ProcessRecord> process) {
    return find(x, txtc, me, process, null);
  }

  /**
   * As {@link #find(Actor, Txtc, long, List)}, reading with {@code ring} (the member's keys of the
   * treatment's key epochs, docs/protocol.md §Key epochs) when given: a member added later opens
   * the cover, written under the first key, through the key wrapped for her epoch.
   */
  public Found find(Actor x, Txtc txtc, long me, List<ProcessRecord> process, KeyRing ring) {
    Consent c = txtc.consent();
    for (ProcessRecord p : process) {
      if (!isCoverCandidate(p, c)) continue;
      try {
        byte[] msg = ring != null ? ring.read(p) : siff.open(x.secret(), p);
        if (RecordCodec.looksLikeCover(msg)) return new Found(TreatmentCover.of(RecordCodec.parseCover(msg), true), p);
        if (RecordCodec.looksLikeContent(msg)) {
          Optional<Cover> fromFhir = fhir.coverOf(RecordCodec.readContent(msg));
          if (fromFhir.isPresent()) return new Found(TreatmentCover.of(fromFhir.get(), true), p);
        }
      } catch (CryptoException | IllegalArgumentException e) {
        // not readable by x (left out) or not a cover: the copies below, if any
      }
      break;
    }
    try {
      if (me == c.patientIndex() && x.role() == Role.PATIENT) {
        Optional<byte[]> box = store.find(id(c, me));
        if (box.isPresent()) {
          EcKeyPair skP = TreatmentIdentities.memberKeys(x.secret(), Role.PATIENT, c);
          return new Found(TreatmentCover.of(CoverSeal.openAsPatient(skP, doctorKey(c.doctor()), c, box.get()), false), null);
        }
      } else if (me == c.doctor() && x.role() == Role.DOCTOR) {
        Optional<byte[]> box = store.find(id(c, me));
        if (box.isPresent()) return new Found(openAsDoctor(x, c, box.get()).orElse(null), null);
      }
    } catch (CryptoException | IllegalArgumentException e) {
      LOG.fine("A kept cover does not open");
    }
    return Found.NONE;
  }

  private List<ProcessRecord> firstTxds(List<MedLedgerClient.TreatmentEntry> entries) {
    List<ProcessRecord> process = new ArrayList<>();
    for (MedLedgerClient.TreatmentEntry e : entries) {
      if (e.type() != RecordType.TXD) continue;
      ledger.getRecord(portal.get(), Bytes.unhex(e.kappaHex())).filter(ProcessRecord.class::isInstance)
          .map(ProcessRecord.class::cast).ifPresent(process::add);
      break; // the cover is the doctor's first txd or nothing (isCoverCandidate)
    }
    return process;
  }

  /** The doctor's txd number 0: the only record that can carry the cover. */
  public static boolean isCoverCandidate(ProcessRecord p, Consent c) {
    return p.type() == RecordType.TXD && p.sender() == c.doctor() && p.sequence() == SEQUENCE;
  }

  /**
   * How the pages name a patient or family member: by the name in the cover, else by role
   * only ("The patient", "A family member"), never by a hex index.
   */
  public static String pseudonymName(long index, Role role, TreatmentCover cover) {
    if (role == Role.PATIENT) return cover != null ? cover.patientName() : "The patient";
    String n = cover == null ? null : cover.familyName(index);
    return n != null ? n : "A family member";
  }

  /** A professional as the directory (their certificate) names them: "Dr. Claire Dubois, St. Mary's Hospital". */
  public Optional<String> professional(long index) {
    return directory.byIndex(index).map(p -> p.name() + ", " + p.institution());
  }

  // ---------------------------------------------------------------- internals

  private Optional<TreatmentCover> openAsDoctor(Actor doctor, Consent c, byte[] box) {
    try {
      return Optional.of(TreatmentCover.of(CoverSeal.openAsDoctor(doctor.secret().signingKeyPair(), c, box), false));
    } catch (CryptoException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** vk_d from the doctor's registration (their certificate's key). */
  private byte[] doctorKey(long doctorIndex) {
    var reg = ledger.participant(portal.get(), doctorIndex)
        .orElseThrow(() -> new PortalException("The doctor " + ParticipantIndex.hex(doctorIndex) + " is not registered."));
    try {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(reg.certificateDer()));
      return P256.encodeCompressed(P256.fromJcaPublicKey(cert.getPublicKey()));
    } catch (CertificateException e) {
      throw new PortalException("The doctor's registration cannot be read.");
    }
  }

  /** The kept copy's row: consent id and the holder's index in the treatment. */
  static String id(Consent c, long holder) {
    return Bytes.hex(c.consentId()) + "/" + ParticipantIndex.hex(holder);
  }
}
