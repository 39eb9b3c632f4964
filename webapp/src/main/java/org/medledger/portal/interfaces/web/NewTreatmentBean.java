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
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.infrastructure.qr.QrCodes;
import org.medledger.portal.security.UserSession;

/** The patient chooses the participants and gets the QR code for the doctor. */
@Named
@ViewScoped
public class NewTreatmentBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient DirectoryService directory;
  @Inject transient TreatmentService treatments;
  @Inject transient QrCodes qr;
  @Inject UserSession session;

  private String doctor;
  private List<String> pharmacists = new ArrayList<>();
  private List<String> insurers = new ArrayList<>();
  private List<String> lawyers = new ArrayList<>();
  private String familyCards = "";
  private transient Part familyPicture;
  private TreatmentService.ConsentView consent;
  private transient List<DirectoryService.Participant> all;

  private List<DirectoryService.Participant> of(Role r) {
    if (all == null) all = directory.all();
    return all.stream().filter(p -> p.role() == r).toList();
  }

  public List<DirectoryService.Participant> getDoctors() { return of(Role.DOCTOR); }
  public List<DirectoryService.Participant> getPharmacistList() { return of(Role.PHARMACIST); }
  public List<DirectoryService.Participant> getInsurerList() { return of(Role.INSURER); }
  public List<DirectoryService.Participant> getLawyerList() { return of(Role.LAWYER); }

  /** Adds a family member's card from a picture of its QR code. */
  public void addFamilyPicture() {
    try {
      if (familyPicture == null) throw new PortalException("Please choose a picture of the family member's card.");
      String text;
      try {
        text = qr.decode(UploadLimits.read(familyPicture));
      } catch (QrCodes.UnreadableException e) {
        throw new PortalException(e.getMessage());
      }
      Card c = Card.parse(text);
      if (c.role() != Role.FAMILY) throw new PortalException("This card belongs to a " + c.role().title().toLowerCase() + ", not a family member.");
      familyCards = (familyCards == null || familyCards.isBlank() ? "" : familyCards.strip() + "\n") + c.text();
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    } catch (IOException e) {
      Messages.error("The picture could not be read.");
    }
  }

  public void create() {
    // Checked here, not with required="true": the same form's "Add from card picture" needs no doctor.
    if (doctor == null || doctor.isBlank()) {
      Messages.field("newForm:doctor", "Doctor is required.");
      return;
    }
    try {
      consent = treatments.consent(session.actor(), familyCards, doctor, pharmacists, insurers, lawyers);
    } catch (PortalException e) {
      consent = null;
      Messages.error(e.getMessage());
    }
  }

  public void reset() {
    consent = null;
  }

  public String getDoctor() { return doctor; }
  public void setDoctor(String v) { doctor = v; }
  public List<String> getPharmacists() { return pharmacists; }
  public void setPharmacists(List<String> v) { pharmacists = v; }
  public List<String> getInsurers() { return insurers; }
  public void setInsurers(List<String> v) { insurers = v; }
  public List<String> getLawyers() { return lawyers; }
  public void setLawyers(List<String> v) { lawyers = v; }
  public String getFamilyCards() { return familyCards; }
  public void setFamilyCards(String v) { familyCards = v; }
  public Part getFamilyPicture() { return familyPicture; }
  public void setFamilyPicture(Part v) { familyPicture = v; }
  public TreatmentService.ConsentView getConsent() { return consent; }
}
