package org.medledger.portal.application.notify;

import org.medledger.core.record.Role;

/**
 * One notification as a sentence (docs/portal.md §Notifications): who did what in which
 * treatment. The facts ({@code kind}, the viewer's role, the names) are the same for every viewer
 * of a role; the treatment's name is the viewer's own: the heading of the cover they can read
 * ("Acute pain … — Alice Martin"), or, until they know it, the treatment's doctor. Pure, so the
 * dashboard, the bell and the push all say the same.
 *
 * @param doctor the treatment's doctor by name ("Dr. Claire Dubois"); null while unknown
 * @param sender who wrote the record, for answers, dispensing and insurance decisions ("Paula
 *     Pharma", "The patient"); null for the doctor's records
 */
public record Notice(Kind kind, Role viewer, String doctor, String sender) {

  /** What happened, in the terms of the sentence (the cover is not a diagnosis). */
  public enum Kind {
    OPENED, ANSWERED, DIAGNOSIS, DETAILS, DISPENSING, INSURANCE, SET_UP, MEMBERS, LET_IN,
    /** Someone opened the case file or downloaded the records (the access log). */
    ACCESS,
    /** A doctor who takes no part asked for emergency access. */
    EMERGENCY,
    /** The patient allowed emergency access. */
    EMERGENCY_ALLOWED,
    OTHER;

    /**
     * The kind of a record of type {@code label} (as the inbox keeps it); {@code cover}: the
     * record is the doctor's txd number 0, which carries the cover (docs/protocol.md §Cover).
     */
    public static Kind of(String label, boolean cover) {
      return switch (label == null ? "" : label) {
        case "txtc" -> OPENED;
        case "txtr" -> ANSWERED;
        case "txd" -> cover ? DETAILS : DIAGNOSIS;
        case "txm" -> DISPENSING;
        case "txa" -> INSURANCE;
        case "txk" -> SET_UP;
        case "change" -> MEMBERS; // the patient changed who takes part (docs/protocol.md §Key epochs)
        case "epoch" -> LET_IN;
        case "access" -> ACCESS;
        case "glass" -> EMERGENCY;
        case "escrow" -> EMERGENCY_ALLOWED;
        default -> OTHER;
      };
    }
  }

  /**
   * The sentence for a viewer who knows the treatment as {@code heading} (the cover's heading),
   * or null when they do not know the cover (yet).
   */
  public String sentence(String heading) {
    String quoted = heading == null ? null : "“" + heading + "”";
    // The doctor's name is unknown only while the ledger cannot be read.
    String doctor = this.doctor != null ? this.doctor : "The doctor";
    // Where the doctor is the one who did it, "with them" avoids naming them twice.
    String yours = "your treatment with " + (this.doctor != null ? this.doctor : "your doctor");
    String theirs = "your treatment with them";
    String who = sender == null ? "Someone" : sender;
    return switch (kind) {
      case OPENED -> {
        String s = viewer == Role.PATIENT ? "Your treatment with " + doctor + " was opened"
            : viewer == Role.DOCTOR ? "You opened a treatment" : doctor + " invited you to a treatment";
        yield quoted == null ? s : s + ": " + quoted;
      }
      case ANSWERED -> who + " accepted your invitation to "
          + (quoted != null ? quoted : viewer == Role.DOCTOR ? "a treatment you opened" : yours);
      case DIAGNOSIS -> doctor + " wrote a diagnosis in " + (quoted != null ? quoted : theirs);
      case DETAILS -> quoted != null ? doctor + " added the treatment's details: " + quoted
          : doctor + " added the details of " + theirs;
      case DISPENSING -> who + " recorded the dispensing in " + (quoted != null ? quoted : yours);
      case INSURANCE -> who + " recorded an insurance decision in " + (quoted != null ? quoted : yours);
      case SET_UP -> doctor + " completed the set-up of " + (quoted != null ? quoted : theirs);
      case MEMBERS -> viewer == Role.PATIENT ? "You changed who takes part in " + (quoted != null ? quoted : yours)
          : "The patient changed who takes part in " + (quoted != null ? quoted : "a treatment with " + doctor)
              + "; open it to see whether you are invited";
      case LET_IN -> "The new members of " + (quoted != null ? quoted : viewer == Role.DOCTOR ? "a treatment of yours" : yours)
          + " were let in";
      case ACCESS -> who + " looked at the records of " + (quoted != null ? quoted : yours);
      case EMERGENCY -> "Emergency access: " + who + " opened " + (quoted != null ? quoted : yours) + " in an emergency";
      case EMERGENCY_ALLOWED -> "Emergency access was allowed for " + (quoted != null ? quoted : yours);
      case OTHER -> "Something new in " + (quoted != null ? quoted : yours);
    };
  }
}
