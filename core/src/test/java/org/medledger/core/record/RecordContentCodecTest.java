package org.medledger.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.RecordCipher;
import org.medledger.core.record.RecordCodecTest.Field;
import org.medledger.core.record.RecordFormatException.Reason;

/**
 * The typed message (0x0C, docs/protocol.md §Content of a record): a content type and a body
 * inside a process record's message; a message without it is plain text as records were before.
 */
class RecordContentCodecTest {
  private static final byte[] JSON = "{\"resourceType\":\"Condition\"}".getBytes(StandardCharsets.UTF_8);
  private static final RecordContent FHIR = new RecordContent(RecordContent.FHIR_R4_JSON, JSON);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Reason reasonOf(byte[] v) {
    RecordFormatException e = catchThrowableOfType(() -> RecordCodec.readContent(v), RecordFormatException.class);
    assertThat(e).as("expected a RecordFormatException").isNotNull();
    assertThat(e.getMessage()).isNotBlank();
    return e.reason();
  }

  @Test
  void exactBytes() {
    byte[] v = RecordCodec.encodeContent(new RecordContent("text/x;a=b", utf8("hi")));
    assertThat(Bytes.hex(v)).isEqualTo("4d4c010c" + "010000000a" + Bytes.hex(utf8("text/x;a=b")) + "0200000002" + "6869");
  }

  @Test
  void roundTrip() {
    byte[] v = RecordCodec.encodeContent(FHIR);
    assertThat(RecordCodec.looksLikeContent(v)).isTrue();
    assertThat(RecordCodec.looksLikeCover(v)).isFalse();
    assertThat(RecordCodec.peekType(v)).isEqualTo(RecordType.CONTENT);
    RecordContent back = RecordCodec.readContent(v);
    assertThat(back).isEqualTo(FHIR);
    assertThat(back.contentType()).isEqualTo("application/fhir+json;fhirVersion=4.0");
    assertThat(back.mediaType()).isEqualTo("application/fhir+json");
    assertThat(back.isText()).isFalse();
    assertThat(RecordCodec.encodeContent(back)).isEqualTo(v);
    assertThat(v).hasSize(RecordContent.overhead(RecordContent.FHIR_R4_JSON) + JSON.length);
    RecordContent empty = new RecordContent("text/plain;charset=utf-8", new byte[0]);
    assertThat(RecordCodec.readContent(RecordCodec.encodeContent(empty))).isEqualTo(empty);
  }

  /** Records written before content types existed are bare UTF-8 text: they read as text/plain. */
  @Test
  void aMessageWithoutAContentTypeIsPlainText() {
    for (String text : List.of("diagnosis: appendicitis", "", "ML", "MLx", "Ünal 王")) {
      RecordContent c = RecordCodec.readContent(utf8(text));
      assertThat(c.contentType()).isEqualTo(RecordContent.TEXT);
      assertThat(c.isText()).isTrue();
      assertThat(c.text()).isEqualTo(text);
      assertThat(RecordCodec.looksLikeContent(utf8(text))).isFalse();
    }
    // Another record's header (a cover, a txd) is not a typed message either: the cover has its own reader.
    assertThat(RecordCodec.looksLikeContent(new byte[] {'M', 'L', 1, 0x0a})).isFalse();
    assertThat(RecordCodec.looksLikeContent(new byte[] {'M', 'L', 2, 0x0c})).isFalse();
    assertThat(RecordCodec.looksLikeContent(new byte[] {'M', 'L', 1})).isFalse();
  }

  @Test
  void contentTypesAreCanonical() {
    for (String ok : List.of("text/plain", "application/fhir+json;fhirVersion=4.0", "image/png", "a/b;c=d;e=f")) {
      assertThat(new RecordContent(ok, new byte[0]).contentType()).isEqualTo(ok);
    }
    for (String bad : List.of("", "text", "Text/plain", "text/plain; charset=utf-8", "text/plain;charset", "/plain",
        "text/", "text/plain;", "tëxt/plain", "text/plain\n", "a/" + "b".repeat(RecordContent.MAX_CONTENT_TYPE_BYTES))) {
      assertThatThrownBy(() -> new RecordContent(bad, new byte[0])).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("content type");
    }
  }

  @Test
  void theWholeMessageKeepsTheRecordLimit() {
    int room = RecordCipher.MAX_MESSAGE_BYTES - RecordContent.overhead(RecordContent.FHIR_R4_JSON);
    byte[] v = RecordCodec.encodeContent(new RecordContent(RecordContent.FHIR_R4_JSON, new byte[room]));
    assertThat(v).hasSize(RecordCipher.MAX_MESSAGE_BYTES);
    assertThat(RecordCodec.readContent(v).body()).hasSize(room);
    assertThatThrownBy(() -> RecordCodec.encodeContent(new RecordContent(RecordContent.FHIR_R4_JSON, new byte[room + 1])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
  }

  @Test
  void malformedEnvelopesAreRefusedWithTheirReason() {
    byte[] v = RecordCodec.encodeContent(FHIR);
    List<Field> fs = RecordCodecTest.fields(v);
    // the content type field: not canonical text
    List<Field> badType = new ArrayList<>(fs);
    badType.set(0, new Field(1, utf8("Text/Plain")));
    assertThat(reasonOf(RecordCodecTest.join(v, badType))).isEqualTo(Reason.INVALID_FIELD);
    List<Field> emptyType = new ArrayList<>(fs);
    emptyType.set(0, new Field(1, new byte[0]));
    assertThat(reasonOf(RecordCodecTest.join(v, emptyType))).isEqualTo(Reason.INVALID_FIELD);
    List<Field> longType = new ArrayList<>(fs);
    longType.set(0, new Field(1, new byte[RecordContent.MAX_CONTENT_TYPE_BYTES + 1]));
    assertThat(reasonOf(RecordCodecTest.join(v, longType))).isEqualTo(Reason.OVERSIZED);
    // fields missing, swapped, repeated, or bytes after the body
    assertThat(reasonOf(RecordCodecTest.join(v, List.of(fs.get(0))))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(RecordCodecTest.join(v, List.of(fs.get(1), fs.get(0))))).isEqualTo(Reason.REORDERED);
    assertThat(reasonOf(RecordCodecTest.join(v, List.of(fs.get(0), fs.get(1), fs.get(1))))).isEqualTo(Reason.REORDERED);
    assertThat(reasonOf(Bytes.concat(v, new byte[] {0}))).isEqualTo(Reason.TRAILING_BYTES);
    assertThat(reasonOf(java.util.Arrays.copyOf(v, v.length - 1))).isEqualTo(Reason.TRUNCATED);
  }
}
