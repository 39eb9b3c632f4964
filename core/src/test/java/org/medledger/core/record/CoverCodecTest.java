package org.medledger.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.record.RecordCodecTest.Field;
import org.medledger.core.record.RecordFormatException.Reason;

/** The cover record (0x0A): one canonical encoding, a strict parser, limits, and reasons for refusals. */
class CoverCodecTest {
  private static final Map<Long, String> FAMILY = Map.of(0x8000_0000_0000_0001L, "Ben Example", 7L, "Clara Example");
  private static final Cover COVER = new Cover("Chest pain", "Anna Example", LocalDate.of(1980, 3, 3), FAMILY);

  private static Reason reasonOf(byte[] v) {
    RecordFormatException e = catchThrowableOfType(() -> RecordCodec.parseCover(v), RecordFormatException.class);
    assertThat(e).as("expected a RecordFormatException").isNotNull();
    assertThat(e.getMessage()).isNotBlank();
    return e.reason();
  }

  private static byte[] withField(int tag, byte[] value) {
    byte[] v = RecordCodec.encodeCover(COVER);
    List<Field> fs = new ArrayList<>(RecordCodecTest.fields(v));
    fs.set(tag - 1, new Field(tag, value));
    return RecordCodecTest.join(v, fs);
  }

  @Test
  void roundTrip() {
    byte[] v = RecordCodec.encodeCover(COVER);
    assertThat(RecordCodec.peekType(v)).isEqualTo(RecordType.COVER);
    assertThat(RecordCodec.looksLikeCover(v)).isTrue();
    Cover back = RecordCodec.parseCover(v);
    assertThat(back).isEqualTo(COVER);
    assertThat(back.family().keySet()).as("sorted by unsigned index").containsExactly(7L, 0x8000_0000_0000_0001L);
    assertThat(RecordCodec.encodeCover(back)).isEqualTo(v);
    Cover bare = new Cover("Kontrolle", "Zoë Ünal-Øster 王", null, Map.of());
    assertThat(RecordCodec.parseCover(RecordCodec.encodeCover(bare))).isEqualTo(bare);
    // The same cover however its family map was ordered: one encoding.
    Map<Long, String> other = new LinkedHashMap<>();
    other.put(0x8000_0000_0000_0001L, "Ben Example");
    other.put(7L, "Clara Example");
    assertThat(RecordCodec.encodeCover(new Cover("Chest pain", "Anna Example", LocalDate.of(1980, 3, 3), other))).isEqualTo(v);
  }

  @Test
  void exactBytes() {
    byte[] v = RecordCodec.encodeCover(new Cover("T", "N", LocalDate.of(1980, 3, 3), Map.of(1L, "B")));
    assertThat(Bytes.hex(v)).isEqualTo("4d4c010a" + "010000000154" + "02000000014e" + "0300000004" + "07bc0303"
        + "040000000b" + "01" + "0000000000000001" + "01" + "42");
  }

