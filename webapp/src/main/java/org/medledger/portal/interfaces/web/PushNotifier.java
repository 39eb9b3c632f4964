package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.faces.push.Push;
import jakarta.faces.push.PushContext;
import jakarta.inject.Inject;
import org.medledger.portal.application.RecordWords;
import java.util.Map;
import org.medledger.portal.application.InboxUpdated;

/**
 * Pushes an inbox update to every open page of the addressed user (f:websocket channel
 * "notify"), as {@code {"type": record type, "k": κ0 hex}}: every page refreshes its bell, and
 * an open page of that treatment refreshes its status, participants and timeline.
 */
@ApplicationScoped
public class PushNotifier {
  @Inject
  @Push(channel = "notify")
  PushContext notify;

  void onInbox(@ObservesAsync InboxUpdated update) {
    // people's words for the pop-up ("New diagnosis"), the treatment for an open page of it
    notify.send(Map.of("type", update.recordType(), "text", RecordWords.notice(update.recordType()), "k", update.kappa0Hex()),
        update.username());
  }
}
