package org.medledger.portal.interfaces.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Refuses a form post above the container's limit with 413 and the plain error page stating
 * the limit. Payara (Grizzly) itself parses at most {@link #MAX_FORM_BYTES} of an
 * url-encoded body (the network listener's default {@code max-post-size-bytes}) and otherwise
 * throws "Post too large" from deep inside the Faces servlet, which became a 500 with
 * Payara's exception page. File uploads (multipart) have their own limits (web.xml's
 * multipart-config and the upload fields) and pass through here.
 */
public class RequestSizeFilter extends HttpFilter {
  /** Payara's default max-post-size-bytes, 2 MiB; a record is at most 256 KiB of text. */
  static final long MAX_FORM_BYTES = 2L * 1024 * 1024;
  static final String FORM_LIMIT_TEXT = "2 MB";
  /** How much of a refused body is read to be able to answer; beyond it the connection closes. */
  private static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;
  /** Request attribute the error page shows as the limit. */
  static final String LIMIT_ATTRIBUTE = "medledger.error.limit";
  private static final Logger LOG = Logger.getLogger(RequestSizeFilter.class.getName());

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (isForm(req)) {
      long length = req.getContentLengthLong();
      if (length > MAX_FORM_BYTES) {
        refuse(req, res, length);
        return;
      }
      if (length < 0) {
        // Chunked: the size is known only once read. Parse here, where "Post too large" can
        // still become a 413; Faces would read the parameters as UTF-8 too.
        if (req.getCharacterEncoding() == null) req.setCharacterEncoding("UTF-8");
        try {
          req.getParameterMap();
        } catch (IllegalStateException e) {
          refuse(req, res, length);
          return;
        }
      }
    }
    chain.doFilter(req, res);
  }

  private static void drain(HttpServletRequest req) {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try (var in = req.getInputStream()) {
      for (int n; total < MAX_DRAIN_BYTES && (n = in.read(buf)) > 0; ) total += n;
    } catch (IOException | IllegalStateException e) {
      // the body was read as parameters already, or the client went away: nothing to drop
    }
  }

  private static boolean isForm(HttpServletRequest req) {
    String type = req.getContentType();
    return "POST".equalsIgnoreCase(req.getMethod()) && type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private static void refuse(HttpServletRequest req, HttpServletResponse res, long length) throws IOException {
    LOG.info(() -> "refused a form post of " + (length < 0 ? "more than " + MAX_FORM_BYTES : length)
        + " bytes to " + req.getRequestURI() + " (limit " + MAX_FORM_BYTES + ")");
    req.setAttribute(LIMIT_ATTRIBUTE, FORM_LIMIT_TEXT);
    // Grizzly neither reads the rest of the body nor closes: a client still sending would wait
    // for the answer until the keep-alive timeout. Read (and drop) a bounded rest, then close.
    res.setHeader("Connection", "close");
    drain(req);
    res.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
  }
}
