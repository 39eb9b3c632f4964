package org.medledger.portal.infrastructure.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import org.medledger.core.crypto.Argon2Params;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.RecoveryKit;
import org.medledger.core.crypto.UserSecret;
import org.medledger.portal.config.PortalConfig;

/**
 * The user-secret side of the crypto: generating σ, wrapping it under a password (Argon2id with
 * the configured cost), unwrapping, rewrapping and the recovery kit. Callers get a
 * {@link UserSecret} they must close; no raw key bytes leave this class or core.
 */
@ApplicationScoped
public class CryptoService {
  public static final int MIN_PASSWORD_LENGTH = 8;

  @Inject PortalConfig config;

  private final SecureRandom random = new SecureRandom();

  public SecureRandom random() {
    return random;
  }

  public Argon2Params params() {
    return config.argon2();
  }

  public UserSecret newSecret() {
    return UserSecret.generate(random);
  }

  public byte[] wrap(UserSecret secret, char[] password) {
    checkStrength(password);
    return PasswordWrap.wrap(secret, password, config.argon2(), random);
  }

  /** @throws org.medledger.core.crypto.WrongPasswordException when the password is wrong */
  public UserSecret unwrap(byte[] wrapped, char[] password) {
    return PasswordWrap.unwrap(wrapped, password);
  }

  public byte[] rewrap(byte[] wrapped, char[] oldPassword, char[] newPassword) {
    checkStrength(newPassword);
    return PasswordWrap.rewrap(wrapped, oldPassword, newPassword, config.argon2(), random);
  }

  public String recoveryText(UserSecret secret) {
    return RecoveryKit.encode(secret);
  }

  public String recoveryQrPayload(UserSecret secret) {
    return RecoveryKit.qrPayload(secret);
  }

  public UserSecret recover(String kit) {
    return RecoveryKit.decode(kit);
  }

  public static void checkStrength(char[] password) {
    if (password == null || password.length < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("the password must have at least " + MIN_PASSWORD_LENGTH + " characters");
    }
  }
}
