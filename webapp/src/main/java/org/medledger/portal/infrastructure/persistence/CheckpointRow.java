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

  public CheckpointRow() {}

  public CheckpointRow(String name) {
    this.name = name;
  }

  public String getName() { return name; }
  public long getBlockNumber() { return blockNumber; }
  public void setBlockNumber(long v) { blockNumber = v; }
  public String getTransactionId() { return transactionId; }
  public void setTransactionId(String v) { transactionId = v; }
}
