package org.medledger.core.record;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A treatment's cover (record type 0x0A, docs/protocol.md §Cover): what the treatment is about
 * and whose it is, for its members only. The patient writes it when she asks for the treatment;
 * it travels sealed to the doctor in her QR code and then as the message of the doctor's first
 * txd, so it is never on the ledger in clear. Family members are named by their per-treatment
 * index ind_r' (the consent binds each to its key vk_r').
 *
 * @param title the reason for the visit ("Chest pain"), 1..{@value #MAX_TITLE_BYTES} UTF-8 bytes
 * @param patientName the patient's name as she gives it, 1..{@value #MAX_NAME_BYTES} bytes
 * @param birthDate the patient's birth date, or null when she did not give it
 * @param family display names by ind_r', each 1..{@value #MAX_FAMILY_NAME_BYTES} bytes
 */
public record Cover(String title, String patientName, LocalDate birthDate, Map<Long, String> family) {
  public static final int MAX_TITLE_BYTES = 120;
  public static final int MAX_NAME_BYTES = 100;
  public static final int MAX_FAMILY_NAME_BYTES = 60;
  /** Birth years a person alive can have; anything else is a typing error. */
  public static final int MIN_BIRTH_YEAR = 1850;
  public static final int MAX_BIRTH_YEAR = 2999;

  /**
   * @throws IllegalArgumentException naming the field that is not acceptable (empty, too long,
   *     control characters, surrounding spaces, a birth date out of range, too many family names)
   */
  public Cover {
    checkText("title", title, MAX_TITLE_BYTES);
    checkText("patient's name", patientName, MAX_NAME_BYTES);
    if (birthDate != null && (birthDate.getYear() < MIN_BIRTH_YEAR || birthDate.getYear() > MAX_BIRTH_YEAR)) {
      throw new IllegalArgumentException("birth date " + birthDate + " is not a plausible birth date");
    }
    if (family == null) family = Map.of();
    if (family.size() > RecordCodec.MAX_LIST_ENTRIES) {
      throw new IllegalArgumentException("family names list " + family.size() + " members; the limit is "
          + RecordCodec.MAX_LIST_ENTRIES);
    }
    TreeMap<Long, String> sorted = new TreeMap<>(Long::compareUnsigned);
    for (Map.Entry<Long, String> e : family.entrySet()) {
      checkText("family member's name", e.getValue(), MAX_FAMILY_NAME_BYTES);
      sorted.put(e.getKey(), e.getValue());
    }
    family = Collections.unmodifiableMap(sorted);
  }

  /**
   * Text a page shows as it is: 1..max UTF-8 bytes, no control characters (a name is one line),
   * no bidirectional overrides (they could make one name read as another) and no surrounding
   * white space (one text, one encoding).
   */
  static void checkText(String field, String s, int maxBytes) {
    if (s == null || s.isEmpty()) throw new IllegalArgumentException(field + " is empty");
    int bytes = s.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new IllegalArgumentException(field + " is " + bytes + " bytes long; the limit is " + maxBytes);
    }
    if (!s.strip().equals(s)) throw new IllegalArgumentException(field + " begins or ends with a space");
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (Character.isISOControl(cp) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
          || Character.getType(cp) == Character.SURROGATE || cp == 0x2028 || cp == 0x2029) {
        throw new IllegalArgumentException(field + " contains a control character");
      }
      i += Character.charCount(cp);
    }
  }
}
