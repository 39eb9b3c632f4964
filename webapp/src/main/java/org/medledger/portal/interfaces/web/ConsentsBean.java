package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import org.medledger.core.record.Role;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.consent.ConsentService;
import org.medledger.portal.security.UserSession;

/** The patient's consents that wait for a doctor's scan, on her dashboard: show the QR code again, or withdraw. */
@Named
@RequestScoped
public class ConsentsBean {
  @Inject ConsentService consents;
  @Inject UserSession session;
  @Inject TimeBean time;

  private List<ConsentService.Waiting> waiting;

  public List<ConsentService.Waiting> getWaiting() {
    if (waiting == null) {
      waiting = session.actor().role() == Role.PATIENT ? consents.waiting(session.actor()) : List.of();
    }
    return waiting;
  }

  /** "Waiting for Dr. Claire Dubois to scan — made 2 Dec 2026, 14:05". */
  public String line(ConsentService.Waiting w) {
    return "Waiting for " + w.doctorName() + " to scan — made " + time.format(w.madeAt());
  }

  public void withdraw(String consentIdHex) {
    try {
      consents.withdraw(session.actor(), consentIdHex);
      Messages.info("Consent withdrawn. No doctor can open a treatment with that QR code any more.");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    waiting = null;
  }
}
