package org.medledger.portal.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The headers every answer of the portal carries, and the HTTPS upgrade of plain HTTP when
 * HTTPS is on (docs/portal.md, "What the portal exposes"). Used by the filter in front of the
 * pages, by the error page, and by {@link PortalAuthenticationMechanism}, whose redirect to the
 * login page is sent before any filter runs.
 */
public final class SecurityHeaders {
  /** For answers that run no script: error pages, redirects, style sheets, images. */
  public static final String STATIC_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
      + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  public static final String HSTS = "max-age=31536000";

  private static final int HTTPS_PORT = httpsPort();

  private SecurityHeaders() {}

  /**
   * The system property {@code medledger.https.port}, which scripts/portal sets only once the
   * HTTPS listener is configured (not the environment: MEDLEDGER_HTTPS_PORT alone, without a
   * certificate, must not send every visitor to a port nobody listens on); 0 when HTTPS is off.
   */
  static int httpsPort() {
    String v = System.getProperty("medledger.https.port");
    if (v == null || v.isBlank()) return 0;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("medledger.https.port must be a port number, not '" + v + "'");
    }
  }

  /** The headers every answer gets, error pages and redirects included. */
  public static void apply(HttpServletRequest req, HttpServletResponse res) {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Content-Security-Policy", STATIC_CSP);
    if (req.isSecure()) res.setHeader("Strict-Transport-Security", HSTS);
  }

  /**
   * With HTTPS on, answers a plain-HTTP request with 301 to the same address over HTTPS and
   * returns true: nothing is served over plain HTTP, no page and no session cookie.
   */
  public static boolean upgraded(HttpServletRequest req, HttpServletResponse res) {
    if (HTTPS_PORT <= 0 || req.isSecure()) return false;
    String host = req.getServerName();
    // getServerName() is the Host header without its port; an IPv6 literal needs its brackets back.
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) host = "[" + host + "]";
    String query = req.getQueryString();
    res.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
    res.setHeader("Location", "https://" + host + ":" + HTTPS_PORT + req.getRequestURI() + (query == null ? "" : "?" + query));
    apply(req, res);
    return true;
  }
}
