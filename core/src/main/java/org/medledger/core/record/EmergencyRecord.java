package org.medledger.core.record;

/**
 * An emergency justification (0x11, docs/protocol.md §Emergency justification): a registered
 * doctor who is not a member of a treatment says on the ledger that she needs it now, and why
 * (a reason code), before anything of it is released to her. Every member is notified by its
 * event (R13). {@code request} is 16 random bytes, so two justifications are two records.
 */
public record EmergencyRecord(byte[] kappa0, long doctor, int reason, byte[] request) implements LedgerRecord {
  public static final int REQUEST_BYTES = 16;

  public EmergencyRecord {
    if (!Reason.valid(reason)) throw new IllegalArgumentException("unknown emergency reason " + reason);
    if (request.length != REQUEST_BYTES) throw new IllegalArgumentException("request id must be 16 bytes");
    kappa0 = kappa0.clone();
    request = request.clone();
  }

  @Override
  public RecordType type() {
    return RecordType.EMERGENCY;
  }

  /** Why the glass was broken: a short list, so nothing medical is written in clear. */
  public enum Reason {
    /** 1: the patient is unconscious or cannot communicate. */
    PATIENT_CANNOT_COMMUNICATE(1),
    /** 2: a life-threatening condition needs the history now. */
    LIFE_THREATENING(2),
    /** 3: urgent treatment, and the patient's doctors cannot be reached. */
    DOCTORS_UNREACHABLE(3);

    private final int code;

    Reason(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static boolean valid(int code) {
      return code >= 1 && code <= 3;
    }

    public static Reason of(int code) {
      for (Reason r : values()) if (r.code == code) return r;
      throw new IllegalArgumentException("unknown emergency reason " + code);
    }
  }
}
