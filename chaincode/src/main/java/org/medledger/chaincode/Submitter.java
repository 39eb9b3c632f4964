package org.medledger.chaincode;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.medledger.core.record.CertificateAttributes;
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
    byte[] vk = CertificateKeys.SHARED.compressedKey(cert);
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

  /**
   * The attributes the CA signed into the certificate ({@link CertificateAttributes}), e.g.
   * medledger.name and medledger.institution.
   *
   * @throws IllegalArgumentException when the attribute extension is malformed
   */
  public Map<String, String> attributes() {
    return CertificateAttributes.of(certificate);
  }

  /**
   * An administrator of its organisation, as Fabric's MSP with NodeOUs classifies identities:
   * the certificate's subject carries the organisational unit "admin" (cryptogen's Admin@ and
   * Fabric CA's type-admin certificates do), and none of the other node OUs (client, peer,
   * orderer) — Fabric refuses an identity with two. That the certificate chains to the MSP the
   * transaction names is checked before the chaincode runs (Fabric's MSP; the embedded ledger's
   * Membership). docs/protocol.md §Who is an administrator.
   */
  public boolean administrator() {
    List<String> ous = organisationalUnits();
    return ous.contains("admin") && !ous.contains("client") && !ous.contains("peer") && !ous.contains("orderer");
  }

  private List<String> organisationalUnits() {
    List<String> out = new ArrayList<>();
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs(BCStyle.OU)) {
      for (AttributeTypeAndValue tv : rdn.getTypesAndValues()) {
        if (BCStyle.OU.equals(tv.getType()) && tv.getValue() instanceof ASN1String s) out.add(s.getString());
      }
    }
    return out;
  }

  public byte[] certificateDer() {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("submitter certificate cannot be encoded", e);
    }
  }
}
