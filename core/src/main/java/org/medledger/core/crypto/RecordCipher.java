package org.medledger.core.crypto;

/**
 * Encryption of a process record's message (txd, txm, txa) under the treatment's SIFF key
 * (docs/protocol.md §Record encryption):
 *
 * <pre>
 * K_rec  = HKDF-SHA256(IKM = f(s), salt = κ0,
 *                      info = "MedLedger v1 record" || type || ind_sender || seq)
 * AD     = "MedLedger v1 record" || version || κ0 || SHA-256(tag) || type || ind_sender || seq
 * padded = msg || 0x80 || 0x00* up to the size class (version 2)
 * box    = nonce(12) || AES-256-GCM(K_rec, padded, AD)
 * </pre>
 *
 * Binding κ0, the tag, the type and the sender means no record can be replayed into another
 * treatment, role or position; every participant derives K_rec alone from f(s_x).
 *
 * <p>Padding: the message is padded (ISO/IEC 7816-4: a 0x80 byte, then zeros) to the smallest
 * size class that holds it plus the marker, so a record's length tells a reader of the ledger
 * the class of its text (256 B, 512 B, ... 128 KiB, 256 KiB + 1), not its length. Records
 * written before padding carry version 1 in the AD and a bare message; the version is not
 * stored in the record, so {@link #open} tries version 2 and then version 1 — the AD is
 * authenticated, so a box opens under exactly one of them.
 */
public final class RecordCipher {
  /** The format this code writes: padded message, 0x02 in the AD. */
  public static final byte FORMAT_VERSION = 2;
  /** The format written before padding: bare message, 0x01 in the AD; still read. */
  public static final byte UNPADDED_FORMAT_VERSION = 1;
  /** The longest message a record carries (the codec's limit, too). */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;
  /** The smallest size class. */
  public static final int MIN_PADDED_BYTES = 256;
  /** The largest size class: the message limit plus the marker byte. */
  public static final int MAX_PADDED_BYTES = MAX_MESSAGE_BYTES + 1;
  private static final byte MARKER = (byte) 0x80;
  private static final byte[] LABEL = UserSecret.ascii("MedLedger v1 record");
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private RecordCipher() {}

  /** The context a record is bound to. */
  public record Context(byte[] kappa0, byte[] tagHash, int recordType, long senderIndex, int sequence) {
    byte[] info() {
      return Bytes.concat(LABEL, new byte[] {(byte) recordType}, Bytes.u64(senderIndex), Bytes.u32(sequence));
    }

    /** The AD of the current (padded) format. */
    public byte[] associatedData() {
      return associatedData(FORMAT_VERSION);
    }

    public byte[] associatedData(byte version) {
      return Bytes.concat(
          LABEL, new byte[] {version}, kappa0, tagHash, new byte[] {(byte) recordType},
          Bytes.u64(senderIndex), Bytes.u32(sequence));
    }
  }

  /**
   * The size class of a message of {@code length} bytes: the smallest power of two ≥ length + 1,
   * at least 256; messages over 128 KiB share the last class, 256 KiB + 1.
   */
  public static int paddedLength(int length) {
    if (length < 0 || length > MAX_MESSAGE_BYTES) {
      throw new CryptoException("the message is " + length + " bytes; the limit is " + MAX_MESSAGE_BYTES);
    }
    int need = length + 1;
    if (need > MAX_MESSAGE_BYTES / 2) return MAX_PADDED_BYTES;
    int c = MIN_PADDED_BYTES;
    while (c < need) c <<= 1;
    return c;
  }

  /** msg ‖ 0x80 ‖ 0x00… to {@link #paddedLength}. */
  public static byte[] pad(byte[] message) {
    byte[] out = new byte[paddedLength(message.length)];
    System.arraycopy(message, 0, out, 0, message.length);
    out[message.length] = MARKER;
    return out;
  }

  /** The message inside a padded plaintext; refuses a length that is not a class or a bad tail. */
  public static byte[] unpad(byte[] padded) {
    boolean isClass = padded.length == MAX_PADDED_BYTES
        || (padded.length >= MIN_PADDED_BYTES && padded.length <= MAX_MESSAGE_BYTES / 2
            && Integer.bitCount(padded.length) == 1);
    if (!isClass) throw new CryptoException("record padding: " + padded.length + " bytes is not a size class");
    int i = padded.length - 1;
    while (i >= 0 && padded[i] == 0) i--;
    if (i < 0 || padded[i] != MARKER) throw new CryptoException("record padding: no 0x80 marker");
    if (paddedLength(i) != padded.length) throw new CryptoException("record padding: longer than its class needs");
    return java.util.Arrays.copyOf(padded, i);
  }

  /** Seals {@code message} (padded) under a fresh random nonce. */
  public static byte[] seal(SiffKey key, Context ctx, byte[] message) {
    byte[] nonce = new byte[AesGcm.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return seal(key, ctx, message, nonce);
  }

  /** The same with a given nonce: known-answer tests and the worked example only. */
  public static byte[] seal(SiffKey key, Context ctx, byte[] message, byte[] nonce) {
    byte[] k = recordKey(key, ctx);
    byte[] padded = pad(message);
    try {
      return Bytes.concat(nonce, AesGcm.encrypt(k, nonce, ctx.associatedData(FORMAT_VERSION), padded, AesGcm.TAG_BYTES * 8));
    } finally {
      Bytes.wipe(k);
      Bytes.wipe(padded);
    }
  }

  /**
   * Opens a box of either format: version 2 (padded), else version 1 (bare message, written
   * before padding). Throws {@link AuthenticationFailedException} if it opens under neither.
   */
  public static byte[] open(SiffKey key, Context ctx, byte[] box) {
    byte[] k = recordKey(key, ctx);
    try {
      byte[] padded;
      try {
        padded = AesGcm.open(k, ctx.associatedData(FORMAT_VERSION), box);
      } catch (AuthenticationFailedException notPadded) {
        return AesGcm.open(k, ctx.associatedData(UNPADDED_FORMAT_VERSION), box);
      }
      try {
        return unpad(padded);
      } finally {
        Bytes.wipe(padded);
      }
    } finally {
      Bytes.wipe(k);
    }
  }

  /**
   * Opens a box of the current format only (padded, version 2 in the AD): for record types that
   * never had a format 1, such as the access record, so nothing reads two ways.
   */
  public static byte[] openPadded(SiffKey key, Context ctx, byte[] box) {
    byte[] k = recordKey(key, ctx);
    byte[] padded = null;
    try {
      padded = AesGcm.open(k, ctx.associatedData(FORMAT_VERSION), box);
      return unpad(padded);
    } finally {
      Bytes.wipe(k);
      if (padded != null) Bytes.wipe(padded);
    }
  }

  private static byte[] recordKey(SiffKey key, Context ctx) {
    byte[] ikm = key.bytes();
    try {
      return Hashes.hkdfSha256(ikm, ctx.kappa0(), ctx.info(), 32);
    } finally {
      Bytes.wipe(ikm);
    }
  }
}
