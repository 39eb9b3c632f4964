package org.medledger.portal.interfaces.web;

import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import org.medledger.core.record.Role;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.admin.AdminService;

/**
 * "Create an account": with an invitation link, the role, name and institution are the
 * invitation's and only a user name and password are asked; without one, patients and family
 * members register at once and professionals sign up for their administrator's approval.
 */
@Named
@ViewScoped
public class RegisterBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient AccountService accounts;
  @Inject transient AdminService admins;

  private String invitation;
  private AdminService.Offer offer;
  private boolean invitationRefused;

  private Role role;
  private String displayName;
  private String institution;
  private String username;
  private transient String password;
  private transient String password2;
  private AccountService.Registered registered;

  /** The invitation of the link, checked when the page opens: an unusable one is said so at once. */
  public void loadInvitation() {
    if (invitation == null || invitation.isBlank()) return;
    try {
      offer = admins.offer(invitation);
    } catch (PortalException e) {
      offer = null;
      invitationRefused = true;
      Messages.error(e.getMessage());
    }
  }

  public String register() {
    try {
      if (password == null || !password.equals(password2)) {
        Messages.field("register:password2", "The two passwords differ.");
        return null;
      }
      if (offer != null) {
        registered = accounts.registerInvited(invitation, username, password.toCharArray());
      } else {
        registered = accounts.register(username, displayName, role, institution, password.toCharArray());
      }
    } catch (PortalException e) {
      Messages.error(e.getMessage());
    } finally {
      password = null;
      password2 = null;
    }
    return null;
  }

  public Role[] getRoles() { return Role.values(); }
  public String getInvitation() { return invitation; }
  public void setInvitation(String v) { invitation = v; }
  public AdminService.Offer getOffer() { return offer; }
  public boolean isInvitationRefused() { return invitationRefused; }
  public Role getRole() { return role; }
  public void setRole(Role v) { role = v; }
  public String getDisplayName() { return displayName; }
  public void setDisplayName(String v) { displayName = v; }
  public String getInstitution() { return institution; }
  public void setInstitution(String v) { institution = v; }
  public String getUsername() { return username; }
  public void setUsername(String v) { username = v; }
  public String getPassword() { return null; }
  public void setPassword(String v) { password = v; }
  public String getPassword2() { return null; }
  public void setPassword2(String v) { password2 = v; }
  public AccountService.Registered getRegistered() { return registered; }
}
