package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.faces.push.Push;
import jakarta.faces.push.PushContext;
import jakarta.inject.Inject;
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
    notify.send(Map.of("type", update.recordType(), "k", update.kappa0Hex()), update.username());
  }
}
