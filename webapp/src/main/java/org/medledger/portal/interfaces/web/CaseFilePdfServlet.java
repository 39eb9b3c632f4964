package org.medledger.portal.interfaces.web;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.ZoneId;
import java.util.Locale;
import java.util.logging.Logger;
import org.medledger.core.protocol.AccessLog;
import org.medledger.portal.application.access.AccessLogService;
import org.medledger.portal.application.casefile.CaseFile;
import org.medledger.portal.application.casefile.CaseFileService;
import org.medledger.portal.infrastructure.pdf.CaseFilePdf;
import org.medledger.portal.security.UserSession;

/**
 * "Download PDF" on the case file page: {@code GET /app/casefile.pdf?k=<κ0>}. Under /app/, so
 * only a logged-in user reaches it; the case file is made by {@link CaseFileService}, whose
 * membership check is the page's: anyone else gets 403 and nothing of the treatment. A GET
 * with no body (the request-size filter has nothing to do); the answer is an attachment that
 * no cache keeps, with the security headers of every answer (SecurityHeadersFilter).
 */
public class CaseFilePdfServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(CaseFilePdfServlet.class.getName());

  @Inject transient UserSession session;
  @Inject transient CaseFileService caseFiles;
  @Inject transient CaseFilePdf pdf;
  @Inject transient AccessLogService accessLog;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    ZoneId zone = Attachments.zoneOf(req);
    // No access without its record: the ledger commits it before a byte is sent.
    CaseFile file = Attachments.forMember(session, res, reader -> {
      CaseFile f = caseFiles.caseFile(reader, req.getParameter("k"), zone);
      accessLog.record(reader, f.kappa0Hex(), AccessLog.What.CASE_FILE_PDF, "");
      return f;
    });
    if (file == null) return;
    byte[] bytes = pdf.render(file, new ReadableTime(zone)::format);
    LOG.info(() -> "Case file PDF of treatment " + file.kappa0Hex().substring(0, 12) + " for " + session.getUsername());
    Attachments.send(res, "application/pdf", disposition(file.title()), bytes);
  }

  /**
   * An attachment named after the treatment: "case-file-treatment-with-dr-claire-dubois.pdf", with
   * the title as typed (any script) in filename* for browsers that read it.
   */
  static String disposition(String title) {
    String ascii = Normalizer.normalize(title, Normalizer.Form.NFKD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (ascii.length() > 60) ascii = ascii.substring(0, 60).replaceAll("-+$", "");
    String name = ascii.isEmpty() ? "case-file.pdf" : "case-file-" + ascii + ".pdf";
    String utf8 = URLEncoder.encode("Case file - " + title + ".pdf", StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    return "attachment; filename=\"" + name + "\"; filename*=UTF-8''" + utf8;
  }
}
