package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Optional;
import org.medledger.ledger.embedded.LedgerHead;
import org.medledger.portal.infrastructure.ledger.LedgerEventSubscriber;
import org.medledger.portal.infrastructure.ledger.LedgerProducer;
import org.medledger.portal.infrastructure.ledger.SubscriberHealth;

/**
 * The inbox subscription's health for the dashboard (says when notifications are delayed), and
 * the ledger's current head for the settings page: a block number and hash a user can keep, so
 * that a later check of the ledger against it shows whether its history was cut or rewritten.
 */
@Named("ledgerStatus")
@RequestScoped
public class LedgerStatusBean {
  @Inject LedgerEventSubscriber subscriber;
  @Inject LedgerProducer ledgers;

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

  private Optional<LedgerHead> head;

  private Optional<LedgerHead> head() {
    if (head == null) head = ledgers.embeddedHead();
    return head;
  }

  /** True when there is a head to show (the embedded ledger, with at least one block). */
  public boolean isHeadAvailable() {
    return head().isPresent();
  }

  /** The number of the newest block. */
  public long getHeadBlock() {
    return head().map(LedgerHead::blockNumber).orElse(0L);
  }

  /** Its hash, in groups of eight hex digits so it can be read out and copied by hand. */
  public String getHeadHash() {
    return head().map(h -> h.blockHashHex().replaceAll("(.{8})(?!$)", "$1 ")).orElse("");
  }
}
