package org.medledger.portal.application.consent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Withdrawal;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.persistence.PatientConsent;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * A consent's life (issue 13, docs/portal.md §Consents): the patient's portal remembers the
 * consents she made; until a doctor opens a treatment with one she can show it again or withdraw
 * it. The withdrawal goes on the ledger (record 0x0B, rule R4), so it binds the doctor whatever
 * portal they scan with. For the doctor's scan it answers what became of the consent already:
 * their own treatment (opened again, not written twice) or the patient's withdrawal.
 */
@ApplicationScoped
@Transactional
public class ConsentService {
  private static final Logger LOG = Logger.getLogger(ConsentService.class.getName());

  @PersistenceContext(unitName = "medledger")
  EntityManager em;

  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject AccountService accounts;
  @Inject DirectoryService directory;
  @Inject QrCodes qr;

  /** A consent no doctor has opened yet, as its patient sees it. */
  public record Waiting(String consentIdHex, String doctorName, Instant madeAt, String text, String qrDataUri) {}

  /** Remembers a consent {@code patient} just made, with the QR text she was given. */
  public void made(Actor patient, Consent consent, String text) {
    em.persist(new PatientConsent(Bytes.hex(consent.consentId()), patient.username(), ParticipantIndex.hex(consent.doctor()),
        RecordCodec.encodeConsent(consent), text, Instant.now()));
  }

  /**
   * The patient's consents that no doctor has opened and she has not withdrawn, newest first.
   * Asks the ledger about each (a doctor on any portal may have scanned it meanwhile) and
   * remembers the answer, so an opened or withdrawn consent is asked about once.
   */
  public List<Waiting> waiting(Actor patient) {
    List<Waiting> out = new ArrayList<>();
    for (PatientConsent row : em.createNamedQuery("PatientConsent.ofUser", PatientConsent.class)
        .setParameter("u", patient.username()).getResultList()) {
      if (row.getKappa0() != null || row.getWithdrawnAt() != null) continue;
      Consent c = RecordCodec.parseConsent(row.getConsent());
      MedLedgerClient.ConsentUse use;
      try {
        use = ledger.byConsent(portal.get(), c.consentId());
      } catch (LedgerException e) {
        use = null; // the ledger is away: show it as waiting, as it was
      }
      if (use != null && settle(row, c, use)) continue;
      out.add(new Waiting(row.getConsentId(), doctorName(c.doctor()), row.getMadeAt(), row.getText(),
          qr.dataUri(row.getText(), 360)));
    }
    return out;
  }

  /**
   * Withdraws a consent of {@code patient}'s that no doctor opened yet: signs the withdrawal with
   * her key of that consent and stores it under her per-treatment identity. Withdrawing again is
   * fine; a consent a doctor used already is refused, naming the doctor.
   */
  public void withdraw(Actor patient, String consentIdHex) {
    PatientConsent row = consentIdHex == null ? null : em.find(PatientConsent.class, consentIdHex.trim());
    if (row == null || !row.getUsername().equals(patient.username())) {
      throw new PortalException("You have no such consent.");
    }
    Consent c = RecordCodec.parseConsent(row.getConsent());
    if (row.getKappa0() != null) throw opened(c);
    if (row.getWithdrawnAt() != null) return;
    Withdrawal w = accounts.withdrawal(patient, c);
    try {
      ledger.store(accounts.treatmentIdentity(patient, c), w);
    } catch (LedgerException e) {
      // A doctor may have opened it a moment ago (R4 refuses the withdrawal then).
      MedLedgerClient.ConsentUse use = ledger.byConsent(portal.get(), c.consentId());
      if (settle(row, c, use) && row.getWithdrawnAt() != null) return;
      if (row.getKappa0() != null) throw opened(c);
      throw new PortalException(e.kind() == LedgerException.Kind.REJECTED
          ? "The consent could not be withdrawn: " + e.getMessage()
          : "The ledger is not available right now; please try again.", e);
    }
    MedLedgerClient.ConsentUse use = ledger.byConsent(portal.get(), c.consentId());
    row.setWithdrawnAt(use.withdrawnBy(c.patientKey()).map(x -> Instant.ofEpochMilli(x.timeMillis())).orElse(Instant.now()));
    LOG.info(() -> "A consent of " + patient.username() + " was withdrawn");
  }

  /**
   * Before the doctor's scan writes anything: what became of this consent. Throws
   * {@link ConsentAlreadyOpenedException} if it opened this doctor's treatment already,
   * {@link ConsentWithdrawnException} if the patient withdrew it, a plain refusal if it opened
   * another doctor's treatment; returns normally if it is unused.
   */
  public void checkUnused(Actor doctor, Consent consent) {
    MedLedgerClient.ConsentUse use;
    try {
      use = ledger.byConsent(portal.get(), consent.consentId());
    } catch (LedgerException e) {
      return; // the txtc itself will say what the ledger thinks
    }
    if (use.treatment().isPresent()) {
      String k0 = use.treatment().get();
      Optional<LedgerRecord> txtc = ledger.getRecord(portal.get(), Bytes.unhex(k0));
      if (txtc.isPresent() && txtc.get() instanceof Txtc t && t.consent().doctor() == doctor.index()) {
        throw new ConsentAlreadyOpenedException(k0);
      }
      throw new PortalException("This QR code was already used to open a treatment with another doctor. "
          + "Ask the patient for a new one.");
    }
    Optional<MedLedgerClient.ConsentWithdrawn> w = use.withdrawnBy(consent.patientKey());
    if (w.isPresent()) throw new ConsentWithdrawnException(Instant.ofEpochMilli(w.get().timeMillis()));
  }

  /**
   * After the ledger refused the doctor's scan or could not take it: if the reason is that the
   * consent was used or withdrawn meanwhile (a second scan at the same moment, the patient's
   * withdrawal in the same block), says so as {@link #checkUnused} does; otherwise rethrows.
   */
  public void explainRefusal(Actor doctor, Consent consent, PortalException refusal) {
    checkUnused(doctor, consent);
    throw refusal;
  }

  /** Records what the ledger says; true when the consent is no longer waiting. */
  private boolean settle(PatientConsent row, Consent c, MedLedgerClient.ConsentUse use) {
    if (use.treatment().isPresent()) {
      row.setKappa0(use.treatment().get());
      return true;
    }
    Optional<MedLedgerClient.ConsentWithdrawn> w = use.withdrawnBy(c.patientKey());
    if (w.isPresent()) {
      row.setWithdrawnAt(Instant.ofEpochMilli(w.get().timeMillis()));
      return true;
    }
    return false;
  }

  private PortalException opened(Consent c) {
    return new PortalException(doctorName(c.doctor()) + " has already opened a treatment with this consent; "
        + "it can no longer be withdrawn.");
  }

  private String doctorName(long index) {
    return directory.byIndex(index).map(DirectoryService.Participant::name).orElse("Your doctor");
  }
}
