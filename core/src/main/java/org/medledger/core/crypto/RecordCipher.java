package org.medledger.core.crypto;

/**
 * Encryption of a process record's message (txd, txm, txa) under the treatment's SIFF key
 * (docs/protocol.md §Record encryption):
 *
 * <pre>
 * K_rec = HKDF-SHA256(IKM = f(s), salt = κ0,
 *                     info = "MedLedger v1 record" || type || ind_sender || seq)
 * AD    = "MedLedger v1 record" || version || κ0 || SHA-256(tag) || type || ind_sender || seq
 * box   = nonce(12) || AES-256-GCM(K_rec, msg, AD)
 * </pre>
 *
 * Binding κ0, the tag, the type and the sender means no record can be replayed into another
 * treatment, role or position; every participant derives K_rec alone from f(s_x).
 */
public final class RecordCipher {
  public static final byte FORMAT_VERSION = 1;
  private static final byte[] LABEL = UserSecret.ascii("MedLedger v1 record");

  private RecordCipher() {}

  /** The context a record is bound to. */
  public record Context(byte[] kappa0, byte[] tagHash, int recordType, long senderIndex, int sequence) {
    byte[] info() {
      return Bytes.concat(LABEL, new byte[] {(byte) recordType}, Bytes.u64(senderIndex), Bytes.u32(sequence));
    }

    public byte[] associatedData() {
      return Bytes.concat(
          LABEL, new byte[] {FORMAT_VERSION}, kappa0, tagHash, new byte[] {(byte) recordType},
          Bytes.u64(senderIndex), Bytes.u32(sequence));
    }
  }

  public static byte[] seal(SiffKey key, Context ctx, byte[] message) {
    byte[] k = recordKey(key, ctx);
    try {
      return AesGcm.seal(k, ctx.associatedData(), message);
    } finally {
      Bytes.wipe(k);
    }
  }

  public static byte[] open(SiffKey key, Context ctx, byte[] box) {
    byte[] k = recordKey(key, ctx);
    try {
      return AesGcm.open(k, ctx.associatedData(), box);
    } finally {
      Bytes.wipe(k);
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
