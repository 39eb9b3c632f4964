package org.medledger.core.record;

/**
 * Record types. The first seven are stored on the ledger (the paper's six input parameters and the
 * doctor's key record), and so is WITHDRAWAL (the patient takes back an unused consent); CONSENT
 * travels in the patient's QR code, POLICY is written by SetPolicy (rule R9) and EVENT is a
 * chaincode event's payload.
 */
public enum RecordType {
  REGISTRATION(0x01, "reg", true),
  TXTC(0x02, "txtc", true),
  TXTR(0x03, "txtr", true),
  TXD(0x04, "txd", true),
  TXM(0x05, "txm", true),
  TXA(0x06, "txa", true),
  /** The doctor's key record: pins the treatment's tag, possibly without some members (R8). */
  TXK(0x07, "txk", true),
  CONSENT(0x08, "consent", false),
  /** The consortium policy (who may vouch for which professional role); set by SetPolicy, not Store (R9). */
  POLICY(0x09, "policy", false),
  /**
   * The treatment's cover (title, patient's name and birth date, family members' names): never
   * stored by itself; it travels sealed in the consent's QR code and as the message of a txd.
   */
  COVER(0x0A, "cover", false),
  /**
   * The patient withdraws a consent no treatment used yet (rule R4, docs/protocol.md §Withdrawal).
   * Stored, but outside any treatment: it names a consent id, not a κ0.
   */
  WITHDRAWAL(0x0B, "withdrawal", true),
  /**
   * A typed message: the content type and body of a process record's message (docs/protocol.md
   * §Content of a record). Never stored by itself; it lives inside a txd, txm or txa's box.
   */
  CONTENT(0x0C, "content", false),
  /**
   * The patient adds or removes members of a running treatment (rule R10, docs/protocol.md §Member
   * change): signed with her key of the treatment, it opens the next key epoch.
   */
  MEMBER_CHANGE(0x0D, "change", true),
  /**
   * The doctor's key epoch (rule R11, docs/protocol.md §Key epoch): pins the tag of the new member
   * set and carries the earlier epochs' keys wrapped under the new one.
   */
  KEY_EPOCH(0x0E, "epoch", true),
  /**
   * An access record: a member (or a justified emergency doctor) opened the case file or exported
   * the treatment (rule R12, docs/protocol.md §Access record). What and why are sealed.
   */
  ACCESS(0x0F, "access", true),
  EVENT(0x10, "event", false),
  /**
   * An emergency justification ("break the glass"): a doctor who is not a member asks for a
   * treatment in an emergency; every member is notified (rule R13, §Emergency justification).
   * Labelled "glass" (break the glass): labels are at most 8 characters, the inbox stores them so.
   */
  EMERGENCY(0x11, "glass", true),
  /**
   * The patient's emergency escrow: the treatment key for two emergency custodians together, who
   * release it only after a committed justification (rule R14, §Emergency access).
   */
  ESCROW(0x12, "escrow", true);

  private final int code;
  private final String label;
  private final boolean storable;

  RecordType(int code, String label, boolean storable) {
    this.code = code;
    this.label = label;
    this.storable = storable;
  }

  public int code() {
    return code;
  }

  /** The paper's name: "txtc", "txd", ... */
  public String label() {
    return label;
  }

  public boolean storable() {
    return storable;
  }

  public boolean isProcessRecord() {
    return this == TXD || this == TXM || this == TXA;
  }

  /** The role that writes a process record: txd doctor, txm pharmacist, txa insurer. */
  public Role writer() {
    return switch (this) {
      case TXD -> Role.DOCTOR;
      case TXM -> Role.PHARMACIST;
      case TXA -> Role.INSURER;
      default -> throw new IllegalStateException(label + " is not a process record");
    };
  }

  public static RecordType fromCode(int code) {
    for (RecordType t : values()) if (t.code == code) return t;
    throw new RecordFormatException(
        RecordFormatException.Reason.UNKNOWN_TYPE, String.format("unknown record type 0x%02x", code));
  }

  public static RecordType fromLabel(String label) {
    for (RecordType t : values()) if (t.label.equalsIgnoreCase(label)) return t;
    throw new IllegalArgumentException("unknown record type '" + label + "'");
  }
}