  @Test
  void aTextMessageIsNotACover() {
    assertThat(RecordCodec.looksLikeCover("Diagnosis: angina".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(RecordCodec.looksLikeCover("ML".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(RecordCodec.looksLikeCover(new byte[] {'M', 'L', 1, 4})).isFalse();
  }

  @Test
  void theLargestCoverFitsItsLimit() {
    Map<Long, String> family = new HashMap<>();
    for (long i = 0; i < RecordCodec.MAX_LIST_ENTRIES; i++) family.put(i, "x".repeat(Cover.MAX_FAMILY_NAME_BYTES));
    Cover big = new Cover("t".repeat(Cover.MAX_TITLE_BYTES), "n".repeat(Cover.MAX_NAME_BYTES), LocalDate.of(2000, 1, 1), family);
    byte[] v = RecordCodec.encodeCover(big);
    assertThat(v).hasSize(RecordCodec.MAX_COVER_BYTES);
    assertThat(RecordCodec.parseCover(v)).isEqualTo(big);
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> new Cover("", "Anna", null, Map.of())).hasMessageContaining("title is empty");
    assertThatThrownBy(() -> new Cover("Chest pain", " Anna", null, Map.of())).hasMessageContaining("patient's name begins or ends");
    assertThatThrownBy(() -> new Cover("t".repeat(121), "Anna", null, Map.of())).hasMessageContaining("title is 121 bytes");
    // 41 two-byte letters: 82 bytes > 60 although only 41 characters
    assertThatThrownBy(() -> new Cover("T", "Anna", null, Map.of(1L, "é".repeat(31)))).hasMessageContaining("family member's name is 62 bytes");
    assertThatThrownBy(() -> new Cover("Chest\npain", "Anna", null, Map.of())).hasMessageContaining("title contains a control");
    assertThatThrownBy(() -> new Cover("T", "Anna\u202eelxE", null, Map.of())).hasMessageContaining("control character");
    assertThatThrownBy(() -> new Cover("T", "Anna", LocalDate.of(1700, 1, 1), Map.of())).hasMessageContaining("birth date");
    Map<Long, String> many = new HashMap<>();
    for (long i = 0; i <= RecordCodec.MAX_LIST_ENTRIES; i++) many.put(i, "F");
    assertThatThrownBy(() -> new Cover("T", "Anna", null, many)).hasMessageContaining("the limit is 15");
  }

  @Test
  void malformedCoversAreRefusedWithTheirReason() {
    byte[] v = RecordCodec.encodeCover(COVER);
    assertThat(reasonOf(java.util.Arrays.copyOf(v, v.length - 1))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(Bytes.concat(v, new byte[] {0}))).isEqualTo(Reason.TRAILING_BYTES);
    assertThat(reasonOf(withField(1, new byte[0]))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(1, new byte[121]))).isEqualTo(Reason.OVERSIZED);
    assertThat(reasonOf(withField(2, new byte[] {(byte) 0xc3, 0x28}))).as("malformed UTF-8").isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(2, "Anna\u0000".getBytes(StandardCharsets.UTF_8)))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(2, "Anna ".getBytes(StandardCharsets.UTF_8)))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(3, new byte[] {0x07, (byte) 0xbc, 2, 30}))).as("30 February").isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(3, new byte[] {0x07, (byte) 0xbc, 2}))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(3, new byte[] {0x06, (byte) 0xa4, 1, 1}))).as("year 1700").isEqualTo(Reason.INVALID_FIELD);
    // family: unsorted, duplicate, count too high, name length past the end, empty name
    byte[] one = Bytes.concat(Bytes.u64(9), new byte[] {1, 'A'});
    byte[] two = Bytes.concat(Bytes.u64(3), new byte[] {1, 'B'});
    assertThat(reasonOf(withField(4, Bytes.concat(new byte[] {2}, one, two)))).isEqualTo(Reason.NOT_CANONICAL);
    assertThat(reasonOf(withField(4, Bytes.concat(new byte[] {2}, one, one)))).isEqualTo(Reason.NOT_CANONICAL);
    assertThat(reasonOf(withField(4, Bytes.concat(new byte[] {3}, two, one)))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(4, Bytes.concat(new byte[] {1}, Bytes.u64(3), new byte[] {5, 'B'})))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(4, Bytes.concat(new byte[] {1}, Bytes.u64(3), new byte[] {0})))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(4, Bytes.concat(new byte[] {1}, two, new byte[] {0})))).isEqualTo(Reason.INVALID_FIELD);
    assertThat(reasonOf(withField(4, new byte[] {16}))).isEqualTo(Reason.OVERSIZED);
    // Field order and type
    List<Field> fs = new ArrayList<>(RecordCodecTest.fields(v));
    java.util.Collections.swap(fs, 0, 1);
    assertThat(reasonOf(RecordCodecTest.join(v, fs))).isEqualTo(Reason.REORDERED);
    byte[] wrongType = v.clone();
    wrongType[3] = (byte) RecordType.TXD.code();
    assertThat(reasonOf(wrongType)).isEqualTo(Reason.WRONG_TYPE);
    assertThatThrownBy(() -> RecordCodec.parse(v))
        .isInstanceOfSatisfying(RecordFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE));
    byte[] tooBig = Bytes.concat(v, new byte[RecordCodec.MAX_COVER_BYTES]);
    assertThat(reasonOf(tooBig)).isEqualTo(Reason.OVERSIZED);
  }
}
