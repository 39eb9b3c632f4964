package org.medledger.portal.infrastructure.ledger;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import org.medledger.core.record.Role;

/**
 * The consortium's organisations (MSPs) and their certificate authorities, as this portal sees
 * them. Patients and family members enrol pseudonymously with the hospital's CA.
 */
public interface Organisations {
  String HOSPITAL = "HospitalMSP";
  String PHARMACY = "PharmacyMSP";
  String INSURER = "InsurerMSP";
  String LAW_FIRM = "LawFirmMSP";

  static String mspOf(Role role) {
    return switch (role) {
      case DOCTOR, PATIENT, FAMILY -> HOSPITAL;
      case PHARMACIST -> PHARMACY;
      case INSURER -> INSURER;
      case LAWYER -> LAW_FIRM;
    };
  }

  /** The role attribute value the chaincode reads ("medledger.role"). */
  static String roleAttribute(Role role) {
    return role.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Issues a client certificate with the role attribute for {@code publicKey}. */
  X509Certificate issue(String mspId, String commonName, Role role, PublicKey publicKey);
}
