package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.List;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.RecordWords;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.security.UserSession;

@Named
@RequestScoped
public class DashboardBean {
  @Inject InboxService inbox;
  @Inject TreatmentService treatments;
  @Inject UserSession session;
  @Inject TimeBean time;
  @Inject LayoutBean layout;

  private List<TreatmentService.Summary> mine;
  private List<InboxService.Item> items;
  private List<Todo> todo;

  /** One "to do" line: what to do, in which treatment (named by when it was opened, never by a hash). */
  public record Todo(String kappa0Hex, String text, String opened) {}

  /** What the user has to do next, one line per treatment that waits for them. */
  public List<Todo> getTodo() {
    if (todo == null) {
      todo = new ArrayList<>();
      for (TreatmentService.Summary s : getTreatments()) {
        treatments.todo(session.actor(), s.kappa0Hex()).ifPresent(t -> todo.add(new Todo(s.kappa0Hex(), t, time.day(s.openedAt()))));
      }
    }
    return todo;
  }

  public List<TreatmentService.Summary> getTreatments() {
    if (mine == null) {
      mine = new ArrayList<>();
      for (String k : inbox.treatments(session.getUsername())) treatments.summary(session.actor(), k).ifPresent(mine::add);
    }
    return mine;
  }

  /** The inbox, each line naming its treatment by the title the viewer reads (issue 13). */
  public List<InboxService.Item> getInbox() {
    if (items == null) items = inbox.items(session.actor(), 30);
    return items;
  }

  /** Emergency access to one of my treatments (issue 16): shown above everything, read or not. */
  public List<InboxService.Item> getEmergencies() {
    return getInbox().stream().filter(i -> "glass".equals(i.recordType())).toList();
  }

  public void markRead() {
    inbox.markAllRead(session.getUsername());
    items = null;
    layout.reset(); // the bell was counted before the action ran (the button's rendered test)
  }

  /**
   * What a new user does first, while they take part in no treatment yet: a patient starts one,
   * a doctor scans a patient's consent, everyone else shares their card with the patient (who
   * names them in the consent). Null once there is a treatment.
   */
  public FirstStep getFirstStep() {
    if (!getTreatments().isEmpty() || session.getRole() == null) return null;
    return switch (session.getRole()) {
      case PATIENT -> new FirstStep("Start a treatment: choose your doctor and everyone who may read its records,"
          + " then show the QR code to your doctor.", "/app/new-treatment", "Start a treatment");
      case DOCTOR -> new FirstStep("Scan a patient's consent: when a patient shows you the QR code of a new treatment,"
          + " scan it (or upload a picture of it) to open the treatment.", "/app/scan", "Scan a consent");
      default -> new FirstStep("Share your card with the patient: a patient names you in a new treatment"
          + " by your card (or finds you in the directory); the treatment then appears here.", "/app/card", "Show my card");
    };
  }

  /** The first step's text, the page that does it and that link's words. */
  public record FirstStep(String text, String outcome, String action) {}

  /** A notification in people's words ("New diagnosis"). */
  public String title(String type) {
    return RecordWords.notice(type);
  }

  /**
   * A treatment's readable name: "Chest pain — Anna Example (Dr. Claire Dubois, opened 3 March
   * 2026)", or "Treatment with Dr. Claire Dubois, opened 3 March 2026" until its cover is known.
   */
  public String label(TreatmentService.Summary t) {
    if (t.title() != null) return t.title() + " (" + t.doctorName() + ", opened " + time.day(t.openedAt()) + ")";
    return "Treatment with " + t.doctorName() + ", opened " + time.day(t.openedAt());
  }
}
