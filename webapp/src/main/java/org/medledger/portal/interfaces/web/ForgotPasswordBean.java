package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TryLaterException;

/** "Forgot password?": user name + recovery code → a new password (σ rewrapped, nothing else changes). */
@Named
@RequestScoped
public class ForgotPasswordBean {
  @Inject AccountService accounts;

  private String username;
  private String code;
  private String password;
  private String password2;

  public String redeem() {
    ExternalContext ec = FacesContext.getCurrentInstance().getExternalContext();
    char[] pw = password == null ? new char[0] : password.toCharArray();
    try {
      if (password == null || !password.equals(password2)) {
        Messages.field("forgot:password2", "The two new passwords differ.");
        return null;
      }
      accounts.redeemRecoveryKit(username, code, pw, ((HttpServletRequest) ec.getRequest()).getRemoteAddr());
    } catch (TryLaterException e) {
      LoginBean.tryLater(ec, e);
      return null;
    } catch (PortalException e) {
      Messages.error(e.getMessage());
      return null;
    } finally {
      Arrays.fill(pw, '\0');
      password = null;
      password2 = null;
      code = null; // the kit is σ: not rendered back into the page
    }
    Messages.info("Your new password is set. Log in with it; your records are as they were.");
    Messages.keep();
    return "/login?faces-redirect=true";
  }

  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public String getCode() { return null; }
  public void setCode(String v) { code = v; }
  public String getPassword() { return null; }
  public void setPassword(String v) { password = v; }
  public String getPassword2() { return null; }
  public void setPassword2(String v) { password2 = v; }
}
