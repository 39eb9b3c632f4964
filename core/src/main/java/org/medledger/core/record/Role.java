package org.medledger.core.record;

/** The participants of the paper's Table 2, with their one-letter symbols and wire codes. */
public enum Role {
  PATIENT(1, "p", "Patient"),
  FAMILY(2, "r", "Family member or legal agent"),
  DOCTOR(3, "d", "Doctor"),
  PHARMACIST(4, "m", "Pharmacist"),
  INSURER(5, "a", "Insurer"),
  LAWYER(6, "i", "Lawyer or medical expert");

  private final int code;
  private final String symbol;
  private final String title;

  Role(int code, String symbol, String title) {
    this.code = code;
    this.symbol = symbol;
    this.title = title;
  }

  public int code() {
    return code;
  }

  /** The paper's subscript: p, r, d, m, a, i. */
  public String symbol() {
    return symbol;
  }

  public String title() {
    return title;
  }

  /** Patients and family register pseudonymously: their certificates are not published. */
  public boolean pseudonymous() {
    return this == PATIENT || this == FAMILY;
  }

  public static Role fromCode(int code) {
    for (Role r : values()) if (r.code == code) return r;
    throw new RecordFormatException(RecordFormatException.Reason.INVALID_FIELD, "unknown role code " + code);
  }

  /** Case-insensitive name, e.g. "doctor". */
  public static Role fromName(String name) {
    for (Role r : values()) if (r.name().equalsIgnoreCase(name)) return r;
    throw new IllegalArgumentException("unknown role '" + name + "'");
  }
}
