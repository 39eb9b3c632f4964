package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.security.UserSession;

/** The top bar's live parts. */
@Named("layout")
@RequestScoped
public class LayoutBean {
  @Inject InboxService inbox;
  @Inject UserSession session;

  private Long unread;

  public long getUnread() {
    if (unread == null) unread = session.isLoggedIn() ? inbox.unread(session.getUsername()) : 0L;
    return unread;
  }

  /** Forgets the count read earlier in this request (e.g. before "Mark all read" ran). */
  public void reset() {
    unread = null;
  }
}
