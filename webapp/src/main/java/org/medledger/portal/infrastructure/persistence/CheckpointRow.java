package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The event stream position of one subscriber (block in progress, last transaction in it). */
@Entity
@Table(name = "ml_checkpoint")
public class CheckpointRow {
  @Id
  @Column(length = 64)
  private String name;

  private long blockNumber = -1;

  @Column(length = 128)
  private String transactionId;

  /**
   * Events given up after their last retry and skipped (see LedgerEventSubscriber). Wrapper
   * types: the columns are added to existing databases as NULL.
   */
  private Long failedEvents;

  @Column(length = 128)
  private String lastFailedTransactionId;

  private Long lastFailedBlock;

  @Column(length = 200)
  private String lastFailedReason;

  private java.time.Instant lastFailedAt;

  public CheckpointRow() {}

  public CheckpointRow(String name) {
    this.name = name;
  }

  public String getName() { return name; }
  public long getBlockNumber() { return blockNumber; }
  public void setBlockNumber(long v) { blockNumber = v; }
  public String getTransactionId() { return transactionId; }
  public void setTransactionId(String v) { transactionId = v; }
  public long getFailedEvents() { return failedEvents == null ? 0 : failedEvents; }
  public void setFailedEvents(long v) { failedEvents = v; }
  public String getLastFailedTransactionId() { return lastFailedTransactionId; }
  public void setLastFailedTransactionId(String v) { lastFailedTransactionId = v; }
  public Long getLastFailedBlock() { return lastFailedBlock; }
  public void setLastFailedBlock(long v) { lastFailedBlock = v; }
  public String getLastFailedReason() { return lastFailedReason; }
  public void setLastFailedReason(String v) { lastFailedReason = v; }
  public java.time.Instant getLastFailedAt() { return lastFailedAt; }
  public void setLastFailedAt(java.time.Instant v) { lastFailedAt = v; }
}
