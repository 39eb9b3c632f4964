package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.List;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.security.UserSession;

@Named
@RequestScoped
public class DashboardBean {
  @Inject InboxService inbox;
  @Inject TreatmentService treatments;
  @Inject UserSession session;

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

  public String title(String type) {
    return switch (type) {
      case "txtc" -> "Invitation to a treatment";
      case "txtr" -> "A participant accepted";
      case "txd" -> "New doctor's record";
      case "txm" -> "New pharmacist's record";
      case "txa" -> "New insurer's record";
      case "txk" -> "The treatment key was established";
      default -> type;
    };
  }
}
