package org.medledger.chaincode;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;

/**
 * Who signed the transaction, as Fabric's MSP established it: MSP id, certificate, the role
 * attribute its CA put in it ("medledger.role"), and ind_x of its public key.
 */
public record Submitter(String mspId, X509Certificate certificate, Role role, long index, byte[] publicKey) {
  public static final String ROLE_ATTRIBUTE = "medledger.role";

  /** Builds a submitter from a certificate; the role is empty when the CA set none. */
  public static Submitter of(String mspId, X509Certificate cert, String roleAttribute) {
    byte[] vk = P256.encodeCompressed(P256.fromJcaPublicKey(cert.getPublicKey()));
    Role role = null;
    if (roleAttribute != null && !roleAttribute.isBlank()) {
      try {
        role = Role.fromName(roleAttribute);
      } catch (IllegalArgumentException e) {
        role = null;
      }
    }
    return new Submitter(mspId, cert, role, ParticipantIndex.of(vk), vk);
  }

  public byte[] certificateDer() {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("submitter certificate cannot be encoded", e);
    }
  }
}
