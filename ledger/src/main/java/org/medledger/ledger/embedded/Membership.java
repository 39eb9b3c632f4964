package org.medledger.ledger.embedded;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;

/**
 * The embedded stand-in for Fabric's MSP: the member organisations are the CAs kept under
 * {@code <ledger>/ca/<mspId>/}. A submitter must hold a certificate issued by the CA of the MSP
 * it names and the private key of that certificate (Fabric checks the proposal signature; here
 * the key signs a random challenge once per identity object).
 */
final class Membership {
  static final String NOT_A_MEMBER = "certificate not issued by a member organisation";

  /** What the ledger needs of a checked identity. */
  record Member(String mspId, String certificatePem, byte[] creator) {}

  private final Path caRoot;
  private final Map<String, EmbeddedCertificateAuthority> authorities = new ConcurrentHashMap<>();
  private final Map<LedgerIdentity, Member> checked =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final SecureRandom random = new SecureRandom();

  Membership(Path caRoot) {
    this.caRoot = caRoot;
  }

  EmbeddedCertificateAuthority authority(String mspId) {
    EmbeddedCertificateAuthority.checkMspId(mspId);
    return authorities.computeIfAbsent(mspId,
        id -> EmbeddedCertificateAuthority.openOrCreate(caRoot.resolve(id), id));
  }

  private EmbeddedCertificateAuthority existing(String mspId) {
    EmbeddedCertificateAuthority ca = authorities.get(mspId);
    if (ca != null) {
      return ca;
    }
    try {
      EmbeddedCertificateAuthority.checkMspId(mspId);
    } catch (IllegalArgumentException e) {
      return null;
    }
    Path dir = caRoot.resolve(mspId);
    if (!Files.exists(dir.resolve(EmbeddedCertificateAuthority.CERT_FILE))) {
      return null;
    }
    return authority(mspId);
  }

  Member check(LedgerIdentity identity) {
    Member known = checked.get(identity);
    if (known != null) {
      return known;
    }
    EmbeddedCertificateAuthority ca = existing(identity.mspId());
    if (ca == null || !ca.issued(identity.certificate())) {
      throw new LedgerException(LedgerException.Kind.REJECTED, NOT_A_MEMBER);
    }
    if (!keyMatches(identity)) {
      throw new LedgerException(LedgerException.Kind.REJECTED,
          "the private key does not match the certificate");
    }
    String pem = EmbeddedCertificateAuthority.pem(identity.certificate());
    byte[] creator = SerializedIdentity.newBuilder()
        .setMspid(identity.mspId())
        .setIdBytes(ByteString.copyFromUtf8(pem))
        .build()
        .toByteArray();
    Member m = new Member(identity.mspId(), pem, creator);
    checked.put(identity, m);
    return m;
  }

  private boolean keyMatches(LedgerIdentity identity) {
    byte[] challenge = new byte[32];
    random.nextBytes(challenge);
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(identity.privateKey());
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(identity.certificate().getPublicKey());
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
