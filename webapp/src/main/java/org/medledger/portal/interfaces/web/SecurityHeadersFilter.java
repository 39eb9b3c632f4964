package org.medledger.portal.interfaces.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.medledger.portal.security.SecurityHeaders;

/**
 * Puts {@link SecurityHeaders} on every answer, {@code Cache-Control: no-store} on every page,
 * and, with HTTPS on, redirects plain HTTP to it.
 *
 * <p>Faces pages get their Content-Security-Policy from PrimeFaces ({@code primefaces.CSP} in
 * web.xml), which knows the per-response script nonce; everything else (redirects, resources,
 * error pages) keeps {@link SecurityHeaders#STATIC_CSP}. The response is wrapped so that
 * PrimeFaces' header replaces the static one instead of adding a second policy (browsers
 * enforce every policy they receive, and the static one forbids all scripts).
 */
public class SecurityHeadersFilter extends HttpFilter {
  private static final String RESOURCES = "/jakarta.faces.resource/";

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (SecurityHeaders.upgraded(req, res)) return;
    SecurityHeaders.apply(req, res);
    if (!req.getRequestURI().startsWith(req.getContextPath() + RESOURCES)) {
      // Pages show a user's data: never keep them in a cache (nor in the back/forward cache),
      // so that Back after Log out asks the server again, which answers with the login page.
      res.setHeader("Cache-Control", "no-store");
    }
    chain.doFilter(req, new OneCspResponse(res));
  }

  /** Turns a later Content-Security-Policy header into a replacement of the one set here. */
  private static final class OneCspResponse extends HttpServletResponseWrapper {
    OneCspResponse(HttpServletResponse res) {
      super(res);
    }

    @Override
    public void addHeader(String name, String value) {
      if ("Content-Security-Policy".equalsIgnoreCase(name)) super.setHeader(name, value);
      else super.addHeader(name, value);
    }
  }
}
