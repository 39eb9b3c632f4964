package org.medledger.portal.security;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.faces.annotation.FacesConfig;

/**
 * Jakarta Security: the login page is ours and {@link PortalAuthenticationMechanism} names the
 * caller on every request from the session's unlocked σ (request.remoteUser, the "user" group).
 */
@DeclareRoles({PortalIdentityStore.GROUP, PortalIdentityStore.ADMIN_GROUP})
@FacesConfig
@ApplicationScoped
public class SecurityConfiguration {}
