package org.medledger.ledger.embedded;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.bouncycastle.math.ec.ECPoint;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;
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

  /**
   * The private key belongs to the certificate. For P-256 keys whose scalar is readable this is
   * d·G == Q (one fixed-base multiplication, ~0.1 ms); otherwise (a key in a token, say) a
   * challenge is signed and verified.
   */
  private boolean keyMatches(LedgerIdentity identity) {
    if (identity.privateKey() instanceof ECPrivateKey ec) {
      try {
        ECPoint q = P256.fromJcaPublicKey(identity.certificate().getPublicKey());
        BigInteger d = ec.getS();
        return d.signum() > 0 && P256.publicPoint(d).equals(q);
      } catch (CryptoException | IllegalArgumentException e) {
        return false;
      }
    }
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
