package org.medledger.portal.application;

import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import org.medledger.core.record.RecordType;

/**
 * The one place where record types become people's words ("Diagnosis", "Accepted the
 * invitation"): the bundle RecordWords.properties next to this class. The paper's names (txtc,
 * txd, ...) stay in code and in docs/protocol.md, never on a page.
 */
public final class RecordWords {
  private static final ResourceBundle WORDS = ResourceBundle.getBundle(RecordWords.class.getName(), Locale.ENGLISH);

  private RecordWords() {}

  /** The record as a timeline names it: "Diagnosis", "Treatment opened". */
  public static String title(RecordType type) {
    return word(type == null ? null : type.label(), "title");
  }

  /**
   * A structured record by its FHIR resource type ("Prescription" for a MedicationRequest), or
   * the record type's title when the bundle has no word for that resource.
   */
  public static String kind(String resourceType, RecordType type) {
    try {
      return WORDS.getString("fhir." + resourceType + ".title");
    } catch (MissingResourceException e) {
      return title(type);
    }
  }

  /** A notification about a record of type {@code label} (the inbox keeps the label). */
  public static String notice(String label) {
    return word(label, "notice");
  }

  /** The heading of the form that writes a record of {@code type}: "New diagnosis". */
  public static String write(RecordType type) {
    return type == null ? "" : word(type.label(), "write");
  }

  private static String word(String label, String kind) {
    try {
      return WORDS.getString(label + "." + kind);
    } catch (MissingResourceException e) {
      return WORDS.getString("unknown." + kind.replace("write", "title"));
    }
  }
}
