package org.medledger.portal.interfaces.web;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.ZoneId;
import java.util.logging.Logger;
import org.medledger.ledger.LedgerException;
import org.medledger.core.protocol.AccessLog;
import org.medledger.portal.application.access.AccessLogService;
import org.medledger.portal.application.evidence.EvidenceService;
import org.medledger.portal.security.UserSession;

/**
 * "Download evidence" on the case file page: {@code GET /app/evidence.zip?k=<κ0>} (and
 * {@code &password=1} for a bundle the member's password also opens). Under /app/, so only a
 * logged-in user reaches it; {@link EvidenceService} checks membership as the case file does:
 * anyone else gets 403 and nothing of the treatment. The answer is an attachment no cache keeps.
 */
public class EvidenceServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(EvidenceServlet.class.getName());

  @Inject transient UserSession session;
  @Inject transient EvidenceService evidence;
  @Inject transient AccessLogService accessLog;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    ZoneId zone = Attachments.zoneOf(req);
    String k = req.getParameter("k");
    byte[] zip;
    try {
      // Recorded first (membership is checked there too): no export without its access record.
      zip = Attachments.forMember(session, res, reader -> {
        accessLog.record(reader, k, AccessLog.What.EVIDENCE_BUNDLE, "");
        return evidence.export(reader, k, zone, new ReadableTime(zone)::format, "1".equals(req.getParameter("password")));
      });
    } catch (LedgerException e) {
      LOG.warning(() -> "Evidence bundle not made: " + e.getMessage());
      res.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      return;
    }
    if (zip == null) return;
    LOG.info(() -> "Evidence bundle of treatment " + k.substring(0, 12) + " for " + session.getUsername());
    Attachments.send(res, "application/zip", "attachment; filename=\"evidence-" + k.substring(0, 12) + ".zip\"", zip);
  }
}
