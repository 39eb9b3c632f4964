package org.medledger.portal.interfaces.web.admin;

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
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TryLaterException;
import org.medledger.portal.application.admin.AdminService;
import org.medledger.portal.security.AdminCredential;
import org.medledger.portal.security.AdminSession;
import org.medledger.portal.security.UserSession;

/**
 * The administrator's door: creating the first administrator with the setup code, and logging
 * in. A participant's session is ended first: one session is either a participant's or an
 * administrator's.
 */
@Named
@RequestScoped
public class AdministratorBean {
  @Inject AdminService admins;
  @Inject AdminSession adminSession;
  @Inject UserSession userSession;
  @Inject SecurityContext security;

  private String setupCode;
  private String username;
  private String password;
  private String password2;
  private boolean created;

  /** The setup form: when no administrator exists, or asked for ({@code ?setup=true}, after --admin-setup). */
  public boolean isSetupNeeded() {
    if (created) return false; // the login form follows at once
    if (!admins.hasAdministrator()) return true;
    java.util.Map<String, String> params = FacesContext.getCurrentInstance().getExternalContext().getRequestParameterMap();
    return "true".equals(params.get("setup")) || params.containsKey("setup:code"); // the page, then its form's post
  }

  public String create() {
    char[] pw = password == null ? new char[0] : password.toCharArray();
    try {
      if (password == null || !password.equals(password2)) {
        org.medledger.portal.interfaces.web.Messages.field("setup:password2", "The two passwords differ.");
        return null;
      }
      admins.createFirstAdministrator(setupCode, username, pw);
      created = true;
      AdminMessages.info("The administrator '" + username.trim().toLowerCase(java.util.Locale.ROOT) + "' was created. Log in below.");
    } catch (PortalException e) {
      AdminMessages.error(e.getMessage());
    } finally {
      java.util.Arrays.fill(pw, '\0');
      password = null;
      password2 = null;
      setupCode = null;
    }
    return null;
  }

  public String login() {
    FacesContext fc = FacesContext.getCurrentInstance();
    ExternalContext ec = fc.getExternalContext();
    HttpServletRequest request = (HttpServletRequest) ec.getRequest();
    char[] pw = password == null ? new char[0] : password.toCharArray();
    String admin;
    try {
      admin = admins.login(username, pw, request.getRemoteAddr());
    } catch (TryLaterException e) {
      ec.setResponseStatus(e.status());
      ec.setResponseHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
      AdminMessages.error(e.getMessage());
      return null;
    } catch (PortalException e) {
      AdminMessages.error(e.getMessage());
      return null;
    } finally {
      java.util.Arrays.fill(pw, '\0');
      password = null;
    }
    request.getSession(true);
    request.changeSessionId(); // no session fixation
    userSession.wipe();
    adminSession.loggedIn(admin);
    AuthenticationStatus status = security.authenticate(request, (HttpServletResponse) ec.getResponse(),
        AuthenticationParameters.withParams().credential(new AdminCredential(admin)).newAuthentication(true));
    switch (status) {
      case SEND_CONTINUE:
        fc.responseComplete();
        return null;
      case SUCCESS:
        return "/admin/index?faces-redirect=true";
      default:
        adminSession.logout();
        AdminMessages.error("The login failed; please try again.");
        return null;
    }
  }

  public String logout() throws ServletException {
    ExternalContext ec = FacesContext.getCurrentInstance().getExternalContext();
    adminSession.logout();
    ((HttpServletRequest) ec.getRequest()).logout();
    ec.invalidateSession();
    return "/administrator?faces-redirect=true";
  }

  public String getSetupCode() { return null; }
  public void setSetupCode(String v) { setupCode = v; }
  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public String getPassword() { return null; }
  public void setPassword(String v) { password = v; }
  public String getPassword2() { return null; }
  public void setPassword2(String v) { password2 = v; }
}
