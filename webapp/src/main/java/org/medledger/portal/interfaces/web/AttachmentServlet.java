package org.medledger.portal.interfaces.web;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Logger;
import org.medledger.portal.application.fhir.AttachedFile;
import org.medledger.portal.application.fhir.ClinicalRecords;
import org.medledger.portal.security.UserSession;

/**
 * A file attached to a treatment, from its timeline: {@code GET /app/attachment?k=<κ0>&r=<κ>}
 * (docs/portal.md "Attachments"). Like the other member-only downloads: the membership check is
 * the treatment page's (anyone else gets 403 and nothing), an attachment no cache keeps, and the
 * file's kind as its bytes say (PDF, PNG, JPEG; anything else as plain bytes), never as stored.
 */
public class AttachmentServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(AttachmentServlet.class.getName());

  @Inject transient UserSession session;
  @Inject transient ClinicalRecords clinical;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    if (!session.isLoggedIn()) {
      res.sendError(HttpServletResponse.SC_FORBIDDEN);
      return;
    }
    String k = req.getParameter("k");
    String r = req.getParameter("r");
    if (k == null || r == null) {
      res.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    Optional<AttachedFile> file = Attachments.forMember(session, res, reader -> clinical.attachment(reader, k, r));
    if (file == null) return;
    if (file.isEmpty()) {
      res.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    AttachedFile f = file.get();
    LOG.info(() -> "Attachment of treatment " + k.substring(0, Math.min(12, k.length())) + " for " + session.getUsername());
    Attachments.send(res, f.mediaType(), disposition(f.name()), f.bytes());
  }

  /** The name as an ASCII fallback and in UTF-8 (RFC 6266), so "Befund Müller.pdf" keeps its letters. */
  static String disposition(String name) {
    String ascii = name.replaceAll("[^A-Za-z0-9._ -]", "_");
    String utf8 = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + utf8;
  }
}
