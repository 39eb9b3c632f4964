package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TryLaterException;
import org.medledger.portal.security.UnlockedCredential;
import org.medledger.portal.security.UserSession;

/**
 * Login: the password unwraps σ (the only password check), then Jakarta Security logs in. The
 * client address (the TCP peer; behind a reverse proxy, the proxy's) feeds the per-address delay.
 */
@Named
@RequestScoped
public class LoginBean {
  @Inject AccountService accounts;
  @Inject UserSession session;
  @Inject org.medledger.portal.security.AdminSession adminSession;
  @Inject SecurityContext security;
  @Inject org.medledger.portal.application.KeyBuilder keys;

  private String username;
  private String password;

  public String login() {
    FacesContext fc = FacesContext.getCurrentInstance();
    ExternalContext ec = fc.getExternalContext();
    HttpServletRequest request = (HttpServletRequest) ec.getRequest();
    Actor actor;
    char[] pw = password == null ? new char[0] : password.toCharArray();
    try {
      actor = accounts.unlock(username, pw, request.getRemoteAddr());
    } catch (TryLaterException e) {
      tryLater(ec, e);
      return null;
    } catch (PortalException e) {
      Messages.error(e.getMessage());
      return null;
    } finally {
      java.util.Arrays.fill(pw, '\0');
      password = null;
    }
    request.getSession(true);
    request.changeSessionId(); // no session fixation
    adminSession.logout(); // one session is a participant's or an administrator's, not both
    session.unlocked(actor);
    AuthenticationStatus status = security.authenticate(request, (HttpServletResponse) ec.getResponse(),
        AuthenticationParameters.withParams().credential(new UnlockedCredential(actor.username())).newAuthentication(true));
    switch (status) {
      case SEND_CONTINUE:
        fc.responseComplete();
        return null;
      case SUCCESS:
        keys.atLogin(actor); // answers that came while the doctor was away: their keys now
        return "/app/dashboard?faces-redirect=true";
      default:
        session.wipe();
        Messages.error("The login failed; please try again.");
        return null;
    }
  }

  /**
   * "Busy" (503) or "delayed" (429): the page is shown again with the message, under that
   * status and a Retry-After, so scripts and proxies see the refusal too.
   */
  static void tryLater(ExternalContext ec, TryLaterException e) {
    ec.setResponseStatus(e.status());
    ec.setResponseHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
    Messages.error(e.getMessage());
  }

  public String logout() throws ServletException {
    ExternalContext ec = FacesContext.getCurrentInstance().getExternalContext();
    session.wipe();
    ((HttpServletRequest) ec.getRequest()).logout();
    ec.invalidateSession();
    return "/login?faces-redirect=true";
  }

  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public String getPassword() { return null; }
  public void setPassword(String v) { password = v; }
}
