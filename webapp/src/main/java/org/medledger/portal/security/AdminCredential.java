package org.medledger.portal.security;

import jakarta.security.enterprise.credential.Credential;

/** "This session has just logged in this administrator" — checked against the {@link AdminSession}. */
public record AdminCredential(String username) implements Credential {}
