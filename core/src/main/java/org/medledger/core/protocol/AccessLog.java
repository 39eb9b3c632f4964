package org.medledger.core.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.RecordCipher;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.AccessRecord;
import org.medledger.core.record.RecordType;

/**
 * Access records (docs/protocol.md §Access record): what a reader did with a treatment and why,
 * sealed under the treatment key exactly as a process record of type 0x0F with sequence number
 * 0 (RecordCipher, padded to the 256-byte class), so only members read the log; who and when
 * are public, as for every record.
 */
public final class AccessLog {
  /** what u8 ‖ why: at most 255 bytes, so every box is the 256-byte class. */
  public static final int MAX_WHY_BYTES = 254;

  private AccessLog() {}

  /** What the reader did. Codes are stored; never renumber. */
  public enum What {
    /** 1: opened the case file page. */
    CASE_FILE_PAGE(1),
    /** 2: downloaded the case file PDF. */
    CASE_FILE_PDF(2),
    /** 3: exported the evidence bundle. */
    EVIDENCE_BUNDLE(3),
    /** 4: exported the treatment for health software (FHIR). */
    FHIR_EXPORT(4),
    /** 5: read the treatment in an emergency, after a justification (0x11). */
    EMERGENCY_READ(5);

    private final int code;

    What(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    public static What of(int code) {
      for (What w : values()) if (w.code == code) return w;
      throw new CryptoException("unknown access kind " + code);
    }
  }

  /** An opened access record's content. */
  public record Entry(What what, String why) {}

  /** Seals what and why for {@code reader} under the treatment key of {@code tag}. */
  public static AccessRecord seal(SiffKey key, byte[] kappa0, SiffTag tag, long reader, What what, String why) {
    byte[] w = why == null ? new byte[0] : why.getBytes(StandardCharsets.UTF_8);
    if (w.length > MAX_WHY_BYTES) {
      throw new CryptoException("the reason is " + w.length + " bytes; the limit is " + MAX_WHY_BYTES);
    }
    byte[] msg = Bytes.concat(new byte[] {(byte) what.code()}, w);
    return new AccessRecord(kappa0, reader, tag.hash(), RecordCipher.seal(key, context(kappa0, tag.hash(), reader), msg));
  }

  /** Seals with the member's σ: evaluates the tag, then seals. */
  public static AccessRecord seal(UserSecret x, byte[] kappa0, SiffTag tag, long reader, What what, String why) {
    try (SiffKey key = TreatmentProtocol.recoverKey(x, kappa0, tag)) {
      return seal(key, kappa0, tag, reader, what, why);
    }
  }

  /** Opens an access record; throws if it does not open under this key or its content is malformed. */
  public static Entry open(SiffKey key, AccessRecord r) {
    byte[] msg = RecordCipher.openPadded(key, context(r.kappa0(), r.tagHash(), r.reader()), r.box());
    if (msg.length < 1) throw new CryptoException("an access record names what was done");
    What what = What.of(msg[0] & 0xff);
    try {
      String why = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(msg, 1, msg.length - 1)).toString();
      return new Entry(what, why);
    } catch (CharacterCodingException e) {
      throw new CryptoException("an access record's reason is not UTF-8");
    }
  }

  /** Opens with the member's σ and the tag the record names (the caller checks that it is the treatment's). */
  public static Entry open(UserSecret x, SiffTag tag, AccessRecord r) {
    if (!java.util.Arrays.equals(tag.hash(), r.tagHash())) throw new CryptoException("the access record names another key");
    try (SiffKey key = TreatmentProtocol.recoverKey(x, r.kappa0(), tag)) {
      return open(key, r);
    }
  }

  static RecordCipher.Context context(byte[] kappa0, byte[] tagHash, long reader) {
    return new RecordCipher.Context(kappa0, tagHash, RecordType.ACCESS.code(), reader, 0);
  }
}
