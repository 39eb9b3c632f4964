package org.medledger.portal.interfaces.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * Refuses an over-size upload with 413 and a page that states the limit, before Faces sees the
 * request. The limits themselves are the Faces servlet's multipart-config in web.xml (one
 * picture at most {@link QrCodes#MAX_IMAGE_BYTES}, the whole form at most {@link
 * #MAX_REQUEST_BYTES}); without this filter the container's refusal surfaces as an exception
 * in Faces and a 500.
 */
@WebFilter(filterName = "UploadLimitFilter", urlPatterns = "*.xhtml")
public class UploadLimitFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /** web.xml multipart-config max-request-size: a picture plus the form's other fields. */
  public static final long MAX_REQUEST_BYTES = 9L * 1024 * 1024;
  /** How much of a refused body is read (so the client reads the answer); beyond it the connection closes. */
  private static final long MAX_DRAIN_BYTES = 32L * 1024 * 1024;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String type = req.getContentType();
    if ("POST".equals(req.getMethod()) && type != null
        && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      if (req.getContentLengthLong() > MAX_REQUEST_BYTES) {
        tooLarge(req, res);
        return;
      }
      try {
        req.getParts(); // parsed here against the multipart-config limits; Faces reuses them
      } catch (IllegalStateException e) {
        // The servlet contract's signal for a part or a request above the configured size.
        tooLarge(req, res);
        return;
      }
    }
    chain.doFilter(req, res);
  }

  private static void tooLarge(HttpServletRequest req, HttpServletResponse res) throws IOException {
    RequestSizeFilter.tooLarge(req, res, "8 MB for a picture (" + QrCodes.LIMITS + ")", MAX_DRAIN_BYTES);
  }
}
