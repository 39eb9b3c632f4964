package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.emergency.EmergencyService;
import org.medledger.portal.security.UserSession;

/** The emergency access page: a doctor who is not a member opens a treatment after saying why. */
@Named
@ViewScoped
public class EmergencyBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient EmergencyService emergency;
  @Inject UserSession session;

  private String k;
  private int reason;
  private transient EmergencyService.EmergencyView view;

  /** Writes the justification (everyone in the treatment is told), then shows the records. */
  public void breakGlass() {
    view = null;
    try {
      view = emergency.breakGlass(session.actor(), k == null ? null : k.trim(), reason);
      Messages.info("Everyone in this treatment has been told that you opened it in an emergency.");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
  }

  public List<EmergencyService.ReasonChoice> getReasons() {
    return EmergencyService.reasons();
  }

  public boolean isDoctor() {
    return session.actor().role() == org.medledger.core.record.Role.DOCTOR;
  }

  public EmergencyService.EmergencyView getView() { return view; }
  public String getK() { return k; }
  public void setK(String v) { k = v; }
  public int getReason() { return reason; }
  public void setReason(int v) { reason = v; }
}
