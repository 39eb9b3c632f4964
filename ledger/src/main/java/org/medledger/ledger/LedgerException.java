package org.medledger.ledger;

/** A ledger failure with a message a user can act on; never carries secrets. */
public class LedgerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** The chaincode refused the transaction (bad input or not allowed); nothing was written. */
    REJECTED,
    /** The ledger cannot be reached or did not answer in time; retrying may help. */
    UNAVAILABLE,
    /** The ledger's own data is damaged (a block failed verification). */
    CORRUPTED,
    /** Anything else. */
    FAILED
  }

  private final Kind kind;

  public LedgerException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public LedgerException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
