package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.faces.push.Push;
import jakarta.faces.push.PushContext;
import jakarta.inject.Inject;
import org.medledger.portal.application.RecordWords;
import java.util.Map;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.InboxUpdated;

/**
 * Pushes an inbox update to every open page of the addressed user (f:websocket channel
 * "notify", opened with {@code user="#{request.remoteUser}"}: only that user's pages receive
 * it), as {@code {"type": record type, "text": the inbox's sentence, "k": κ0 hex}}: every page
 * refreshes its bell and shows the sentence, and an open page of that treatment refreshes its
 * status, participants and timeline. The sentence may carry the treatment's title as this user
 * reads it (docs/portal.md §Notifications); it goes to no other user.
 */
@ApplicationScoped
public class PushNotifier {
  @Inject
  @Push(channel = "notify")
  PushContext notify;

  @Inject InboxService inbox;

  void onInbox(@ObservesAsync InboxUpdated update) {
    // who did what in which treatment, for the pop-up; the treatment for an open page of it
    String text;
    try {
      text = inbox.sentence(update);
    } catch (RuntimeException e) {
      text = RecordWords.notice(update.recordType()); // the database is away: "New diagnosis"
    }
    notify.send(Map.of("type", update.recordType(), "text", text, "k", update.kappa0Hex()), update.username());
  }
}
