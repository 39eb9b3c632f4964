package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
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
  private String institution;
  private transient Part picture;
  private String scanned;
  /** The pages shown so far and where the next starts: "Show more" appends, a search restarts. */
  private List<DirectoryService.Participant> results;
  private DirectoryService.Cursor next;
  /** The search the results answer ("Show more" continues it even if the fields changed since). */
  private DirectoryService.Query shown;
  /** A card's text the camera on the page decoded (camera-scan.js), read by {@link #scan}. */
  private String cardText;

  public List<DirectoryService.Participant> getResults() {
    if (results == null) load(null);
    return results;
  }

  public boolean isMore() {
    getResults();
    return next != null;
  }

  public void search() {
    results = null;
    next = null;
    load(null);
  }

  public void more() {
    if (results == null || next == null) return;
    load(next);
  }

  private void load(DirectoryService.Cursor from) {
    List<DirectoryService.Participant> sofar = from == null || results == null ? new ArrayList<>() : new ArrayList<>(results);
    if (from == null) shown = new DirectoryService.Query(role, query, institution);
    try {
      DirectoryService.Page p = directory.page(shown, from);
      sofar.addAll(p.participants());
      next = p.next();
    } catch (PortalException e) {
      next = null;
      Messages.error(e.getMessage());
    }
    results = sofar;
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
      institution = null;
      search();
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
  public String getInstitution() { return institution; }
  public void setInstitution(String v) { institution = v; }
  public void setQuery(String v) { query = v; }
  public Part getPicture() { return picture; }
  public void setPicture(Part v) { picture = v; }
  public String getScanned() { return scanned; }
  public String getCardText() { return cardText; }
  public void setCardText(String v) { cardText = v; }
}
