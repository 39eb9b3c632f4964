package org.medledger.portal.interfaces.web.admin;

import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medledger.core.record.Role;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.admin.AdminService;
import org.medledger.portal.security.AdminSession;

/** The administrator's page: invite a professional, approve or refuse sign-ups, withdraw invitations. */
@Named
@ViewScoped
public class AdminBean implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject transient AdminService admins;
  @Inject AdminSession session;
  @Inject transient org.medledger.portal.interfaces.web.TimeBean time; // the one readable time format, in the viewer's zone

  private Role role;
  private String displayName;
  private String institution;
  private String invitationLink;
  private String invitationSummary;
  /** Per waiting user name: the name and institution the administrator confirms (editable). */
  private final Map<String, String> approvedNames = new HashMap<>();
  private final Map<String, String> approvedInstitutions = new HashMap<>();

  public void invite() {
    invitationLink = null;
    // Every missing field at once, next to it (not required="true": the same form approves and withdraws).
    boolean missing = false;
    if (role == null) missing = missing("admin:role", "Role is required.");
    if (displayName == null || displayName.isBlank()) missing = missing("admin:displayName", "Name is required.");
    if (institution == null || institution.isBlank()) missing = missing("admin:institution", "Institution is required.");
    if (missing) return;
    try {
      AdminService.IssuedInvitation i = admins.invite(session.admin(), role, displayName, institution);
      invitationLink = link(i.code());
      invitationSummary = i.role().title() + " " + i.displayName() + ", " + i.institution() + " — valid until "
          + time.format(i.expiresAt()) + ", for one registration";
      role = null;
      displayName = null;
      institution = null;
    } catch (PortalException e) {
      AdminMessages.error(e.getMessage());
    }
  }

  private static boolean missing(String field, String text) {
    org.medledger.portal.interfaces.web.Messages.field(field, text);
    return true;
  }

  /** The registration page's address with the code, from this request's own address. */
  private static String link(String code) {
    HttpServletRequest r = (HttpServletRequest) FacesContext.getCurrentInstance().getExternalContext().getRequest();
    String base = r.getRequestURL().toString();
    base = base.substring(0, base.length() - r.getRequestURI().length()) + r.getContextPath();
    return base + "/register.xhtml?invitation=" + code;
  }

  public void approve(String username) {
    try {
      AdminService.SignUp s = admins.waiting().stream().filter(x -> x.username().equals(username)).findFirst()
          .orElseThrow(() -> new PortalException("There is no sign-up of '" + username + "' waiting for approval."));
      String name = approvedNames.get(username);
      String inst = approvedInstitutions.get(username);
      admins.approve(session.admin(), username, name, inst);
      AdminMessages.info("Approved " + username + " as " + s.role().title().toLowerCase(Locale.ROOT) + " " + name.strip()
          + ", " + inst.strip() + ". The account is ready at its next log-in.");
    } catch (PortalException e) {
      AdminMessages.error(e.getMessage());
    }
  }

  public void refuse(String username) {
    try {
      admins.refuse(session.admin(), username);
      AdminMessages.info("Refused the sign-up of " + username + "; it was removed.");
    } catch (PortalException e) {
      AdminMessages.error(e.getMessage());
    }
  }

  public void withdraw(String reference) {
    try {
      admins.withdraw(session.admin(), reference);
      AdminMessages.info("The invitation was withdrawn.");
    } catch (PortalException e) {
      AdminMessages.error(e.getMessage());
    }
  }

  /** The waiting sign-ups; each row's fields start with what the person typed, for the administrator to check. */
  public List<AdminService.SignUp> getWaiting() {
    List<AdminService.SignUp> w = admins.waiting();
    for (AdminService.SignUp s : w) {
      approvedNames.putIfAbsent(s.username(), s.displayName());
      approvedInstitutions.putIfAbsent(s.username(), s.institution());
    }
    return w;
  }
  public List<AdminService.InvitationView> getInvitations() { return admins.invitations(); }
  public Role[] getRoles() { return new Role[] {Role.DOCTOR, Role.PHARMACIST, Role.INSURER, Role.LAWYER}; }
  public Role getRole() { return role; }
  public void setRole(Role v) { role = v; }
  public String getDisplayName() { return displayName; }
  public void setDisplayName(String v) { displayName = v; }
  public String getInstitution() { return institution; }
  public void setInstitution(String v) { institution = v; }
  public String getInvitationLink() { return invitationLink; }
  public String getInvitationSummary() { return invitationSummary; }
  public Map<String, String> getApprovedNames() { return approvedNames; }
  public Map<String, String> getApprovedInstitutions() { return approvedInstitutions; }
}
