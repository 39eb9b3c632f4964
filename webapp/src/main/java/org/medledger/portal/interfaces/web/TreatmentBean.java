package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.security.UserSession;

/** The treatment page (the case file has its own, {@link CaseFileBean}). */
@Named
@ViewScoped
public class TreatmentBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient TreatmentService treatments;
  @Inject UserSession session;
  @Inject transient org.medledger.portal.application.InboxService inbox;
  @Inject transient LayoutBean layout;
  @Inject transient org.medledger.portal.application.fhir.ClinicalRecords clinical;
  @Inject transient org.medledger.portal.application.membership.MembershipService membership;
  @Inject transient org.medledger.portal.application.DirectoryService directory;
  @Inject transient org.medledger.portal.application.access.AccessLogService accessLog;
  @Inject transient org.medledger.portal.application.emergency.EmergencyService emergency;

  private String k;
  private boolean evidence;
  private transient TreatmentService.TreatmentView view;
  private String refused;
  private String message;
  /** The structured part of the record being written (its note is {@link #message}). */
  private final org.medledger.portal.application.fhir.ClinicalForm form = new org.medledger.portal.application.fhir.ClinicalForm();
  /** The file chosen in the attachment field (read when the record is written, never kept). */
  private transient jakarta.servlet.http.Part attachment;
  /** The form field a refused record named, to mark it for the writer (and screen readers). */
  private String invalidField;
  /** The member the doctor asked to continue without, awaiting confirmation (index hex). */
  private String confirmWithout;
  /** The "Who takes part" card (issue 16): history, and for the patient her choices. */
  private transient org.medledger.portal.application.membership.MembershipService.View members;
  private String removeId;
  private String addRole = "PHARMACIST";
  private String addName;
  private String addId;
  private String familyCard;
  private List<org.medledger.portal.application.DirectoryService.Participant> addChoices = List.of();

  /** viewAction: loads the treatment; a non-member gets a message and nothing else. */
  public void load() {
    view = null;
    log = null;
    emergencyAllowed = null;
    refused = null;
    try {
      TreatmentService.TreatmentView v = treatments.view(session.actor(), k, evidence);
      if (v.canBuildKey()) { // the doctor builds the key as soon as everyone has answered
        treatments.buildKey(session.actor(), k);
        v = treatments.view(session.actor(), k, evidence);
      }
      // The doctor's portal lets new members in as soon as they accepted (as it builds the first key).
      if (session.actor().role() == org.medledger.core.record.Role.DOCTOR && letIn()) {
        v = treatments.view(session.actor(), k, evidence);
      }
      view = v;
      members = membership.view(session.actor(), k);
      // Opening a treatment (or seeing it refresh live) reads its notifications.
      inbox.markTreatmentRead(session.getUsername(), v.kappa0Hex());
      layout.reset();
    } catch (PortalException e) {
      refused = e.getMessage();
      Messages.error(e.getMessage());
    }
  }

  private transient java.util.List<org.medledger.portal.application.access.AccessLogService.Entry> log;

  /** The patient and family see who opened the case file or downloaded the records. */
  public boolean isSeesAccessLog() {
    return org.medledger.portal.application.access.AccessLogService.seesLog(getView());
  }

  /** The access log, newest first; read once per (re)load of the page. */
  public java.util.List<org.medledger.portal.application.access.AccessLogService.Entry> getAccessLog() {
    if (log == null) {
      try {
        log = isSeesAccessLog() ? accessLog.log(session.actor(), view) : java.util.List.of();
      } catch (PortalException e) {
        log = java.util.List.of();
      }
    }
    return log;
  }

  /** The emergency justifications of this treatment, newest first: a banner for the patient and family. */
  public java.util.List<org.medledger.portal.application.access.AccessLogService.Entry> getEmergencies() {
    return getAccessLog().stream().filter(e -> e.emergency() && e.did().startsWith("asked")).toList();
  }

  /** For the patient: whether she can allow emergency access (the key exists), and whether she did. */
  public boolean isCanAllowEmergency() {
    return getView() != null && view.myRole() == org.medledger.core.record.Role.PATIENT && view.keyReady();
  }

  private org.medledger.portal.application.emergency.EmergencyService.Permission emergencyAllowed;

  private org.medledger.portal.application.emergency.EmergencyService.Permission permission() {
    if (emergencyAllowed == null) {
      try {
        emergencyAllowed = isCanAllowEmergency() ? emergency.permission(k)
            : org.medledger.portal.application.emergency.EmergencyService.Permission.NONE;
      } catch (PortalException e) {
        emergencyAllowed = org.medledger.portal.application.emergency.EmergencyService.Permission.NONE;
      }
    }
    return emergencyAllowed;
  }

  /** Allowed with the key the treatment uses now. */
  public boolean isEmergencyAllowed() {
    return permission() == org.medledger.portal.application.emergency.EmergencyService.Permission.CURRENT;
  }

  /** Allowed before the members changed: an emergency reaches only what was written before. */
  public boolean isEmergencyAllowedBefore() {
    return permission() == org.medledger.portal.application.emergency.EmergencyService.Permission.EARLIER_KEY;
  }

  public void allowEmergency() {
    try {
      emergency.allow(session.actor(), k);
      Messages.info("Emergency access is allowed: in an emergency, a doctor can read this treatment after telling you why.");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    emergencyAllowed = null;
    load();
  }

  public void respond() {
    boolean again = view != null && view.myAnswerUnreadable();
    try {
      treatments.respond(session.actor(), k);
      Messages.info(again ? "Your answer was sent again." : "You accepted the invitation.");
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

  /** First step of "continue without": ask for confirmation, nothing is stored yet. */
  public void askWithout(String indexHex) {
    confirmWithout = indexHex;
    load();
  }

  public void cancelWithout() {
    confirmWithout = null;
    load();
  }

  /** Confirmed: the key is built without that member and pinned on the ledger. */
  public void buildWithout() {
    String who = getConfirmWithoutName();
    try {
      treatments.buildKeyWithout(session.actor(), k, confirmWithout == null ? List.of() : List.of(confirmWithout));
      Messages.info("The treatment key is established without " + who + ".");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    confirmWithout = null;
    load();
  }

  /** The name of the member awaiting confirmation, as the page shows it. */
  public String getConfirmWithoutName() {
    if (confirmWithout == null || getView() == null) return "";
    return view.members().stream().filter(m -> m.indexHex().equals(confirmWithout)).map(TreatmentService.MemberView::name)
        .findFirst().orElse(confirmWithout);
  }

  public String unreadableText(TreatmentService.MemberView m) {
    return treatments.unreadableText(m);
  }

  public String getLeftOutText() {
    if (view != null && view.status().startsWith("You no longer take part")) return TreatmentService.REMOVED;
    return TreatmentService.LEFT_OUT;
  }

  /** Stores the form: its resource (with the note), or the note alone when no structured field is filled. */
  public void write() {
    invalidField = null;
    if (form.getKind() == null || form.getKind().writer() != session.actor().role()) {
      form.setKind(kinds().isEmpty() ? null : kinds().get(0));
    }
    form.setNote(message);
    try {
      if (form.getKind() == org.medledger.portal.application.fhir.Kind.ATTACHMENT) {
        try {
          form.setAttachment(UploadLimits.readAttachment(attachment));
        } catch (java.io.IOException e) {
          throw new org.medledger.portal.application.fhir.InvalidRecordException("attachment", "Attachment: the file could not be read; please choose it again.");
        }
      }
      clinical.write(session.actor(), k, form);
      Messages.info("Your record is on the ledger.");
      message = null;
      org.medledger.portal.application.fhir.Kind kind = form.getKind();
      clearForm();
      form.setKind(kind);
    } catch (org.medledger.portal.application.fhir.InvalidRecordException e) {
      invalidField = e.field();
      Messages.error(e.getMessage());
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  private void clearForm() {
    form.setDiagnosisCode(null);
    form.setDiagnosisText(null);
    form.setObservationCode(null);
    form.setValue(null);
    form.setProcedureCode(null);
    form.setMedication(null);
    form.setDose(null);
    form.setTimesPerDay(null);
    form.setDays(null);
    form.setQuantity(null);
    form.setCharge(null);
    form.setOutcome(null);
    form.setClaimed(null);
    form.setCovered(null);
    form.setNote(null);
    form.setAttachment(null);
  }

  /** What the viewer's role records, the first being the default: "Diagnosis", "Prescription". */
  public List<org.medledger.portal.application.fhir.Kind> kinds() {
    return org.medledger.portal.application.fhir.Kind.of(session.actor().role());
  }

  public org.medledger.portal.application.fhir.ClinicalForm getForm() {
    if (form.getKind() == null && !kinds().isEmpty()) form.setKind(kinds().get(0));
    return form;
  }

  /** The chosen kind's name, for the page's conditional sections ("DIAGNOSIS"). */
  public String getKindName() {
    return getForm().getKind() == null ? "" : form.getKind().name();
  }

  public List<org.medledger.portal.application.fhir.CodeLists.Code> getDiagnoses() {
    return org.medledger.portal.application.fhir.CodeLists.DIAGNOSES;
  }

  public List<org.medledger.portal.application.fhir.CodeLists.Code> getMedications() {
    return org.medledger.portal.application.fhir.CodeLists.MEDICATIONS;
  }

  public List<org.medledger.portal.application.fhir.CodeLists.Code> getObservations() {
    return org.medledger.portal.application.fhir.CodeLists.OBSERVATIONS;
  }

  public List<org.medledger.portal.application.fhir.CodeLists.Code> getProcedures() {
    return org.medledger.portal.application.fhir.CodeLists.PROCEDURES;
  }

  public String unitWords(String ucum) {
    return org.medledger.portal.application.fhir.CodeLists.unitWords(ucum);
  }

  public List<String> getCurrencies() {
    return org.medledger.portal.application.fhir.CodeLists.CURRENCIES;
  }

  public jakarta.servlet.http.Part getAttachment() {
    return attachment;
  }

  public void setAttachment(jakarta.servlet.http.Part v) {
    attachment = v;
  }

  /** True when the last refusal named {@code field}: the page marks that input invalid. */
  public boolean invalid(String field) {
    return field.equals(invalidField);
  }

  /** The kind picker changed: the page shows that kind's fields (nothing is stored). */
  public void kindChanged() {
    invalidField = null;
  }

  /** The "Ledger evidence" toggle: shows or hides each record's transaction, block and signer. */
  public void toggleEvidence() {
    evidence = !evidence;
    load();
  }

  public boolean isEvidence() {
    return evidence;
  }

  public void refresh() {
    load();
  }

  /**
   * Why a pharmacist or insurer cannot write yet, in plain words (null when they can, or the
   * role never writes): the key is the doctor's to establish, with their first diagnosis (R6).
   */
  public String getWaitingText() {
    TreatmentService.TreatmentView v = getView();
    if (v == null || v.writable() != null || v.leftOut()) return null;
    if (v.myRole() != org.medledger.core.record.Role.PHARMACIST && v.myRole() != org.medledger.core.record.Role.INSURER) {
      return null;
    }
    if (v.answered() < v.responders()) {
      return "Not everyone has accepted the invitation yet (" + v.answered() + " of " + v.responders()
          + "). You can write once the doctor has written the diagnosis.";
    }
    return "The doctor has not written the diagnosis yet. You can write once they have; this page updates by itself.";
  }

  public TreatmentService.TreatmentView getView() {
    if (view == null && refused == null && k != null) load();
    return view;
  }

  /** The doctor's portal lets the patient's new member set in; a failure leaves it for the next view. */
  private boolean letIn() {
    try {
      return membership.completeIfReady(session.actor(), k);
    } catch (org.medledger.portal.application.PortalException | org.medledger.ledger.LedgerException
        | org.medledger.core.crypto.CryptoException e) {
      java.util.logging.Logger.getLogger(TreatmentBean.class.getName()).warning(
          "The new members could not be let in now (" + e.getClass().getName() + ")");
      return false;
    }
  }

  /** The patient removes a member; the doctor's portal lets the rest continue with a new key. */
  public void removeMember() {
    try {
      membership.remove(session.actor(), k, removeId);
      Messages.info("Done. They will no longer be able to read what is written from now on.");
    } catch (org.medledger.portal.application.PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  /** Finds pharmacists, insurers or lawyers by name for the patient to add. */
  public void searchToAdd() {
    try {
      org.medledger.core.record.Role role = org.medledger.core.record.Role.valueOf(addRole);
      addChoices = directory.search(role, addName == null ? "" : addName.trim());
      if (addChoices.isEmpty()) Messages.error("Nobody in the directory matches; try another name.");
    } catch (IllegalArgumentException e) {
      Messages.error("Please choose what kind of participant to add.");
    }
  }

  /** The patient adds the chosen professional; they are invited and can read every record once let in. */
  public void addMember() {
    try {
      membership.add(session.actor(), k, addId);
      Messages.info("Invited. Once they accept, they can read this treatment's records, the earlier ones too.");
      addChoices = List.of();
      addName = null;
    } catch (org.medledger.portal.application.PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  /** The patient adds a family member or legal agent by their card's text. */
  public void addFamily() {
    try {
      membership.addFamily(session.actor(), k, familyCard);
      Messages.info("Invited. Once they accept, they can read this treatment's records, the earlier ones too.");
      familyCard = null;
    } catch (org.medledger.portal.application.PortalException e) {
      Messages.error(e.getMessage());
    }
    load();
  }

  public String getFamilyCard() { return familyCard; }
  public void setFamilyCard(String v) { familyCard = v; }
  public org.medledger.portal.application.membership.MembershipService.View getMembers() { return members; }
  public String getRemoveId() { return removeId; }
  public void setRemoveId(String v) { removeId = v; }
  public String getAddRole() { return addRole; }
  public void setAddRole(String v) { addRole = v; }
  public String getAddName() { return addName; }
  public void setAddName(String v) { addName = v; }
  public String getAddId() { return addId; }
  public void setAddId(String v) { addId = v; }
  public List<org.medledger.portal.application.DirectoryService.Participant> getAddChoices() { return addChoices; }
  public String getRefused() { return refused; }
  public String getConfirmWithout() { return confirmWithout; }
  public String getK() { return k; }
  public void setK(String v) { k = v; }
  public String getMessage() { return message; }
  public void setMessage(String v) { message = v; }
}
