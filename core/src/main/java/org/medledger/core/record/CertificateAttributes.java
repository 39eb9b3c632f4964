package org.medledger.core.record;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The enrollment attributes a certificate authority signed into a client certificate: Fabric
 * CA's extension (OID {@value #OID}) whose value is the raw UTF-8 JSON
 * {@code {"attrs":{"name":"value",...}}}. MedLedger reads {@code medledger.role} and, for
 * professionals, {@code medledger.name} and {@code medledger.institution} (docs/protocol.md).
 *
 * <p>The parse is strict: one object with one {@code attrs} member holding an object of string
 * values, no duplicate names, nothing after it. Anything else is refused rather than guessed,
 * because these values are shown to patients as what the institution vouched for.
 */
public final class CertificateAttributes {
  public static final String OID = "1.2.3.4.5.6.7.8.1";
  public static final String ROLE = "medledger.role";
  public static final String NAME = "medledger.name";
  public static final String INSTITUTION = "medledger.institution";

  private CertificateAttributes() {}

  /**
   * The attributes of {@code certificate}; an empty map when it has no attribute extension.
   *
   * @throws IllegalArgumentException when the extension is there but not well-formed
   */
  public static Map<String, String> of(X509Certificate certificate) {
    byte[] ext = certificate.getExtensionValue(OID);
    if (ext == null) return Map.of();
    return parse(octetStringContent(ext));
  }

  /** Parses the extension's JSON bytes (exposed for the known-answer tests). */
  public static Map<String, String> parse(byte[] json) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(json)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the certificate attributes are not UTF-8");
    }
    Parser p = new Parser(text);
    p.ws();
    p.expect('{');
    p.ws();
    if (!"attrs".equals(p.string())) throw new IllegalArgumentException("the certificate attributes lack \"attrs\"");
    p.ws();
    p.expect(':');
    p.ws();
    Map<String, String> out = new LinkedHashMap<>();
    p.expect('{');
    p.ws();
    if (p.peek() != '}') {
      while (true) {
        p.ws();
        String k = p.string();
        p.ws();
        p.expect(':');
        p.ws();
        String v = p.string();
        if (out.put(k, v) != null) throw new IllegalArgumentException("the certificate attribute '" + k + "' is repeated");
        p.ws();
        if (p.peek() == ',') {
          p.pos++;
          continue;
        }
        break;
      }
    }
    p.expect('}');
    p.ws();
    p.expect('}');
    p.ws();
    if (p.pos != text.length()) throw new IllegalArgumentException("the certificate attributes have trailing text");
    return Collections.unmodifiableMap(out);
  }

  /** getExtensionValue wraps the extension value in a DER OCTET STRING. */
  private static byte[] octetStringContent(byte[] der) {
    if (der.length < 2 || der[0] != 0x04) throw new IllegalArgumentException("the certificate attribute extension is not an octet string");
    int len = der[1] & 0xff;
    int off = 2;
    if (len >= 0x80) {
      int n = len & 0x7f;
      if (n == 0 || n > 3 || der.length < 2 + n) throw new IllegalArgumentException("the certificate attribute extension has a bad length");
      len = 0;
      for (int i = 0; i < n; i++) len = (len << 8) | (der[2 + i] & 0xff);
      off = 2 + n;
    }
    if (off + len != der.length) throw new IllegalArgumentException("the certificate attribute extension has a bad length");
    return java.util.Arrays.copyOfRange(der, off, der.length);
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    char peek() {
      if (pos >= s.length()) throw new IllegalArgumentException("the certificate attributes end too early");
      return s.charAt(pos);
    }

    void expect(char c) {
      if (peek() != c) throw new IllegalArgumentException("the certificate attributes are not valid JSON (expected '" + c + "' at " + pos + ")");
      pos++;
    }

    void ws() {
      while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = peek();
        pos++;
        if (c == '"') return b.toString();
        if (c < 0x20) throw new IllegalArgumentException("the certificate attributes hold a control character");
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = peek();
        pos++;
        switch (e) {
          case '"' -> b.append('"');
          case '\\' -> b.append('\\');
          case '/' -> b.append('/');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) throw new IllegalArgumentException("the certificate attributes end too early");
            String hex = s.substring(pos, pos + 4);
            if (!hex.matches("[0-9A-Fa-f]{4}")) throw new IllegalArgumentException("the certificate attributes hold a bad \\u escape");
            b.append((char) Integer.parseInt(hex, 16));
            pos += 4;
          }
          default -> throw new IllegalArgumentException("the certificate attributes hold a bad escape");
        }
      }
    }
  }
}
