package org.medledger.portal.infrastructure.ledger;

import org.medledger.core.record.Role;

/**
 * Who a certificate is issued to: its common name, the role attribute, and for professionals
 * the display name and institution the organisation's CA vouches for (the attributes
 * medledger.name and medledger.institution that R3 requires and the directory shows). Patients
 * and family members are pseudonymous: {@code displayName} and {@code institution} are null.
 */
public record CertificateSubject(String commonName, Role role, String displayName, String institution) {
  public CertificateSubject {
    if (commonName == null || commonName.isBlank()) throw new IllegalArgumentException("the certificate's name must not be blank");
    if (role == null) throw new IllegalArgumentException("the certificate's role is missing");
    if (role.pseudonymous()) {
      if (displayName != null || institution != null) {
        throw new IllegalArgumentException("a " + role.title().toLowerCase() + "'s certificate names no person and no institution");
      }
    } else if (displayName == null || displayName.isBlank() || institution == null || institution.isBlank()) {
      throw new IllegalArgumentException("a professional's certificate carries their name and institution");
    }
  }
}
