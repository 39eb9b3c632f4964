package org.medledger.portal.application;

import java.security.cert.X509Certificate;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerIdentity;

/**
 * An unlocked participant: who they are plus their σ, for the duration of a session (or of a
 * seeding run). Only application services read the secret; {@link #close()} wipes it.
 */
public final class Actor implements AutoCloseable {
  private final String username;
  private final String displayName;
  private final Role role;
  private final String institution;
  private final long index;
  private final String mspId;
  private final X509Certificate certificate;
  private final UserSecret secret;
  private LedgerIdentity identity;

  public Actor(String username, String displayName, Role role, String institution, long index, String mspId,
      X509Certificate certificate, UserSecret secret) {
    this.username = username;
    this.displayName = displayName;
    this.role = role;
    this.institution = institution;
    this.index = index;
    this.mspId = mspId;
    this.certificate = certificate;
    this.secret = secret;
  }

  public String username() { return username; }
  public String displayName() { return displayName; }
  public Role role() { return role; }
  public String institution() { return institution; }
  public long index() { return index; }
  public String indexHex() { return ParticipantIndex.hex(index); }
  public String mspId() { return mspId; }
  public X509Certificate certificate() { return certificate; }

  /** For the application services (this package and its sub-packages, e.g. cover) only. */
  public UserSecret secret() {
    return secret;
  }

  /**
   * The ledger identity: the certificate and the signing key derived from σ. Made once per
   * session: deriving the key costs a scalar multiplication, and the ledger checks each new
   * identity object's certificate and key once.
   */
  synchronized LedgerIdentity identity() {
    if (identity == null) {
      identity = new LedgerIdentity(mspId, certificate, secret.signingKeyPair().toJca().getPrivate());
    }
    return identity;
  }

  @Override
  public synchronized void close() {
    identity = null;
    secret.close();
  }

  @Override
  public String toString() {
    return "Actor[" + username + ", " + role + "]";
  }
}
