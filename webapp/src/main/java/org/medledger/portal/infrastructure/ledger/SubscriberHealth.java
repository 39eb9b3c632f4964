package org.medledger.portal.infrastructure.ledger;

import java.time.Instant;

/**
 * What the inbox subscription is doing, for the log, the dashboard and tests. Plain Java and
 * thread-safe: the event thread writes, request threads read snapshots.
 */
public final class SubscriberHealth {
  /** RUNNING: events are handled; RETRYING: the current event failed and is being retried. */
  public enum State { STARTING, RUNNING, RETRYING }

  /**
   * One reading.
   *
   * @param handled events handled since start
   * @param retries failed attempts since start (each retried or given up)
   * @param failed events given up after every attempt and recorded as failed
   * @param problem the last failure: transaction id and exception class, never its message
   *     (which may quote data); empty when there was none
   */
  public record Status(State state, long handled, long retries, long failed, String problem,
      Instant problemAt) {
    public boolean healthy() {
      return state != State.RETRYING;
    }
  }

  private State state = State.STARTING;
  private long handled;
  private long retries;
  private long failed;
  private String problem = "";
  private Instant problemAt;

  public synchronized Status status() {
    return new Status(state, handled, retries, failed, problem, problemAt);
  }

  synchronized void handled() {
    state = State.RUNNING;
    handled++;
  }

  synchronized void retrying(String transactionId, Throwable cause) {
    state = State.RETRYING;
    retries++;
    problem = "transaction " + transactionId + ": " + cause.getClass().getName();
    problemAt = Instant.now();
  }

  synchronized void gaveUp() {
    state = State.RUNNING;
    failed++;
  }
}
