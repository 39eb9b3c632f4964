package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import java.io.IOException;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.application.consent.ConsentAlreadyOpenedException;
import org.medledger.portal.application.consent.ConsentWithdrawnException;
import org.medledger.portal.security.UserSession;

/**
 * The doctor scans the patient's QR code (with the camera, whose reading camera-scan.js puts into
 * the text field, or as an uploaded picture) or pastes its text, and opens the treatment.
 */
@Named
@ViewScoped
public class ScanBean implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient TreatmentService treatments;
  @Inject UserSession session;
  @Inject TimeBean time;

  @Inject transient org.medledger.portal.application.cover.Covers covers;
  @Inject transient org.medledger.portal.infrastructure.qr.QrCodes qr;
  @Inject transient org.medledger.portal.application.consent.ConsentService consents;

  private transient Part picture;
  private String code;
  /** Who and what, shown after reading the code and before opening the treatment. */
  private org.medledger.portal.application.cover.ScanPreview preview;

  /**
   * Reads the picture or the pasted text and shows whose treatment it is; nothing is stored yet.
   * A code the patient withdrew is refused here already, and one that opened this doctor's
   * treatment before leads to it.
   */
  public String read() {
    try {
      String text = code;
      if (picture != null && picture.getSize() > 0) {
        try {
          text = qr.decode(UploadLimits.read(picture));
        } catch (org.medledger.portal.infrastructure.qr.QrCodes.UnreadableException e) {
          throw new PortalException(e.getMessage());
        }
      }
      preview = covers.preview(session.actor(), text);
      code = text.trim(); // the form carries the code to "Open the treatment"
      consents.checkUnused(session.actor(), TreatmentService.parseConsent(code));
    } catch (ConsentAlreadyOpenedException e) {
      return toTreatment(e);
    } catch (ConsentWithdrawnException e) {
      preview = null;
      Messages.error(e.sentence(time::format));
    } catch (PortalException e) {
      preview = null;
      Messages.error(e.getMessage());
    } catch (IOException e) {
      Messages.error("The picture could not be read.");
    }
    return null;
  }

  public String open() {
    try {
      String k;
      if (picture != null && picture.getSize() > 0) {
        k = treatments.openFromImage(session.actor(), UploadLimits.read(picture));
      } else {
        k = treatments.open(session.actor(), code);
      }
      Messages.info("Treatment opened; the participants have been invited.");
      Messages.keep();
      return "/app/treatment?faces-redirect=true&k=" + k;
    } catch (ConsentAlreadyOpenedException e) {
      return toTreatment(e);
    } catch (ConsentWithdrawnException e) {
      Messages.error(e.sentence(time::format));
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    } catch (IOException e) {
      Messages.error("The picture could not be read.");
    }
    return null;
  }

  private static String toTreatment(ConsentAlreadyOpenedException e) {
    Messages.info(e.getMessage());
    Messages.keep();
    return "/app/treatment?faces-redirect=true&k=" + e.kappa0Hex();
  }

  public org.medledger.portal.application.cover.ScanPreview getPreview() { return preview; }
  public Part getPicture() { return picture; }
  public void setPicture(Part v) { picture = v; }
  public String getCode() { return code; }
  public void setCode(String v) { code = v; }
}
