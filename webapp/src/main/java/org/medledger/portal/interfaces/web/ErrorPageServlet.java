package org.medledger.portal.interfaces.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import org.medledger.portal.security.SecurityHeaders;

/**
 * The portal's one error page (web.xml maps every status and exception here): a status, a
 * sentence, a link home. No exception text, no server name, no session (an error must not
 * start one), no script. The container keeps the status the error was raised with.
 */
public class ErrorPageServlet extends HttpServlet {
  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND; // asked for directly
    if (status < 400) status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
    Object limit = req.getAttribute(RequestSizeFilter.LIMIT_ATTRIBUTE);
    String[] text = text(status, limit instanceof String s ? s : null);

    if (!res.isCommitted()) res.resetBuffer();
    res.setStatus(status);
    SecurityHeaders.apply(req, res);
    res.setHeader("Cache-Control", "no-store");
    if (status == HttpServletResponse.SC_SERVICE_UNAVAILABLE && res.getHeader("Retry-After") == null) {
      res.setHeader("Retry-After", "5");
    }
    res.setContentType("text/html;charset=UTF-8");
    PrintWriter w = res.getWriter();
    w.print("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>MedLedger — ");
    w.print(text[0]);
    w.print("</title></head>\n<body style=\"font-family:sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem\">\n<h1>");
    w.print(status + " · " + text[0]);
    w.print("</h1>\n<p>");
    w.print(text[1]);
    w.print("</p>\n<p><a href=\"" + req.getContextPath() + "/\">MedLedger portal</a></p>\n</body></html>\n");
  }

  /** Title and sentence; only fixed text (and our own limit), never anything from the request. */
  static String[] text(int status, String limit) {
    return switch (status) {
      case 400 -> new String[] {"Bad request",
          "The portal could not use this request. If you were working on a page, it may have expired: open it again."};
      case 401, 403 -> new String[] {"Not allowed", "You are not allowed to open this page."};
      case 404 -> new String[] {"Page not found", "There is no such page on this portal."};
      case 405 -> new String[] {"Not allowed", "This page cannot be used this way."};
      case 413 -> new String[] {"Request too large", limit == null
          ? "The request was larger than this portal accepts."
          : "The request was larger than this portal accepts: at most " + limit + "."};
      case 503 -> new String[] {"Busy", "The portal is busy. Please try again in a few seconds."};
      default -> status < 500
          ? new String[] {"Bad request", "The portal could not use this request."}
          : new String[] {"Something went wrong", "The portal could not complete this request. Please try again; "
              + "if it keeps failing, tell the portal's operator."};
    };
  }
}
