package org.medledger.core.crypto;

/** The password does not unlock the wrapped user secret. */
public class WrongPasswordException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public WrongPasswordException() {
    super("wrong password");
  }
}
