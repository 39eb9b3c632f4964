package org.medledger.portal.application.cover;

import java.util.List;

/**
 * What the doctor sees after scanning and before opening the treatment: whose treatment and what
 * about (empty when the code carries no cover the doctor can open), and who takes part.
 */
public record ScanPreview(TreatmentCover cover, List<String> participants) implements java.io.Serializable {
  public boolean hasCover() {
    return cover != null;
  }
}
