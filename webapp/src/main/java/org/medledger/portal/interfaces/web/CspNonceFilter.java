package org.medledger.portal.interfaces.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Under the Content-Security-Policy every form post carries the nonce of the page it came from
 * (PrimeFaces' script adds it; web.xml, {@code primefaces.CSP}). A post without it, or with
 * another, is forged or replayed: PrimeFaces refuses it by throwing from a phase listener,
 * outside Faces' exception handling, which the container would answer with a 500 and a stack
 * trace in the log. It is the client's error: a plain 400 and one log line.
 */
@WebFilter(filterName = "CspNonceFilter", urlPatterns = "*.xhtml")
public class CspNonceFilter extends HttpFilter {
  private static final Logger LOG = Logger.getLogger(CspNonceFilter.class.getName());
  /** PrimeFaces' exception, by name: the class lives in the WAR, not in this module's API. */
  private static final String CSP_EXCEPTION = "org.primefaces.csp.CspException";

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    try {
      chain.doFilter(req, res);
    } catch (ServletException | RuntimeException e) {
      if (!isCspRefusal(e)) throw e;
      LOG.info(() -> "a post to " + req.getServletPath() + " carried no or another page's CSP nonce: answered 400");
      if (!res.isCommitted()) {
        res.reset();
        res.sendError(HttpServletResponse.SC_BAD_REQUEST);
      }
    }
  }

  static boolean isCspRefusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (CSP_EXCEPTION.equals(t.getClass().getName())) return true;
    }
    return false;
  }
}
