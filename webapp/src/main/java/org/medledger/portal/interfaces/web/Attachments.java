package org.medledger.portal.interfaces.web;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.ZoneId;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.security.UserSession;

/**
 * What the member-only downloads (case file PDF, evidence bundle, FHIR export) answer alike: an
 * attachment no cache keeps, and the reader's time zone as the pages use it.
 */
final class Attachments {
  private Attachments() {}

  /** What a download reads for its reader; a PortalException when the reader is not a member. */
  interface MemberRead<T> {
    T read(org.medledger.portal.application.Actor reader) throws PortalException;
  }

  /**
   * What {@code read} gives the logged-in reader, or null once the answer is 403: nobody logged in,
   * or not a member of the treatment (or no such treatment: nothing is said either way); or null
   * once the answer is 503 because the ledger did not take the reader's access record.
   */
  static <T> T forMember(UserSession session, HttpServletResponse res, MemberRead<T> read) throws IOException {
    if (!session.isLoggedIn()) {
      res.sendError(HttpServletResponse.SC_FORBIDDEN);
      return null;
    }
    try {
      return read.read(session.actor());
    } catch (org.medledger.portal.application.access.AccessLogService.NotRecordedException e) {
      notRecorded(res, e); // no access without its record: say why, serve nothing
      return null;
    } catch (PortalException e) {
      res.sendError(HttpServletResponse.SC_FORBIDDEN);
      return null;
    }
  }

  /** Sends {@code body} as a download: the security headers come from SecurityHeadersFilter. */
  static void send(HttpServletResponse res, String contentType, String disposition, byte[] body) throws IOException {
    res.setContentType(contentType);
    res.setHeader("Content-Disposition", disposition);
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }

  /**
   * The access record could not be written, so nothing is served: 503 and the reason in plain
   * words as text (the generic error page would not say why), never the file.
   */
  static void notRecorded(HttpServletResponse res, org.medledger.portal.application.PortalException e) throws IOException {
    res.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    res.setHeader("Retry-After", "30");
    res.setHeader("Cache-Control", "no-store");
    res.setContentType("text/plain;charset=UTF-8");
    res.getWriter().print(e.getMessage());
  }

  /** The reader's time zone, as the pages use it (the browser's, from ReadableTime's cookie). */
  static ZoneId zoneOf(HttpServletRequest req) {
    Cookie[] cookies = req.getCookies();
    String value = null;
    if (cookies != null) for (Cookie c : cookies) if (ReadableTime.COOKIE.equals(c.getName())) value = c.getValue();
    return ReadableTime.zone(value, ZoneId.systemDefault());
  }
}
