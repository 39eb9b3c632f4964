package org.medledger.portal.interfaces.web;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.medledger.core.protocol.AccessLog;
import org.medledger.portal.application.access.AccessLogService;
import org.medledger.portal.application.fhir.ClinicalRecords;
import org.medledger.portal.security.UserSession;

/**
 * "Download for health software" on the treatment page: {@code GET /app/treatment.fhir.json?k=<κ0>},
 * the treatment as one FHIR R4 Bundle (docs/portal.md "Export"). Like the case file's PDF: under
 * /app/, the membership check is the treatment page's (anyone else gets 403 and nothing), an
 * attachment that no cache keeps.
 */
public class FhirExportServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(FhirExportServlet.class.getName());

  @Inject transient UserSession session;
  @Inject transient ClinicalRecords clinical;
  @Inject transient AccessLogService accessLog;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String k = req.getParameter("k");
    String json = Attachments.forMember(session, res, reader -> {
      String bundle = clinical.bundle(reader, k);
      accessLog.record(reader, k, AccessLog.What.FHIR_EXPORT, ""); // before a byte is sent
      return bundle;
    });
    if (json == null) return;
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    LOG.info(() -> "FHIR export of treatment " + k.substring(0, Math.min(12, k.length())) + " for " + session.getUsername());
    Attachments.send(res, "application/fhir+json;fhirVersion=4.0;charset=UTF-8",
        "attachment; filename=\"treatment-" + k.substring(0, Math.min(12, k.length())) + ".fhir.json\"", bytes);
  }
}
