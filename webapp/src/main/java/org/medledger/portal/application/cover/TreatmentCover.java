package org.medledger.portal.application.cover;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.medledger.core.record.Cover;

/**
 * A treatment's cover as its members see it (docs/protocol.md §Cover): the title, the patient's
 * name and birth date, and the family members' names by their index in the treatment.
 * {@code onLedger}: read from the doctor's first record (every member sees the same), rather than
 * from the patient's or the doctor's own copy of the sealed cover.
 */
public record TreatmentCover(String title, String patientName, LocalDate birthDate, Map<Long, String> family,
    boolean onLedger) implements java.io.Serializable {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);

  public TreatmentCover {
    family = Map.copyOf(family);
  }

  static TreatmentCover of(Cover c, boolean onLedger) {
    return new TreatmentCover(c.title(), c.patientName(), c.birthDate(), c.family(), onLedger);
  }

  /** The treatment's name on every page: "Chest pain — Anna Example". */
  public String heading() {
    return title + " — " + patientName;
  }

  /** "Anna Example, born 3 March 1980" (the name alone when no birth date was given). */
  public String patientLine() {
    return birthDate == null ? patientName : patientName + ", born " + birthDate.format(DAY);
  }

  /** The birth date as people read it, or "" when not given. */
  public String birthDateText() {
    return birthDate == null ? "" : birthDate.format(DAY);
  }

  /** The family member's name the patient chose, or null. */
  public String familyName(long index) {
    return family.get(index);
  }

  /** The timeline's line for the cover record. */
  public String describe() {
    StringBuilder sb = new StringBuilder(title).append(" — ").append(patientLine()).append('.');
    if (!family.isEmpty()) sb.append(" Family: ").append(String.join(", ", family.values())).append('.');
    return sb.toString();
  }
}
