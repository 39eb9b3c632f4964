package org.medledger.portal.interfaces.web;

import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.casefile.CaseFile;
import org.medledger.portal.application.casefile.CaseFileService;
import org.medledger.portal.security.UserSession;

/** The case file page: the {@link CaseFile} the PDF download renders too, shown and printable. */
@Named
@ViewScoped
public class CaseFileBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient CaseFileService caseFiles;
  @Inject transient InboxService inbox;
  @Inject transient LayoutBean layout;
  @Inject transient org.medledger.portal.application.access.AccessLogService accessLog;
  @Inject UserSession session;

  private static final java.time.format.DateTimeFormatter BORN =
      java.time.format.DateTimeFormatter.ofPattern("d MMMM yyyy", java.util.Locale.ENGLISH);

  private String k;
  private transient CaseFile file;
  private String refused;

  /** viewAction: a member gets the case file; anyone else a message and nothing of the treatment. */
  public void load() {
    file = null;
    refused = null;
    try {
      HttpServletRequest req = (HttpServletRequest) FacesContext.getCurrentInstance().getExternalContext().getRequest();
      CaseFile made = caseFiles.caseFile(session.actor(), k, Attachments.zoneOf(req));
      // Shown only once the ledger holds the opening (the patient's access log).
      accessLog.record(session.actor(), made.kappa0Hex(), org.medledger.core.protocol.AccessLog.What.CASE_FILE_PAGE, "");
      file = made;
      // Reading the whole treatment reads its notifications, as opening its page does.
      inbox.markTreatmentRead(session.getUsername(), file.kappa0Hex());
      layout.reset();
    } catch (PortalException e) {
      refused = e.getMessage();
      Messages.error(e.getMessage());
    }
  }

  public CaseFile getFile() {
    return file;
  }

  /** ", born 29 February 1980" when the treatment names the patient's birth date, else empty. */
  public String getBornText() {
    return file == null ? "" : file.patientBirthDate().map(d -> ", born " + BORN.format(d)).orElse("");
  }

  public String getRefused() { return refused; }
  public String getK() { return k; }
  public void setK(String v) { k = v; }
}
