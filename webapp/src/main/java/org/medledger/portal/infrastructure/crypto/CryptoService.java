package org.medledger.portal.infrastructure.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import org.medledger.core.crypto.Argon2Params;
import org.medledger.core.crypto.InvalidPasswordException;
import org.medledger.core.crypto.PasswordProfile;
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
  @Inject Argon2Pool pool;

  private final SecureRandom random = new SecureRandom();
  private volatile byte[] decoy;

  public SecureRandom random() {
    return random;
  }

  public Argon2Params params() {
    return config.argon2();
  }

  public UserSecret newSecret() {
    return UserSecret.generate(random);
  }

  /** Wraps σ under the password, in the Argon2id pool (waiting for a place if need be). */
  public byte[] wrap(UserSecret secret, char[] password) {
    checkStrength(password);
    return pool.run(() -> PasswordWrap.wrap(secret, password, config.argon2(), random));
  }

  /** The same, in a place the caller reserved ({@link Argon2Pool#reserve()}). */
  public byte[] wrap(Argon2Pool.Place place, UserSecret secret, char[] password) {
    checkStrength(password);
    return place.run(() -> PasswordWrap.wrap(secret, password, config.argon2(), random));
  }

  /** @throws org.medledger.core.crypto.WrongPasswordException when the password is wrong */
  public UserSecret unwrap(byte[] wrapped, char[] password) {
    return pool.run(() -> PasswordWrap.unwrap(wrapped, password));
  }

  /** The same, in a place the caller reserved ({@link Argon2Pool#reserve()}). */
  public UserSecret unwrap(Argon2Pool.Place place, byte[] wrapped, char[] password) {
    return place.run(() -> PasswordWrap.unwrap(wrapped, password));
  }

  public byte[] rewrap(byte[] wrapped, char[] oldPassword, char[] newPassword) {
    checkStrength(newPassword);
    return pool.run(() -> PasswordWrap.rewrap(wrapped, oldPassword, newPassword, config.argon2(), random));
  }

  /**
   * A wrapped secret nobody can open (random σ under a random password, at the current cost):
   * an unknown user name is checked against it, so it costs what a wrong password costs.
   */
  public byte[] decoy() {
    byte[] d = decoy;
    if (d == null) {
      synchronized (this) {
        if (decoy == null) {
          char[] pw = new char[32];
          for (int i = 0; i < pw.length; i++) pw[i] = (char) ('a' + random.nextInt(26));
          try (UserSecret s = UserSecret.generate(random)) {
            decoy = PasswordWrap.wrap(s, pw, config.argon2(), random);
          } finally {
            java.util.Arrays.fill(pw, '\0');
          }
        }
        d = decoy;
      }
    }
    return d.clone();
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

  /**
   * A new password: RFC 8265 OpaqueString must accept it ({@link PasswordProfile}) and it must
   * have at least 8 characters (code points, after enforcement).
   *
   * @throws IllegalArgumentException whose message completes "The password ..." / "The new password ..."
   */
  public static void checkStrength(char[] password) {
    int length;
    try {
      length = password == null || password.length == 0 ? 0 : PasswordProfile.length(password);
    } catch (InvalidPasswordException e) {
      // "The password contains ..." -> "contains ..."
      throw new IllegalArgumentException(e.getMessage().replaceFirst("^The password ", "").replaceFirst("\\.$", ""), e);
    }
    if (length < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("must have at least " + MIN_PASSWORD_LENGTH + " characters");
    }
  }
}
