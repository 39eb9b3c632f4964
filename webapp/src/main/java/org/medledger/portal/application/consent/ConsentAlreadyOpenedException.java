package org.medledger.portal.application.consent;

import org.medledger.portal.application.PortalException;

/**
 * The doctor scanned a consent that already opened their treatment: nothing is written again,
 * and the page takes the doctor to that treatment ({@link #kappa0Hex}).
 */
public class ConsentAlreadyOpenedException extends PortalException {
  private static final long serialVersionUID = 1L;

  private final String kappa0Hex;

  public ConsentAlreadyOpenedException(String kappa0Hex) {
    super("You opened this treatment before with the same QR code; here it is.");
    this.kappa0Hex = kappa0Hex;
  }

  public String kappa0Hex() {
    return kappa0Hex;
  }
}
