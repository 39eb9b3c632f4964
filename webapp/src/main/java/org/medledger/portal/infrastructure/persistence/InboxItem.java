package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import java.time.Instant;

/** One ledger event addressed to a local account (the unique key makes replays harmless). */
@Entity
@Table(name = "ml_inbox", uniqueConstraints = @UniqueConstraint(columnNames = {"username", "recordKappa"}))
@NamedQuery(name = "Inbox.forUser", query = "select i from InboxItem i where i.username = :u order by i.id desc")
@NamedQuery(name = "Inbox.unread", query = "select count(i) from InboxItem i where i.username = :u and i.readAt is null")
@NamedQuery(name = "Inbox.exists", query = "select count(i) from InboxItem i where i.username = :u and i.recordKappa = :k")
@NamedQuery(name = "Inbox.treatments",
    query = "select i from InboxItem i where i.username = :u and i.recordType in ('txtc', 'change') order by i.id desc")
@NamedQuery(name = "Inbox.markRead",
    query = "update InboxItem i set i.readAt = :t where i.username = :u and i.readAt is null")
@NamedQuery(name = "Inbox.deleteUser", query = "delete from InboxItem i where i.username = :u")
public class InboxItem {
  @Id
  @GeneratedValue(strategy = GenerationType.TABLE)
  private Long id;

  @Column(nullable = false, length = 64)
  private String username;

  @Column(nullable = false, length = 8)
  private String recordType;

  @Column(nullable = false, length = 64)
  private String recordKappa;

  @Column(nullable = false, length = 64)
  private String kappa0;

  @Column(nullable = false, length = 128)
  private String transactionId;

  private long blockNumber;

  @Column(nullable = false)
  private Instant receivedAt;

  private Instant readAt;

  public Long getId() { return id; }
  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public String getRecordType() { return recordType; }
  public void setRecordType(String v) { recordType = v; }
  public String getRecordKappa() { return recordKappa; }
  public void setRecordKappa(String v) { recordKappa = v; }
  public String getKappa0() { return kappa0; }
  public void setKappa0(String v) { kappa0 = v; }
  public String getTransactionId() { return transactionId; }
  public void setTransactionId(String v) { transactionId = v; }
  public long getBlockNumber() { return blockNumber; }
  public void setBlockNumber(long v) { blockNumber = v; }
  public Instant getReceivedAt() { return receivedAt; }
  public void setReceivedAt(Instant v) { receivedAt = v; }
  public Instant getReadAt() { return readAt; }
  public void setReadAt(Instant v) { readAt = v; }
}
