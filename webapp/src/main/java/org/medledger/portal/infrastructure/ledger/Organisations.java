package org.medledger.portal.infrastructure.ledger;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.medledger.core.record.Role;

/**
 * The consortium's organisations (MSPs) and their certificate authorities, as this portal sees
 * them. Embedded mode: every role enrols with its own organisation ({@link #mspOf(Role)});
 * patients and family members pseudonymously with the hospital's CA. Fabric mode: the portal
 * belongs to one organisation and every account, patients and family included, enrols with
 * that organisation's CA (its Fabric CA when the network runs one).
 */
public interface Organisations {
  String HOSPITAL = "HospitalMSP";
  String PHARMACY = "PharmacyMSP";
  String INSURER = "InsurerMSP";
  String LAW_FIRM = "LawFirmMSP";

  /** The consortium's usual organisation of a role (embedded mode). */
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

  /** The organisation (MSP id) with which a new account of {@code role} enrols on this portal. */
  String mspFor(Role role);

  /**
   * Issues a client certificate of {@code mspId} for the public key of {@code keys}, with the
   * role attribute and, for a professional, the vouched display name and institution. The
   * private key signs the certificate request where the CA wants one (Fabric CA); it is never
   * sent anywhere.
   */
  X509Certificate issue(String mspId, CertificateSubject subject, KeyPair keys);
}
