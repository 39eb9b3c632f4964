package org.medledger.core.record;

/** Input that is not a well-formed MedLedger record; the reason says which rule it broke. */
public class RecordFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public enum Reason {
    TRUNCATED,
    OVERSIZED,
    BAD_MAGIC,
    UNSUPPORTED_VERSION,
    UNKNOWN_TYPE,
    WRONG_TYPE,
    REORDERED,
    MISSING_FIELD,
    TRAILING_BYTES,
    NOT_CANONICAL,
    INVALID_FIELD
  }

  private final Reason reason;

  public RecordFormatException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
