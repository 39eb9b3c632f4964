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
import java.util.logging.Logger;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.EventSubscription;
import org.medledger.ledger.LedgerGateway;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.InboxUpdated;
import org.medledger.portal.application.KeyBuilder;

/**
 * Reads the ledger's chaincode events from the checkpoint in the portal database on, writes
 * the inbox of every local recipient and announces it (CDI async event → websocket push).
 * Started with the application; a restart replays from the checkpoint, without duplicates.
 *
 * <p>A failing event is retried ({@value #ATTEMPTS} attempts, backoff {@value #FIRST_BACKOFF_MS}
 * ms doubling to {@value #MAX_BACKOFF_MS} ms); after the last one it is recorded as failed in
 * the checkpoint row and skipped, so the subscription never ends on one bad event. {@link
 * #health()} tells the dashboard whether notifications are being delayed.
 */
@ApplicationScoped
public class LedgerEventSubscriber {
  static final String NAME = "inbox";
  static final int ATTEMPTS = 5;
  static final long FIRST_BACKOFF_MS = 500;
  static final long MAX_BACKOFF_MS = 30_000;
  private static final Logger LOG = Logger.getLogger(LedgerEventSubscriber.class.getName());

  @Inject LedgerGateway ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject InboxService inbox;
  @Inject Event<InboxUpdated> updates;
  @Inject KeyBuilder keys;

  @Resource ManagedExecutorService executor;

  private volatile EventSubscription subscription;
  // Set on undeploy: failures then come from the container going away (a closed executor), not
  // from the event, which must not be recorded as failed and skipped; the stream ends instead.
  private volatile boolean stopping;
  private final SubscriberHealth health = new SubscriberHealth();

  /** Events given up on since the portal's database was created (persisted, unlike health). */
  public long failedEvents() {
    return inbox.failedEvents(NAME);
  }

  /** The subscription's state: events handled, retries, events recorded as failed. */
  public SubscriberHealth.Status health() {
    return health.status();
  }

  synchronized void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    if (subscription != null) return; // one subscription per deployment
    JpaCheckpoint checkpoint = new JpaCheckpoint(inbox, NAME);
    LOG.info(() -> "Subscribing to ledger events from " + (checkpoint.blockNumber().isPresent()
        ? "checkpoint block " + checkpoint.blockNumber().getAsLong() : "block 0"));
    RetryingListener listener = new RetryingListener(this::onEvent,
        (event, last) -> {
          if (stopping) throw new InterruptedException("the portal is stopping");
          inbox.recordFailed(NAME, event, last.getClass().getName());
        },
        ATTEMPTS, FIRST_BACKOFF_MS, MAX_BACKOFF_MS, Thread::sleep, health);
    subscription = ledger.subscribe(portal.get(), 0, checkpoint, listener);
  }

  /** Called on the ledger's event thread; the work runs on a container thread (JPA, CDI). */
  private void onEvent(ChaincodeEvent event) throws Exception {
    if (stopping) throw new InterruptedException("the portal is stopping");
    try {
      executor.submit(() -> {
        List<InboxUpdated> notified = inbox.handle(event, NAME);
        // An answer for a logged-in doctor: build the key now (after the inbox row and the
        // checkpoint are committed; it never throws), then push, so open pages show it built.
        // A member change too: the doctor's portal lets the new member set in once they accepted.
        for (InboxUpdated u : notified) {
          if ("txtr".equals(u.recordType()) || "change".equals(u.recordType())) keys.answerArrived(u.username(), u.kappa0Hex());
        }
        for (InboxUpdated u : notified) updates.fireAsync(u);
        return null;
      }).get();
    } catch (ExecutionException e) {
      // RetryingListener logs it and retries; unwrap so the log names the real failure.
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) throw ex;
      if (cause instanceof Error err) throw err;
      throw e;
    }
  }

  @PreDestroy
  void stop() {
    stopping = true;
    EventSubscription s = subscription;
    if (s != null) s.close();
  }
}
