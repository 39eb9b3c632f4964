package org.medledger.portal.interfaces.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
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
  /** A larger body announced by Content-Length is not read: the connection is closed instead. */
  private static final long MAX_DRAIN_BYTES = 32L * 1024 * 1024;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String type = req.getContentType();
    if ("POST".equals(req.getMethod()) && type != null
        && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      long length = req.getContentLengthLong();
      if (length > MAX_REQUEST_BYTES) {
        if (length <= MAX_DRAIN_BYTES) {
          drain(req.getInputStream()); // so the client reads the answer instead of a reset
        } else {
          res.setHeader("Connection", "close");
        }
        tooLarge(res);
        return;
      }
      try {
        req.getParts(); // parsed here against the multipart-config limits; Faces reuses them
      } catch (IllegalStateException e) {
        // The servlet contract's signal for a part or a request above the configured size.
        tooLarge(res);
        return;
      }
    }
    chain.doFilter(req, res);
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (in.read(buf) >= 0) {
      // discard
    }
  }

  private static void tooLarge(HttpServletResponse res) throws IOException {
    res.reset();
    res.setStatus(413);
    res.setContentType("text/html;charset=UTF-8");
    res.setHeader("Cache-Control", "no-store");
    try (PrintWriter w = res.getWriter()) {
      w.print("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"UTF-8\"><title>Upload too large</title></head>"
          + "<body><h1>The upload is too large</h1><p>A picture may be at most 8 MB ("
          + QrCodes.LIMITS + "). Nothing was saved.</p><p><a href=\"javascript:history.back()\">Back</a></p>"
          + "</body></html>");
    }
  }
}
