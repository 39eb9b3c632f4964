package org.medledger.portal.infrastructure.ledger;

import org.medledger.core.record.Role;

/**
 * Who a new certificate names. {@code displayName} and {@code institution} are what the
 * organisation vouches for (the certificate attributes {@code medledger.name} and
 * {@code medledger.institution}): set for professionals, null for the pseudonymous roles.
 */
public record CertificateSubject(String commonName, Role role, String displayName, String institution) {
  public CertificateSubject {
    if (commonName == null || commonName.isBlank()) throw new IllegalArgumentException("a certificate needs a common name");
    if (role == null) throw new IllegalArgumentException("a certificate needs a role");
    if (role.pseudonymous() && (displayName != null || institution != null)) {
      throw new IllegalArgumentException("a pseudonymous certificate names no person and no institution");
    }
    if (!role.pseudonymous() && (displayName == null || displayName.isBlank() || institution == null || institution.isBlank())) {
      throw new IllegalArgumentException("a professional's certificate names the person and the institution");
    }
  }
}
