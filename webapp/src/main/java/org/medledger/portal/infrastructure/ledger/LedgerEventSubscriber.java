package org.medledger.portal.infrastructure.ledger;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.LedgerGateway;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.InboxUpdated;

/**
 * Reads the ledger's chaincode events from the checkpoint in the portal database on, writes
 * the inbox of every local recipient and announces it (CDI async event → websocket push).
 * Started with the application; a restart replays from the checkpoint, without duplicates.
 */
@ApplicationScoped
public class LedgerEventSubscriber {
  static final String NAME = "inbox";
  private static final Logger LOG = Logger.getLogger(LedgerEventSubscriber.class.getName());

  @Inject LedgerGateway ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject InboxService inbox;
  @Inject Event<InboxUpdated> updates;

  @Resource ManagedExecutorService executor;

  private volatile EventSubscription subscription;

  synchronized void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    if (subscription != null) return; // one subscription per deployment
    JpaCheckpoint checkpoint = new JpaCheckpoint(inbox, NAME);
    LOG.info(() -> "Subscribing to ledger events from " + (checkpoint.blockNumber().isPresent()
        ? "checkpoint block " + checkpoint.blockNumber().getAsLong() : "block 0"));
    subscription = ledger.subscribe(portal.get(), 0, checkpoint, this::onEvent);
  }

  /** Called on the ledger's event thread; the work runs on a container thread (JPA, CDI). */
  private void onEvent(ChaincodeEvent event) throws InterruptedException {
    try {
      executor.submit(() -> {
        List<InboxUpdated> notified = inbox.handle(event, NAME);
        for (InboxUpdated u : notified) updates.fireAsync(u);
        return null;
      }).get();
    } catch (ExecutionException e) {
      LOG.log(Level.SEVERE, "Could not handle ledger event of transaction " + event.transactionId()
          + "; the subscription stops and resumes from the checkpoint at the next start", e.getCause());
      throw new IllegalStateException(e.getCause());
    }
  }

  @PreDestroy
  void stop() {
    EventSubscription s = subscription;
    if (s != null) s.close();
  }
}
