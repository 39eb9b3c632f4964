package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.faces.push.Push;
import jakarta.faces.push.PushContext;
import jakarta.inject.Inject;
import org.medledger.portal.application.RecordWords;
import org.medledger.portal.application.InboxUpdated;

/** Pushes "inbox" to every open page of the addressed user (f:websocket channel "notify"). */
@ApplicationScoped
public class PushNotifier {
  @Inject
  @Push(channel = "notify")
  PushContext notify;

  void onInbox(@ObservesAsync InboxUpdated update) {
    notify.send(RecordWords.notice(update.recordType()), update.username()); // people's words, not the type
  }
}
