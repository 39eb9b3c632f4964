package org.medledger.core.crypto;

/**
 * The password cannot be used as typed: it is empty, or contains a code point that RFC 8265's
 * OpaqueString profile does not allow ({@link PasswordProfile}). The message names the code point
 * and why, never the password.
 */
public class InvalidPasswordException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidPasswordException(String message) {
    super(message);
  }
}
