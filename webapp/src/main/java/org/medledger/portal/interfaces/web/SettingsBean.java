package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.security.UserSession;

/** Password change, the recovery kit again, account deletion. */
@Named
@RequestScoped
public class SettingsBean {
  @Inject AccountService accounts;
  @Inject UserSession session;

  private String current;
  private String next;
  private String next2;
  private String kitPassword;
  private String deletePassword;
  private AccountService.Registered kit;

  public void changePassword() {
    if (missing(current, "current", "Current password is required.")
        | missing(next, "next", "New password is required.")
        | missing(next2, "next2", "New password again is required.")) {
      return;
    }
    if (!next.equals(next2)) {
      Messages.field("sForm:next2", "The two new passwords differ.");
      return;
    }
    try {
      accounts.changePassword(session.actor(), chars(current), chars(next));
      Messages.info("Your password is changed. Your key and every record stay as they were.");
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
  }

  public void showKit() {
    if (missing(kitPassword, "kitPassword", "Password is required.")) return;
    try {
      kit = accounts.recoveryKit(session.actor(), chars(kitPassword));
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    }
  }

  public String delete() throws ServletException {
    if (missing(deletePassword, "deletePassword", "Password is required.")) return null;
    try {
      accounts.delete(session.actor(), chars(deletePassword));
    } catch (PortalException e) {
      Messages.error(e.getMessage());
      return null;
    }
    ExternalContext ec = FacesContext.getCurrentInstance().getExternalContext();
    session.wipe();
    ((HttpServletRequest) ec.getRequest()).logout();
    ec.invalidateSession();
    return "/login?faces-redirect=true&deleted=true";
  }

  /**
   * The page marks each password required for its own button; this is the same rule for a
   * post that skipped the page (an empty password would otherwise reach Argon2 and fail there).
   */
  private static boolean missing(String value, String field, String text) {
    if (value != null && !value.isEmpty()) return false;
    Messages.field("sForm:" + field, text);
    return true;
  }

  private static char[] chars(String s) {
    return s == null ? new char[0] : s.toCharArray();
  }

  public String getCurrent() { return null; }
  public void setCurrent(String v) { current = v; }
  public String getNext() { return null; }
  public void setNext(String v) { next = v; }
  public String getNext2() { return null; }
  public void setNext2(String v) { next2 = v; }
  public String getKitPassword() { return null; }
  public void setKitPassword(String v) { kitPassword = v; }
  public String getDeletePassword() { return null; }
  public void setDeletePassword(String v) { deletePassword = v; }
  public AccountService.Registered getKit() { return kit; }
  public java.time.Instant getSessionStarted() {
    HttpServletRequest r = (HttpServletRequest) FacesContext.getCurrentInstance().getExternalContext().getRequest();
    return java.time.Instant.ofEpochMilli(r.getSession().getCreationTime());
  }
}
