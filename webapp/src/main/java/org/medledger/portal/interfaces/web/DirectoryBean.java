package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.medledger.core.record.Role;
import org.medledger.portal.application.Card;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.infrastructure.qr.QrCodes;

@Named
@ViewScoped
public class DirectoryBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient DirectoryService directory;
  @Inject transient QrCodes qr;

  private Role role;
  private String query;
  private transient Part picture;
  private String scanned;
  private String cardText;
  private transient List<DirectoryService.Participant> results;

  public List<DirectoryService.Participant> getResults() {
    if (results == null) results = directory.search(role, query);
    return results;
  }

  public void search() {
    results = null;
  }

  /**
   * Reads a participant card: from the uploaded picture, or else from the card's text, which the
   * camera on the page decoded (camera-scan.js); both then take the same checks and messages.
   */
  public void scan() {
    scanned = null;
    String fromCamera = cardText;
    cardText = null; // a later upload must not meet an old reading
    try {
      String text;
      if (picture != null && picture.getSize() > 0) {
        try {
          text = qr.decode(UploadLimits.read(picture));
        } catch (QrCodes.UnreadableException e) {
          throw new PortalException(e.getMessage());
        }
      } else if (fromCamera != null && !fromCamera.isBlank()) {
        text = fromCamera;
      } else {
        throw new PortalException("Please choose a picture of a participant card.");
      }
      Card c = Card.parse(text);
      scanned = c.role().title() + " " + org.medledger.core.record.ParticipantIndex.hex(c.index())
          + directory.byIndex(c.index()).map(p -> ": " + p.name() + ", " + p.institution()).orElse(" (not in the directory)");
      query = org.medledger.core.record.ParticipantIndex.hex(c.index());
      results = null;
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    } catch (IOException e) {
      Messages.error("The picture could not be read.");
    }
  }

  public Role[] getRoles() { return new Role[] {Role.DOCTOR, Role.PHARMACIST, Role.INSURER, Role.LAWYER}; }
  public Role getRole() { return role; }
  public void setRole(Role v) { role = v; }
  public String getQuery() { return query; }
  public void setQuery(String v) { query = v; }
  public Part getPicture() { return picture; }
  public void setPicture(Part v) { picture = v; }
  public String getScanned() { return scanned; }
  public String getCardText() { return cardText; }
  public void setCardText(String v) { cardText = v; }
}
