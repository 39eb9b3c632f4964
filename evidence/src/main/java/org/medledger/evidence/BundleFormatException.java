package org.medledger.evidence;

/** The file is not an evidence bundle this verifier can read; the message says what is wrong. */
public final class BundleFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BundleFormatException(String message) {
    super(message);
  }
}
