package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.medledger.portal.infrastructure.ledger.LedgerEventSubscriber;
import org.medledger.portal.infrastructure.ledger.SubscriberHealth;

/** The inbox subscription's health for the dashboard: says when notifications are delayed. */
@Named("ledgerStatus")
@RequestScoped
public class LedgerStatusBean {
  @Inject LedgerEventSubscriber subscriber;

  private SubscriberHealth.Status status;
  private Long failed;

  private SubscriberHealth.Status status() {
    if (status == null) status = subscriber.health();
    return status;
  }

  /** True while an event is being retried: new notifications wait behind it. */
  public boolean isDelayed() {
    return !status().healthy();
  }

  /** Events skipped after their last retry (their notifications are missing). */
  public long getFailed() {
    if (failed == null) failed = subscriber.failedEvents();
    return failed;
  }
}
