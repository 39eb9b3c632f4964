package org.medledger.core.record;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attributes a certificate authority signed into a certificate, as Fabric CA writes them:
 * extension {@value #OID}, whose value is the raw JSON text {@code {"attrs":{"name":"value",...}}}
 * (docs/protocol.md §Certificate attributes). MedLedger reads {@value #ROLE}, {@value #NAME} and
 * {@value #INSTITUTION}; the last two are set only for professionals, so the name and
 * institution a directory shows are the ones the institution's CA signed, not free text.
 *
 * <p>The parser is strict: one top-level member {@code "attrs"}, an object of string values, no
 * duplicate names, valid UTF-8, nothing after the closing brace. Anything else is an {@link
 * IllegalArgumentException} that says what is wrong.
 */
public final class CertificateAttributes {
  /** Fabric CA's attribute extension. */
  public static final String OID = "1.2.3.4.5.6.7.8.1";
  public static final String ROLE = "medledger.role";
  public static final String NAME = "medledger.name";
  public static final String INSTITUTION = "medledger.institution";

  private CertificateAttributes() {}

  /** The certificate's attributes in their order; empty when it carries no attribute extension. */
  public static Map<String, String> of(X509Certificate certificate) {
    byte[] ext = certificate.getExtensionValue(OID);
    if (ext == null) return Map.of();
    return parse(octetStringContent(ext));
  }

  /** Parses the extension's JSON text {@code {"attrs":{...}}}. */
  public static Map<String, String> parse(byte[] json) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the certificate's attribute extension is not UTF-8 text");
    }
    return new Json(text).document();
  }

  /** getExtensionValue returns the DER OCTET STRING around the extension's value: unwrap it. */
  private static byte[] octetStringContent(byte[] der) {
    if (der.length < 2 || der[0] != 0x04) {
      throw new IllegalArgumentException("the certificate's attribute extension is not an OCTET STRING");
    }
    int len = der[1] & 0xff;
    int pos = 2;
    if (len >= 0x80) {
      int n = len & 0x7f;
      if (n == 0 || n > 3 || der.length < 2 + n) {
        throw new IllegalArgumentException("the certificate's attribute extension has a bad length");
      }
      len = 0;
      for (int i = 0; i < n; i++) len = (len << 8) | (der[pos++] & 0xff);
    }
    if (pos + len != der.length) {
      throw new IllegalArgumentException("the certificate's attribute extension has a bad length");
    }
    byte[] out = new byte[len];
    System.arraycopy(der, pos, out, 0, len);
    return out;
  }

  /** Just enough JSON (RFC 8259) for {"attrs":{"k":"v",...}}, strictly. */
  private static final class Json {
    private final String s;
    private int pos;

    Json(String s) {
      this.s = s;
    }

    Map<String, String> document() {
      ws();
      expect('{', "an object");
      ws();
      String key = string("the member name");
      if (!key.equals("attrs")) throw error("the only member must be \"attrs\", not \"" + key + "\"");
      ws();
      expect(':', "':'");
      ws();
      Map<String, String> attrs = attrs();
      ws();
      if (peek() == ',') throw error("the only member must be \"attrs\"");
      expect('}', "'}'");
      ws();
      if (pos != s.length()) throw error("unexpected text after the JSON object");
      return Collections.unmodifiableMap(attrs);
    }

    private Map<String, String> attrs() {
      expect('{', "an object of attributes");
      Map<String, String> out = new LinkedHashMap<>();
      ws();
      if (peek() == '}') {
        pos++;
        return out;
      }
      while (true) {
        ws();
        String name = string("an attribute name");
        ws();
        expect(':', "':'");
        ws();
        if (peek() != '"') throw error("attribute \"" + name + "\" is not a string");
        String value = string("the value of " + name);
        if (out.put(name, value) != null) throw error("attribute \"" + name + "\" appears twice");
        ws();
        char c = next("',' or '}'");
        if (c == '}') return out;
        if (c != ',') throw error("expected ',' or '}' after attribute \"" + name + "\"");
      }
    }

    private String string(String what) {
      if (peek() != '"') throw error("expected " + what + " (a string)");
      pos++;
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next("the end of " + what);
        if (c == '"') return b.toString();
        if (c < 0x20) throw error("a control character inside " + what);
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next("an escape");
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) throw error("a truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
              int d = Character.digit(s.charAt(pos++), 16);
              if (d < 0) throw error("a bad \\u escape");
              v = v * 16 + d;
            }
            b.append((char) v);
          }
          default -> throw error("an unknown escape \\" + e);
        }
      }
    }

    private void ws() {
      while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n'
          || s.charAt(pos) == '\r')) {
        pos++;
      }
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next(String what) {
      if (pos >= s.length()) throw error("the text ends where " + what + " belongs");
      return s.charAt(pos++);
    }

    private void expect(char c, String what) {
      if (pos >= s.length() || s.charAt(pos) != c) throw error("expected " + what);
      pos++;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(
          "the certificate's attribute extension is not valid: " + what + " (at character " + pos + ")");
    }
  }
}
