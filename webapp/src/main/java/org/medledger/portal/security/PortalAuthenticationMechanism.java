package org.medledger.portal.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * Jakarta Security for the portal. The caller is whoever's σ the HTTP session holds, decided
 * afresh on every request from {@link UserSession}: no container-cached principal, so
 * concurrent requests of one session (AJAX, the notification WebSocket, page loads) always
 * see the same caller and groups. (With the built-in custom-form mechanism and its
 * auto-applied session, Payara occasionally lost the caller's groups under load and answered
 * 403 to a logged-in user.)
 */
@ApplicationScoped
public class PortalAuthenticationMechanism implements HttpAuthenticationMechanism {
  @Inject UserSession session;
  @Inject AdminSession adminSession;
  @Inject IdentityStoreHandler identityStores;

  @Override
  public AuthenticationStatus validateRequest(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    Credential credential = context.getAuthParameters() == null ? null : context.getAuthParameters().getCredential();
    if (credential != null) {
      // The login page: the password has just unwrapped σ into the session.
      CredentialValidationResult result = identityStores.validate(credential);
      return context.notifyContainerAboutLogin(result);
    }
    // Look at the session bean only when a session exists: anonymous requests (the login page,
    // static resources) must not create one.
    if (request.getSession(false) != null && session.isLoggedIn()) {
      return context.notifyContainerAboutLogin(session.getUsername(), Set.of(PortalIdentityStore.GROUP));
    }
    if (request.getSession(false) != null && adminSession.isLoggedIn()) {
      return context.notifyContainerAboutLogin(adminCaller(adminSession.getUsername()), Set.of(PortalIdentityStore.ADMIN_GROUP));
    }
    if (context.isProtected()) {
      // This answer is sent before any filter runs: it carries the portal's headers itself.
      if (SecurityHeaders.upgraded(request, response)) return AuthenticationStatus.SEND_CONTINUE;
      SecurityHeaders.apply(request, response);
      response.setHeader("Cache-Control", "no-store");
      try {
        boolean adminPage = request.getRequestURI().startsWith(request.getContextPath() + "/admin/");
        response.sendRedirect(request.getContextPath() + (adminPage ? "/administrator.xhtml" : "/login.xhtml"));
      } catch (IOException e) {
        return AuthenticationStatus.SEND_FAILURE;
      }
      return AuthenticationStatus.SEND_CONTINUE;
    }
    return context.doNothing();
  }

  /** The caller name of an administrator: apart from account names, which never hold ':'. */
  static String adminCaller(String admin) {
    return "admin:" + admin;
  }
}
