package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.security.UserSession;

/** The treatment page (and the case file, with ledger evidence). */
@Named
@ViewScoped
public class TreatmentBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient TreatmentService treatments;
  @Inject UserSession session;

  private String k;
  private boolean evidence;
  private transient TreatmentService.TreatmentView view;
  private String refused;
  private String message;

  /** viewAction: loads the treatment; a non-member gets a message and nothing else. */
  public void load() {
    view = null;
    refused = null;
    try {
      TreatmentService.TreatmentView v = treatments.view(session.actor(), k, evidence);
      if (v.canBuildKey()) { // the doctor builds the key as soon as everyone has answered
        treatments.buildKey(session.actor(), k);
        v = treatments.view(session.actor(), k, evidence);
      }
      view = v;
    } catch (PortalException e) {
      refused = e.getMessage();
      Messages.error(e.getMessage());
    }
  }

  public void loadCaseFile() {
    evidence = true;
    load();
  }

  public void respond() {
    try {
      treatments.respond(session.actor(), k);
      Messages.info("You accepted the invitation.");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  public void buildKey() {
    try {
      treatments.buildKey(session.actor(), k);
      Messages.info("The treatment key is built.");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  public void write() {
    try {
      treatments.write(session.actor(), k, message);
      Messages.info("Your record is on the ledger.");
      message = null;
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  public void refresh() {
    load();
  }

  public TreatmentService.TreatmentView getView() {
    if (view == null && refused == null && k != null) load();
    return view;
  }

  public String getRefused() { return refused; }
  public String getK() { return k; }
  public void setK(String v) { k = v; }
  public String getMessage() { return message; }
  public void setMessage(String v) { message = v; }
}
