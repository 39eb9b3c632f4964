package org.medledger.core.crypto;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Wraps σ_x under a password: key = Argon2id(UTF-8(OpaqueString(password)), salt), box = AES-256-GCM(key, σ_x) with
 * the header as associated data. Layout (docs/protocol.md §Wrapped secret):
 * {@code "MLW" 0x01 | t u8 | m u32 (KiB) | p u8 | salt 16 | nonce 12 | ciphertext 32 | tag 16}
 * = 86 bytes.
 */
public final class PasswordWrap {
  public static final int SALT_BYTES = 16;
  static final int HEADER_BYTES = 3 + 1 + 1 + 4 + 1 + SALT_BYTES;
  public static final int WRAPPED_BYTES = HEADER_BYTES + AesGcm.OVERHEAD + UserSecret.BYTES;
  private static final byte[] MAGIC = {'M', 'L', 'W'};
  private static final byte VERSION = 1;

  private PasswordWrap() {}

  public static byte[] wrap(UserSecret secret, char[] password, Argon2Params params, SecureRandom random) {
    requirePassword(password);
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
    h.put(MAGIC).put(VERSION).put((byte) params.iterations()).putInt(params.memoryKiB())
        .put((byte) params.parallelism()).put(salt);
    byte[] header = h.array();
    byte[] key = argon2id(password, salt, params);
    byte[] raw = secret.raw();
    try {
      return Bytes.concat(header, AesGcm.seal(key, header, raw));
    } finally {
      Bytes.wipe(key);
      Bytes.wipe(raw);
    }
  }

  /**
   * @throws WrongPasswordException if the password does not open the box
   * @throws CryptoException if the blob is not a wrapped secret
   */
  public static UserSecret unwrap(byte[] wrapped, char[] password) {
    if (wrapped == null || wrapped.length != WRAPPED_BYTES
        || wrapped[0] != 'M' || wrapped[1] != 'L' || wrapped[2] != 'W') {
      throw new CryptoException("not a MedLedger wrapped secret");
    }
    if (wrapped[3] != VERSION) {
      throw new CryptoException("unsupported wrapped-secret version " + wrapped[3]);
    }
    requirePassword(password);
    ByteBuffer b = ByteBuffer.wrap(wrapped, 4, HEADER_BYTES - 4);
    Argon2Params params = new Argon2Params(b.get() & 0xff, b.getInt(), b.get() & 0xff);
    byte[] salt = new byte[SALT_BYTES];
    b.get(salt);
    byte[] header = Arrays.copyOf(wrapped, HEADER_BYTES);
    byte[] key = argon2id(password, salt, params);
    byte[] raw = null;
    try {
      raw = AesGcm.open(key, header, Arrays.copyOfRange(wrapped, HEADER_BYTES, wrapped.length));
      return UserSecret.of(raw);
    } catch (AuthenticationFailedException e) {
      throw new WrongPasswordException();
    } finally {
      Bytes.wipe(key);
      Bytes.wipe(raw);
    }
  }

  /** Password change: unwrap with the old password, wrap the same σ under the new one. */
  public static byte[] rewrap(
      byte[] wrapped, char[] oldPassword, char[] newPassword, Argon2Params params, SecureRandom random) {
    try (UserSecret s = unwrap(wrapped, oldPassword)) {
      return wrap(s, newPassword, params, random);
    }
  }

  /** Raw Argon2id (version 0x13) for known-answer tests and the wrap key. */
  public static byte[] argon2id(
      byte[] password, byte[] salt, byte[] secret, byte[] ad, Argon2Params p, int outLen) {
    Argon2Parameters.Builder b = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withIterations(p.iterations())
        .withMemoryAsKB(p.memoryKiB())
        .withParallelism(p.parallelism())
        .withSalt(salt);
    if (secret != null) b.withSecret(secret);
    if (ad != null) b.withAdditional(ad);
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(b.build());
    byte[] out = new byte[outLen];
    g.generateBytes(password, out);
    return out;
  }

  /**
   * K_pw from the password as RFC 8265's OpaqueString profile enforces it ({@link PasswordProfile}):
   * Argon2id sees UTF-8(NFC, non-ASCII spaces as U+0020), so the same password typed in another
   * Unicode form gives the same key.
   */
  private static byte[] argon2id(char[] password, byte[] salt, Argon2Params params) {
    byte[] pw = PasswordProfile.utf8(password);
    try {
      return argon2id(pw, salt, null, null, params, 32);
    } finally {
      Bytes.wipe(pw);
    }
  }

  private static void requirePassword(char[] password) {
    if (password == null || password.length == 0) {
      throw new InvalidPasswordException("The password must not be empty.");
    }
  }
}
