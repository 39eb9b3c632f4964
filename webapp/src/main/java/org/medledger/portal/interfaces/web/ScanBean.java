package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import java.io.IOException;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.security.UserSession;

/**
 * The doctor scans the patient's QR code (with the camera, whose reading camera-scan.js puts into
 * the text field, or as an uploaded picture) or pastes its text, and opens the treatment.
 */
@Named
@RequestScoped
public class ScanBean {
  @Inject TreatmentService treatments;
  @Inject UserSession session;

  private Part picture;
  private String code;

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
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    } catch (IOException e) {
      Messages.error("The picture could not be read.");
    }
    return null;
  }

  public Part getPicture() { return picture; }
  public void setPicture(Part v) { picture = v; }
  public String getCode() { return code; }
  public void setCode(String v) { code = v; }
}
