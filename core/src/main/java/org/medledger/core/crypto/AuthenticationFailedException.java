package org.medledger.core.crypto;

/** Ciphertext, associated data or tag was altered, or the key is not the one that sealed it. */
public class AuthenticationFailedException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public AuthenticationFailedException(String message) {
    super(message);
  }
}
