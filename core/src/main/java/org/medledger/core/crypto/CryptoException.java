package org.medledger.core.crypto;

/**
 * A cryptographic operation failed for a reason the caller can report (wrong password, tampered
 * ciphertext, invalid public key...). Messages never contain key material or plaintext.
 */
public class CryptoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
