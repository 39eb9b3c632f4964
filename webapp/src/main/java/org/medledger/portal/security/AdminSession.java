package org.medledger.portal.security;

import jakarta.enterprise.context.SessionScoped;
import jakarta.inject.Named;
import java.io.Serializable;

/**
 * The logged-in administrator of this session (a name only: administrators hold no key). Kept
 * apart from {@link UserSession}: an administrator is not a ledger participant.
 */
@SessionScoped
@Named("adminSession")
public class AdminSession implements Serializable {
  private static final long serialVersionUID = 1L;

  private String username;

  public void loggedIn(String admin) {
    this.username = admin;
  }

  public void logout() {
    username = null;
  }

  public boolean isLoggedIn() {
    return username != null;
  }

  /** The administrator's name, or an exception if none is logged in. */
  public String admin() {
    if (username == null) throw new IllegalStateException("no administrator logged in");
    return username;
  }

  public String getUsername() { return username; }
}
