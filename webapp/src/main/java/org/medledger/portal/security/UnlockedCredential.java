package org.medledger.portal.security;

import jakarta.security.enterprise.credential.Credential;

/** "This session has just unlocked σ for this user" — checked against the {@link UserSession}. */
public record UnlockedCredential(String username) implements Credential {}
