package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  /** The cover (docs/protocol.md §Cover): what the treatment is about and whose it is. */
  private String title;
  private String patientName;
  private java.time.LocalDate birthDate;
  private String familyNames = "";
  private transient Part familyPicture;
  private TreatmentService.ConsentView consent;
  /**
   * What each picker offers: the first page of professionals of that role whose name (or
   * number) starts with the "find" text, plus whoever is already chosen, so a choice survives a
   * new search. Never the whole directory.
   */
  private final EnumMap<Role, List<DirectoryService.Participant>> offered = new EnumMap<>(Role.class);
  private final EnumSet<Role> cut = EnumSet.noneOf(Role.class);
  private String find;

  private List<DirectoryService.Participant> of(Role r) {
    if (!offered.containsKey(r)) offer(r, List.of());
    return offered.get(r);
  }

  private void offer(Role r, List<String> chosen) {
    Map<String, DirectoryService.Participant> out = new LinkedHashMap<>();
    for (DirectoryService.Participant p : offered.getOrDefault(r, List.of())) {
      if (chosen.contains(p.indexHex())) out.put(p.indexHex(), p);
    }
    try {
      DirectoryService.Page page = directory.page(new DirectoryService.Query(r, find, ""), null);
      for (DirectoryService.Participant p : page.participants()) out.putIfAbsent(p.indexHex(), p);
      if (page.next() != null) cut.add(r); else cut.remove(r);
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    offered.put(r, new ArrayList<>(out.values()));
  }

  /** Narrows every picker to the professionals whose name starts with the "find" text. */
  public void find() {
    offer(Role.DOCTOR, doctor == null ? List.of() : List.of(doctor));
    offer(Role.PHARMACIST, pharmacists);
    offer(Role.INSURER, insurers);
    offer(Role.LAWYER, lawyers);
  }

  public List<DirectoryService.Participant> getDoctors() { return of(Role.DOCTOR); }
  public List<DirectoryService.Participant> getPharmacistList() { return of(Role.PHARMACIST); }
  public List<DirectoryService.Participant> getInsurerList() { return of(Role.INSURER); }
  public List<DirectoryService.Participant> getLawyerList() { return of(Role.LAWYER); }
  /** Whether a picker shows only the first of more matches (the page says: type more of the name). */
  public boolean cut(Role r) { of(r); return cut.contains(r); }
  public String getFind() { return find; }
  public void setFind(String v) { find = v; }

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
    // Checked here, not with required="true": the same form's "Add from card picture" and "Find"
    // need neither. Every missing field is named at once, next to it.
    boolean missing = false;
    if (title == null || title.isBlank()) {
      Messages.field("newForm:title", "Reason for the visit is required.");
      missing = true;
    }
    if (doctor == null || doctor.isBlank()) {
      Messages.field("newForm:doctor", "Doctor is required.");
      missing = true;
    }
    if (missing) return;
    try {
      var cover = new org.medledger.portal.application.cover.CoverRequest(title,
          patientName == null ? null : patientName, birthDate,
          familyNames == null ? List.of() : List.of(familyNames.split("\\R")));
      consent = treatments.consent(session.actor(), cover, familyCards, doctor, pharmacists, insurers, lawyers);
    } catch (PortalException e) {
      consent = null;
      Messages.error(e.getMessage());
    }
  }

  public void reset() {
    consent = null;
  }

  public String getTitle() { return title; }
  public void setTitle(String v) { title = v; }
  /** Prefilled with the name the patient's account knows. */
  public String getPatientName() {
    if (patientName == null && session.actor() != null) patientName = session.actor().displayName();
    return patientName;
  }
  public void setPatientName(String v) { patientName = v; }
  public java.time.LocalDate getBirthDate() { return birthDate; }
  public void setBirthDate(java.time.LocalDate v) { birthDate = v; }
  public String getFamilyNames() { return familyNames; }
  public void setFamilyNames(String v) { familyNames = v; }
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
