package org.medledger.ledger;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * Who submits: an MSP (organisation) id, the X.509 certificate issued by that organisation's
 * CA and the matching private key (ECDSA P-256). The key never leaves this object's holder.
 */
public final class LedgerIdentity {
  private final String mspId;
  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  public LedgerIdentity(String mspId, X509Certificate certificate, PrivateKey privateKey) {
    this.mspId = Objects.requireNonNull(mspId, "mspId");
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
  }

  public String mspId() {
    return mspId;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    // Never the key.
    return "LedgerIdentity[" + mspId + ", " + certificate.getSubjectX500Principal().getName() + "]";
  }
}
