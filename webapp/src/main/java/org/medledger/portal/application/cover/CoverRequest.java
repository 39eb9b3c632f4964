package org.medledger.portal.application.cover;

import java.time.LocalDate;
import java.util.List;

/**
 * What the patient types on the "new treatment" page: the reason for the visit, her name and
 * birth date, and a name for each family member, in the order of their cards.
 */
public record CoverRequest(String title, String patientName, LocalDate birthDate, List<String> familyNames) {
  public CoverRequest {
    familyNames = familyNames == null ? List.of() : List.copyOf(familyNames);
  }
}
