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

  private List<TreatmentService.Summary> mine;
  private List<InboxService.Item> items;

  public List<TreatmentService.Summary> getTreatments() {
    if (mine == null) {
      mine = new ArrayList<>();
      for (String k : inbox.treatments(session.getUsername())) treatments.summary(session.actor(), k).ifPresent(mine::add);
    }
    return mine;
  }

  public List<InboxService.Item> getInbox() {
    if (items == null) items = inbox.items(session.getUsername(), 30);
    return items;
  }

  public void markRead() {
    inbox.markAllRead(session.getUsername());
    items = null;
  }

  /** A notification in people's words ("New diagnosis"). */
  public String title(String type) {
    return RecordWords.notice(type);
  }

  /** A treatment's readable name: "Treatment with Dr. Claire Dubois, opened 3 March 2026". */
  public String label(TreatmentService.Summary t) {
    return "Treatment with " + t.doctorName() + ", opened " + time.day(t.openedAt());
  }
}
