package org.medledger.core.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a process record's message holds: a content type and the body in that type
 * (docs/protocol.md §Content of a record). On the wire it is the typed message 0x0C
 * ({@link RecordCodec#encodeContent}); a message that does not begin like one is the plain UTF-8
 * text every record was before content types existed, and reads as {@link #TEXT}.
 *
 * @param contentType a media type in one canonical spelling: lower-case {@code type/subtype},
 *     then {@code ;name=value} parameters without spaces or quotes, printable ASCII, at most
 *     {@link #MAX_CONTENT_TYPE_BYTES} bytes
 */
public record RecordContent(String contentType, byte[] body) {
  /** A record written as text, typed or (as before) bare. */
  public static final String TEXT = "text/plain;charset=utf-8";
  /** A FHIR R4 resource as JSON (the FHIR spec's media type with its version parameter). */
  public static final String FHIR_R4_JSON = "application/fhir+json;fhirVersion=4.0";
  public static final int MAX_CONTENT_TYPE_BYTES = 127;

  private static final String TOKEN = "[a-z0-9][a-z0-9!#$&^_.+-]*";
  private static final String PARAM = ";[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*=[A-Za-z0-9!#$&^_.+-]+";
  private static final Pattern CANONICAL = Pattern.compile(TOKEN + "/" + TOKEN + "(" + PARAM + ")*");

  public RecordContent {
    Objects.requireNonNull(body, "body");
    if (contentType == null || contentType.length() > MAX_CONTENT_TYPE_BYTES || !CANONICAL.matcher(contentType).matches()) {
      throw new IllegalArgumentException("content type '" + contentType + "' is not a canonical media type"
          + " (lower-case type/subtype, ;name=value parameters without spaces, at most " + MAX_CONTENT_TYPE_BYTES + " bytes)");
    }
    body = body.clone();
  }

  /** Text as records were written before content types: the bare message. */
  public static RecordContent text(String text) {
    return new RecordContent(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The type without its parameters: "application/fhir+json". */
  public String mediaType() {
    int semi = contentType.indexOf(';');
    return semi < 0 ? contentType : contentType.substring(0, semi);
  }

  public boolean isText() {
    return mediaType().equals("text/plain");
  }

  public boolean isFhirR4() {
    return contentType.equals(FHIR_R4_JSON);
  }

  /**
   * The body as text; malformed UTF-8 shows as U+FFFD (GCM proves a member wrote the bytes, not
   * that they are well-formed).
   */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Bytes the typed message adds to a body of this content type: header and two field headers. */
  public static int overhead(String contentType) {
    return RecordCodec.HEADER_BYTES + 5 + contentType.length() + 5;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordContent c && c.contentType.equals(contentType) && Arrays.equals(c.body, body);
  }

  @Override
  public int hashCode() {
    return 31 * contentType.hashCode() + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "RecordContent[" + contentType + ", " + body.length + " bytes]";
  }
}
