package org.medledger.portal.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Set;

/**
 * Accepts a caller whose session holds their unlocked σ. The password itself is checked once,
 * by unwrapping σ (Argon2id) in the login page; no second password hash exists.
 */
@ApplicationScoped
public class PortalIdentityStore implements IdentityStore {
  public static final String GROUP = "user";
  /** An administrator of this portal (the /admin/ pages). */
  public static final String ADMIN_GROUP = "admin";

  @Inject UserSession session;
  @Inject AdminSession adminSession;

  @Override
  public CredentialValidationResult validate(Credential credential) {
    if (credential instanceof UnlockedCredential c && session.isLoggedIn() && c.username().equals(session.getUsername())) {
      return new CredentialValidationResult(c.username(), Set.of(GROUP));
    }
    if (credential instanceof AdminCredential c && adminSession.isLoggedIn() && c.username().equals(adminSession.getUsername())) {
      return new CredentialValidationResult(PortalAuthenticationMechanism.adminCaller(c.username()), Set.of(ADMIN_GROUP));
    }
    return CredentialValidationResult.INVALID_RESULT;
  }
}
