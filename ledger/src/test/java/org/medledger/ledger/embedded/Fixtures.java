package org.medledger.ledger.embedded;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.medledger.ledger.LedgerIdentity;

final class Fixtures {
  private Fixtures() {}

  static KeyPair p256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static LedgerIdentity identity(EmbeddedCertificateAuthority ca, String name, String role) {
    KeyPair kp = p256();
    return new LedgerIdentity(ca.mspId(), ca.issue(name, role, kp.getPublic()), kp.getPrivate());
  }

  static LedgerIdentity doctor(EmbeddedLedger ledger) {
    return identity(ledger.certificateAuthority("HospitalMSP"), "dr-house", "doctor");
  }
}
