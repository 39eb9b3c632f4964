package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.infrastructure.qr.QrCodes;

/** The picture upload limits for the pages (the field's hint and its client-side check). */
@Named("uploadLimits")
@ApplicationScoped
public class UploadLimits {
  public String getText() {
    return QrCodes.LIMITS + ".";
  }

  public int getMaxBytes() {
    return QrCodes.MAX_IMAGE_BYTES;
  }

  /** The attachment field's hint: "A PDF, PNG or JPEG file of at most 180 KB." */
  public String getAttachmentText() {
    return org.medledger.portal.application.fhir.AttachedFile.LIMITS + ".";
  }

  public int getAttachmentMaxBytes() {
    return org.medledger.portal.application.fhir.AttachedFile.MAX_BYTES;
  }

  /**
   * A file attached to a record, checked from its bytes (AttachedFile.of), refused above the
   * limit without reading the rest; null when no file was chosen.
   */
  static org.medledger.portal.application.fhir.AttachedFile readAttachment(Part part) throws IOException {
    if (part == null || part.getSize() == 0) return null;
    int max = org.medledger.portal.application.fhir.AttachedFile.MAX_BYTES;
    byte[] b;
    try (InputStream in = part.getInputStream()) {
      b = in.readNBytes(max + 1);
    }
    // AttachedFile.of names the limit when b is larger than max
    return org.medledger.portal.application.fhir.AttachedFile.of(part.getSubmittedFileName(), b);
  }

  /** The uploaded picture's bytes, refused above the limit without reading the rest. */
  static byte[] read(Part part) throws IOException {
    if (part.getSize() > QrCodes.MAX_IMAGE_BYTES) {
      throw new PortalException("The picture is larger than 8 MB, the limit for an upload.");
    }
    try (InputStream in = part.getInputStream()) {
      byte[] b = in.readNBytes(QrCodes.MAX_IMAGE_BYTES + 1);
      if (b.length > QrCodes.MAX_IMAGE_BYTES) {
        throw new PortalException("The picture is larger than 8 MB, the limit for an upload.");
      }
      return b;
    }
  }
}
