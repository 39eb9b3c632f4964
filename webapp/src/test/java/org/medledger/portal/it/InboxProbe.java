package org.medledger.portal.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.medledger.portal.application.InboxUpdated;

/** Test-only observer: records the async events the push notifier also receives. */
@ApplicationScoped
public class InboxProbe {
  private final List<InboxUpdated> seen = new CopyOnWriteArrayList<>();

  void on(@ObservesAsync InboxUpdated u) {
    seen.add(u);
  }

  public List<InboxUpdated> seen() {
    return seen;
  }
}
