package org.medledger.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.record.RecordFormatException.Reason;
import org.medledger.core.testing.Fixtures;

/** The canonical record encoding: round trips, and every malformed input refused with its reason. */
class RecordCodecTest {
  private static final Fixtures F = new Fixtures("codec");

  private static Reason reasonOf(byte[] v) {
    RecordFormatException e = catchThrowableOfType(() -> Fixtures.parseAny(v), RecordFormatException.class);
    assertThat(e).as("expected a RecordFormatException").isNotNull();
    assertThat(e.getMessage()).isNotBlank();
    return e.reason();
  }

  /** A record split into its header and its (tag, value) fields. */
  record Field(int tag, byte[] value) {}

  static List<Field> fields(byte[] v) {
    List<Field> out = new ArrayList<>();
    int pos = 4;
    while (pos < v.length) {
      int len = (int) (Bytes.readU64(new byte[] {0, 0, 0, 0, v[pos + 1], v[pos + 2], v[pos + 3], v[pos + 4]}, 0));
      out.add(new Field(v[pos] & 0xff, Arrays.copyOfRange(v, pos + 5, pos + 5 + len)));
      pos += 5 + len;
    }
    return out;
  }

  static byte[] join(byte[] v, List<Field> fs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(v, 0, 4);
    for (Field f : fs) {
      out.write(f.tag());
      out.writeBytes(Bytes.u32(f.value().length));
      out.writeBytes(f.value());
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ round trips

  @Test
  void everyRecordRoundTripsToTheSameBytes() {
    for (byte[] v : F.allEncodings()) {
      Object parsed = Fixtures.parseAny(v);
      byte[] again = parsed instanceof Consent c ? RecordCodec.encodeConsent(c)
          : parsed instanceof EventPayload e ? RecordCodec.encodeEvent(e)
          : RecordCodec.encode((LedgerRecord) parsed);
      assertThat(again).isEqualTo(v);
      assertThat(join(v, fields(v))).isEqualTo(v);
    }
    Txtc t = (Txtc) RecordCodec.parse(RecordCodec.encode(F.txtc));
    assertThat(t.consent().members()).hasSize(6);
    assertThat(RecordCodec.kappa(RecordCodec.encode(t))).isEqualTo(F.kappa0);
    EventPayload e = RecordCodec.parseEvent(RecordCodec.encodeEvent(F.event));
    assertThat(e.recipients()).containsExactlyInAnyOrderElementsOf(F.event.recipients());
    assertThat(RecordCodec.peekType(RecordCodec.encode(F.txa))).isEqualTo(RecordType.TXA);
    Txk k = (Txk) RecordCodec.parse(RecordCodec.encode(F.txk));
    assertThat(k.excluded()).containsExactly(Fixtures.index(F.lawyer));
    assertThat(k.doctor()).isEqualTo(Fixtures.index(F.doctor));
    assertThat(org.medledger.core.crypto.SiffTag.parse(k.tag()).members()).isEqualTo(5);
  }

  /**
   * The withdrawal (0x0B): consent id (16 bytes), vk_p' (a compressed point), the signature
   * (8..72 bytes), byte for byte as docs/protocol.md §Withdrawal lists them.
   */
  @Test
  void aWithdrawalIsItsThreeFieldsAndNothingElse() {
    byte[] v = RecordCodec.encode(F.withdrawal);
    assertThat(Arrays.copyOf(v, 4)).containsExactly('M', 'L', 1, 0x0b);
    assertThat(fields(v)).extracting(Field::tag).containsExactly(1, 2, 3);
    assertThat(fields(v).get(0).value()).isEqualTo(F.consent.consentId());
    assertThat(fields(v).get(1).value()).isEqualTo(F.consent.patientKey());
    assertThat(v).hasSize(4 + 5 + 16 + 5 + 33 + 5 + F.withdrawal.signature().length);
    Withdrawal back = (Withdrawal) RecordCodec.parse(v);
    assertThat(back.consentId()).isEqualTo(F.consent.consentId());
    assertThat(back.type()).isEqualTo(RecordType.WITHDRAWAL);
    assertThat(RecordType.WITHDRAWAL.storable()).isTrue();
    assertThat(RecordType.fromCode(0x0b)).isEqualTo(RecordType.WITHDRAWAL);

    List<Field> fs = fields(v);
    List<Field> shortId = new ArrayList<>(fs);
    shortId.set(0, new Field(1, Arrays.copyOf(F.consent.consentId(), 15)));
    assertThat(reasonOf(join(v, shortId))).isEqualTo(Reason.INVALID_FIELD);
    List<Field> notAPoint = new ArrayList<>(fs);
    byte[] uncompressed = F.consent.patientKey().clone();
    uncompressed[0] = 0x04;
    notAPoint.set(1, new Field(2, uncompressed));
    assertThat(reasonOf(join(v, notAPoint))).isEqualTo(Reason.NOT_CANONICAL);
    List<Field> longSig = new ArrayList<>(fs);
    longSig.set(2, new Field(3, new byte[RecordCodec.MAX_SIGNATURE_BYTES + 1]));
    assertThat(reasonOf(join(v, longSig))).isEqualTo(Reason.OVERSIZED);
    assertThat(reasonOf(join(v, fs.subList(0, 2)))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(join(v, List.of(fs.get(1), fs.get(0), fs.get(2))))).isEqualTo(Reason.REORDERED);
  }

  @Test
  void aKeyRecordsTagIsAWholeNumberOfCoefficients() {
    byte[] v = RecordCodec.encode(new Txk(F.kappa0, Fixtures.index(F.doctor), List.of(),
        java.util.Arrays.copyOf(F.txk.tag(), F.txk.tag().length - 1)));
    assertThat(reasonOf(v)).isEqualTo(Reason.INVALID_FIELD);
  }

  @Test
  void encodingIsIndependentOfTheCallersListOrder() {
    Consent c = F.consent;
    List<Long> others = new ArrayList<>(F.txd.others());
    java.util.Collections.reverse(others);
    ProcessRecord reversed = new ProcessRecord(F.txd.type(), F.txd.kappa0(), F.txd.sender(), others, F.txd.sequence(),
        F.txd.tag(), F.txd.ciphertext());
    assertThat(RecordCodec.encode(reversed)).isEqualTo(RecordCodec.encode(F.txd));
    assertThatThrownBy(() -> RecordCodec.encode(new ProcessRecord(RecordType.TXD, F.kappa0, 1, List.of(5L, 5L), 1,
        F.txd.tag(), F.txd.ciphertext()))).isInstanceOf(IllegalArgumentException.class);
    assertThat(c.signature()).isNotEmpty();
  }

  // ------------------------------------------------------------------ truncated

  @Test
  void everyTruncationIsTruncated() {
    for (byte[] v : F.allEncodings()) {
      for (int n = 0; n < v.length; n++) {
        assertThat(reasonOf(Arrays.copyOf(v, n))).as("type 0x%02x cut at %d of %d", v[3], n, v.length)
            .isEqualTo(Reason.TRUNCATED);
      }
    }
    assertThat(reasonOf(null == null ? new byte[0] : null)).isEqualTo(Reason.TRUNCATED);
  }

  // ------------------------------------------------------------------ oversized

  @Test
  void oversizedInputIsOversized() {
    byte[] txd = RecordCodec.encode(F.txd);
    byte[] huge = Arrays.copyOf(txd, RecordCodec.MAX_RECORD_BYTES + 1);
    assertThat(reasonOf(huge)).isEqualTo(Reason.OVERSIZED);

    // A box one byte over the limit (the record itself still under the record limit).
    ProcessRecord big = new ProcessRecord(RecordType.TXD, F.kappa0, F.txd.sender(), F.txd.others(), 1, F.txd.tag(),
        new byte[RecordCodec.MAX_BOX_BYTES + 1]);
    assertThat(reasonOf(RecordCodec.encode(big))).isEqualTo(Reason.OVERSIZED);
    ProcessRecord atLimit = new ProcessRecord(RecordType.TXD, F.kappa0, F.txd.sender(), F.txd.others(), 1, F.txd.tag(),
        new byte[RecordCodec.MAX_BOX_BYTES]);
    assertThat(RecordCodec.parse(RecordCodec.encode(atLimit))).isInstanceOf(ProcessRecord.class);

    // A field that declares more bytes than any record may hold.
    byte[] lying = txd.clone();
    lying[5] = (byte) 0xff;
    assertThat(reasonOf(lying)).isEqualTo(Reason.OVERSIZED);

    // A tag with more than MAX_MEMBERS + 1 coefficients.
    byte[] tag = new byte[(SiffTag.MAX_MEMBERS + 2) * SiffTag.COEFFICIENT_BYTES];
    assertThat(reasonOf(RecordCodec.encode(new ProcessRecord(RecordType.TXM, F.kappa0, 1, List.of(), 1, tag,
        F.txd.ciphertext())))).isEqualTo(Reason.OVERSIZED);

    // A certificate over 4096 bytes; a list with more entries than allowed.
    assertThat(reasonOf(RecordCodec.encode(new Registration(Role.DOCTOR, 7, new byte[RecordCodec.MAX_CERTIFICATE_BYTES + 1]))))
        .isEqualTo(Reason.OVERSIZED);
    List<Long> many = new ArrayList<>();
    for (long i = 1; i <= RecordCodec.MAX_LIST_ENTRIES + 1; i++) many.add(i);
    Consent c = new Consent(F.consent.patientKey(), List.of(), many, List.of(), List.of(), 99, F.consent.consentId(),
        F.consent.signature());
    assertThat(reasonOf(RecordCodec.encodeConsent(c))).isEqualTo(Reason.OVERSIZED);
  }

  /**
   * OVERSIZED means "more than a limit", never "longer than the bytes that are there": the record
   * limit is more than 320 KiB (327 680 bytes; exactly that many passes the size check), and a
   * field declaring more than 327 680 bytes is OVERSIZED; a field declaring no more than that
   * but more than the record still holds is TRUNCATED (docs/protocol.md §Parsing).
   */
  @Test
  void oversizedIsOverALimitAndAFieldLongerThanTheRecordIsTruncated() {
    byte[] reg = RecordCodec.encode(F.registration);
    // Exactly the limit passes the size check and fails on what follows the last field.
    byte[] atLimit = Arrays.copyOf(reg, RecordCodec.MAX_RECORD_BYTES);
    assertThat(reasonOf(atLimit)).isEqualTo(Reason.TRAILING_BYTES);
    assertThat(reasonOf(Arrays.copyOf(reg, RecordCodec.MAX_RECORD_BYTES + 1))).isEqualTo(Reason.OVERSIZED);

    // Field 1 (the role) declaring: the remaining bytes + 1, exactly 327 680, 327 681.
    int remaining = reg.length - 4 - 5;
    assertThat(reasonOf(withFirstLength(reg, remaining + 1))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(withFirstLength(reg, RecordCodec.MAX_RECORD_BYTES))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(withFirstLength(reg, RecordCodec.MAX_RECORD_BYTES + 1))).isEqualTo(Reason.OVERSIZED);
    assertThat(reasonOf(withFirstLength(reg, 0xffffffffL))).isEqualTo(Reason.OVERSIZED);
    // Declaring exactly the remaining bytes swallows the later fields: the role has the wrong size.
    assertThat(reasonOf(withFirstLength(reg, remaining))).isEqualTo(Reason.INVALID_FIELD);

    // Per-field limits: over the maximum is OVERSIZED, under the minimum INVALID_FIELD.
    assertThat(RecordCodec.parse(RecordCodec.encode(new Registration(Role.DOCTOR, 7,
        new byte[RecordCodec.MAX_CERTIFICATE_BYTES])))).as("a certificate of exactly 4096 bytes").isNotNull();
    assertThat(reasonOf(RecordCodec.encode(new Registration(Role.DOCTOR, 7, new byte[63]))))
        .isEqualTo(Reason.INVALID_FIELD);
    ProcessRecord emptyBox = new ProcessRecord(RecordType.TXD, F.kappa0, F.txd.sender(), F.txd.others(), 1, F.txd.tag(),
        new byte[AesGcm.OVERHEAD - 1]);
    assertThat(reasonOf(RecordCodec.encode(emptyBox))).isEqualTo(Reason.INVALID_FIELD);
    ProcessRecord oneCoefficient = new ProcessRecord(RecordType.TXD, F.kappa0, F.txd.sender(), F.txd.others(), 1,
        new byte[SiffTag.COEFFICIENT_BYTES], F.txd.ciphertext());
    assertThat(reasonOf(RecordCodec.encode(oneCoefficient))).isEqualTo(Reason.INVALID_FIELD);
  }

  private static byte[] withFirstLength(byte[] v, long length) {
    byte[] out = v.clone();
    out[5] = (byte) (length >>> 24);
    out[6] = (byte) (length >>> 16);
    out[7] = (byte) (length >>> 8);
    out[8] = (byte) length;
    return out;
  }

  /**
   * What the parser says at a field boundary, exactly as docs/protocol.md §Parsing states it.
   * Expecting field n: tag n is read; a tag below n (0 included) is REORDERED; a tag above n
   * is REORDERED when tag n follows further on, MISSING_FIELD otherwise. After the last field:
   * nothing may follow; a complete 5-byte field header whose tag repeats a field (1..last) is
   * REORDERED, even without its value; anything else (tag 0, a tag above the last, fewer than
   * five bytes) is TRAILING_BYTES.
   */
  @Test
  void fieldBoundariesHaveTheDocumentedReasons() {
    byte[] reg = RecordCodec.encode(F.registration);
    List<Field> fs = fields(reg);
    // A tag below the expected one, including tag 0.
    assertThat(reasonOf(join(reg, List.of(new Field(0, fs.get(0).value()), fs.get(1), fs.get(2)))))
        .isEqualTo(Reason.REORDERED);
    assertThat(reasonOf(join(reg, List.of(fs.get(0), fs.get(0), fs.get(2))))).isEqualTo(Reason.REORDERED);
    // A tag above the expected one: REORDERED when the expected one comes later, else MISSING_FIELD.
    assertThat(reasonOf(join(reg, List.of(fs.get(0), fs.get(2), fs.get(1))))).isEqualTo(Reason.REORDERED);
    assertThat(reasonOf(join(reg, List.of(fs.get(0), fs.get(2))))).isEqualTo(Reason.MISSING_FIELD);
    assertThat(reasonOf(join(reg, List.of(fs.get(0), new Field(9, new byte[8]), fs.get(2)))))
        .isEqualTo(Reason.MISSING_FIELD);

    // After the last field (3): a repeated field's header alone is enough for REORDERED.
    for (int tag = 1; tag <= 3; tag++) {
      byte[] header = {(byte) tag, 0, 0, 0, 1};
      assertThat(reasonOf(Bytes.concat(reg, header))).as("field %d again, header only", tag).isEqualTo(Reason.REORDERED);
      assertThat(reasonOf(Bytes.concat(reg, header, new byte[] {1}))).as("field %d again", tag)
          .isEqualTo(Reason.REORDERED);
      assertThat(reasonOf(Bytes.concat(reg, Arrays.copyOf(header, 4)))).as("field %d, 4 header bytes", tag)
          .isEqualTo(Reason.TRAILING_BYTES);
    }
    assertThat(reasonOf(Bytes.concat(reg, new byte[] {0, 0, 0, 0, 1, 1}))).isEqualTo(Reason.TRAILING_BYTES);
    assertThat(reasonOf(Bytes.concat(reg, new byte[] {4, 0, 0, 0, 1, 1}))).isEqualTo(Reason.TRAILING_BYTES);
  }

  // ------------------------------------------------------------------ reordered, missing, duplicated, trailing

  @Test
  void swappedFieldsAreReordered() {
    for (byte[] v : F.allEncodings()) {
      List<Field> fs = fields(v);
      for (int i = 0; i + 1 < fs.size(); i++) {
        for (int j = i + 1; j < fs.size(); j++) {
          List<Field> sw = new ArrayList<>(fs);
          sw.set(i, fs.get(j));
          sw.set(j, fs.get(i));
          assertThat(reasonOf(join(v, sw))).as("type 0x%02x, fields %d and %d swapped", v[3], i + 1, j + 1)
              .isEqualTo(Reason.REORDERED);
        }
      }
    }
  }

  @Test
  void repeatedFieldsAreReorderedAndAbsentOnesMissing() {
    for (byte[] v : F.allEncodings()) {
      List<Field> fs = fields(v);
      for (int i = 0; i < fs.size(); i++) {
        List<Field> dup = new ArrayList<>(fs);
        dup.add(i + 1, fs.get(i));
        assertThat(reasonOf(join(v, dup))).as("type 0x%02x, field %d twice", v[3], i + 1).isEqualTo(Reason.REORDERED);
        if (i + 1 < fs.size()) {
          List<Field> gap = new ArrayList<>(fs);
          gap.remove(i);
          assertThat(reasonOf(join(v, gap))).as("type 0x%02x, field %d left out", v[3], i + 1)
              .isEqualTo(Reason.MISSING_FIELD);
        }
      }
      List<Field> extra = new ArrayList<>(fs);
      extra.add(new Field(fs.size() + 1, new byte[] {1}));
      assertThat(reasonOf(join(v, extra))).isEqualTo(Reason.TRAILING_BYTES);
      assertThat(reasonOf(Bytes.concat(v, new byte[] {0}))).isEqualTo(Reason.TRAILING_BYTES);
    }
  }

  // ------------------------------------------------------------------ header: magic, version, type

  @Test
  void unknownTypesAreUnknown() {
    byte[] v = RecordCodec.encode(F.txd);
    for (int code = 0; code < 256; code++) {
      byte[] t = v.clone();
      t[3] = (byte) code;
      int c = code;
      boolean known = Arrays.stream(RecordType.values()).anyMatch(rt -> rt.code() == c);
      if (!known) {
        assertThat(reasonOf(t)).as("type 0x%02x", code).isEqualTo(Reason.UNKNOWN_TYPE);
        assertThatThrownBy(() -> RecordCodec.peekType(t)).isInstanceOf(RecordFormatException.class);
      }
    }
  }

  @Test
  void headerErrorsHaveTheirReason() {
    byte[] v = RecordCodec.encode(F.txtc);
    byte[] magic = v.clone();
    magic[0] = 'X';
    assertThat(reasonOf(magic)).isEqualTo(Reason.BAD_MAGIC);
    byte[] version = v.clone();
    version[2] = 2;
    assertThat(reasonOf(version)).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThatThrownBy(() -> RecordCodec.parse(RecordCodec.encodeConsent(F.consent)))
        .isInstanceOfSatisfying(RecordFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE));
    assertThatThrownBy(() -> RecordCodec.parse(RecordCodec.encodeEvent(F.event)))
        .isInstanceOfSatisfying(RecordFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE));
    assertThatThrownBy(() -> RecordCodec.parseConsent(v))
        .isInstanceOfSatisfying(RecordFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE));
    assertThatThrownBy(() -> RecordCodec.parseEvent(v))
        .isInstanceOfSatisfying(RecordFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE));
  }

  /**
   * The event's field 1 names the record that was stored, so it accepts only the storable types:
   * a known non-stored code (consent, event) is WRONG_TYPE, as in {@code parse}'s header, and a
   * code not in the table is UNKNOWN_TYPE. The encoder refuses to produce either.
   */
  @Test
  void anEventNamesOnlyAStoredType() {
    byte[] v = RecordCodec.encodeEvent(F.event);
    List<Field> fs = fields(v);
    for (RecordType t : RecordType.values()) {
      List<Field> changed = new ArrayList<>(fs);
      changed.set(0, new Field(1, new byte[] {(byte) t.code()}));
      byte[] e = join(v, changed);
      if (t.storable()) {
        assertThat(RecordCodec.parseEvent(e).recordType()).isEqualTo(t);
      } else {
        assertThat(reasonOf(e)).as("event naming %s", t.label()).isEqualTo(Reason.WRONG_TYPE);
      }
    }
    List<Field> unknown = new ArrayList<>(fs);
    unknown.set(0, new Field(1, new byte[] {0x7f}));
    assertThat(reasonOf(join(v, unknown))).isEqualTo(Reason.UNKNOWN_TYPE);
    for (RecordType t : List.of(RecordType.CONSENT, RecordType.EVENT)) {
      EventPayload bad = new EventPayload(t, F.event.kappa(), F.event.kappa0(), F.event.recipients());
      assertThatThrownBy(() -> RecordCodec.encodeEvent(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ------------------------------------------------------------------ field contents

  @Test
  void nonCanonicalAndInvalidFieldsAreRefused() {
    byte[] v = RecordCodec.encode(F.txd);
    List<Field> fs = fields(v);
    // Other indexes out of order.
    byte[] others = fs.get(2).value().clone();
    byte[] first = Arrays.copyOfRange(others, 1, 9);
    System.arraycopy(others, 9, others, 1, 8);
    System.arraycopy(first, 0, others, 9, 8);
    List<Field> unsorted = new ArrayList<>(fs);
    unsorted.set(2, new Field(3, others));
    assertThat(reasonOf(join(v, unsorted))).isEqualTo(Reason.NOT_CANONICAL);
    // κ0 of the wrong size, count not matching the list, tag not a multiple of 66.
    List<Field> shortKappa = new ArrayList<>(fs);
    shortKappa.set(0, new Field(1, new byte[31]));
    assertThat(reasonOf(join(v, shortKappa))).isEqualTo(Reason.INVALID_FIELD);
    List<Field> badCount = new ArrayList<>(fs);
    byte[] bc = fs.get(2).value().clone();
    bc[0]++;
    badCount.set(2, new Field(3, bc));
    assertThat(reasonOf(join(v, badCount))).isEqualTo(Reason.INVALID_FIELD);
    List<Field> badTag = new ArrayList<>(fs);
    badTag.set(4, new Field(5, Arrays.copyOf(fs.get(4).value(), fs.get(4).value().length - 1)));
    assertThat(reasonOf(join(v, badTag))).isEqualTo(Reason.INVALID_FIELD);

    // Points: an uncompressed prefix is not canonical, an x off the curve is invalid.
    byte[] txtr = RecordCodec.encode(F.txtrs.get(0));
    List<Field> tf = fields(txtr);
    byte[] pk = tf.get(2).value().clone();
    pk[0] = 0x04;
    List<Field> uncompressed = new ArrayList<>(tf);
    uncompressed.set(2, new Field(3, pk));
    assertThat(reasonOf(join(txtr, uncompressed))).isEqualTo(Reason.NOT_CANONICAL);
    boolean sawInvalid = false;
    for (int b = 0; b < 20 && !sawInvalid; b++) {
      byte[] q = tf.get(2).value().clone();
      q[32] ^= (byte) (b + 1);
      List<Field> off = new ArrayList<>(tf);
      off.set(2, new Field(3, q));
      try {
        RecordCodec.parse(join(txtr, off));
      } catch (RecordFormatException e) {
        assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD);
        sawInvalid = true;
      }
    }
    assertThat(sawInvalid).as("some x-coordinate off the curve").isTrue();
    // Unknown role in a registration.
    byte[] reg = RecordCodec.encode(F.registration);
    byte[] badRole = reg.clone();
    badRole[9] = 9;
    assertThat(reasonOf(badRole)).isEqualTo(Reason.INVALID_FIELD);
  }

  // ------------------------------------------------------------------ fuzzing

  /** Any bytes at all: parsed, or refused with a RecordFormatException, nothing else. */
  @Property(tries = 300)
  void arbitraryBytesAreParsedOrRefused(@ForAll @Size(max = 600) byte[] body, @ForAll @IntRange(min = 0, max = 20) int type) {
    byte[] v = Bytes.concat(new byte[] {'M', 'L', 1, (byte) type}, body);
    try {
      Fixtures.parseAny(v);
    } catch (RecordFormatException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  /**
   * A valid record with bytes changed: refused with a RecordFormatException, or parsed — and then
   * its re-encoding is exactly the changed bytes (one value, one encoding).
   */
  @Property(tries = 400)
  void mutatedRecordsAreRefusedOrCanonical(@ForAll @IntRange(min = 0, max = 9) int which,
      @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll byte xor, @ForAll boolean twice) {
    byte[] v = F.allEncodings().get(which).clone();
    v[position % v.length] ^= (xor == 0 ? 1 : xor);
    if (twice) v[(position * 31 + 7) % v.length] ^= 0x10;
    Object parsed;
    try {
      parsed = Fixtures.parseAny(v);
    } catch (RecordFormatException refused) {
      return;
    }
    byte[] again = parsed instanceof Consent c ? RecordCodec.encodeConsent(c)
        : parsed instanceof EventPayload e ? RecordCodec.encodeEvent(e)
        : RecordCodec.encode((LedgerRecord) parsed);
    assertThat(again).isEqualTo(v);
  }
}
