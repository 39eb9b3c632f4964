package org.medledger.evidence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the manifest needs (objects, arrays, strings, integers, booleans, null), so
 * the verifier has no dependency an expert must trust besides the core. Objects keep their
 * order; numbers are {@code long} (the manifest has no fractions).
 */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.append('\n').toString();
  }

  private static void write(StringBuilder out, Object v, int indent) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      quote(out, s);
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.append("  ".repeat(indent + 1));
        quote(out, (String) e.getKey());
        out.append(": ");
        write(out, e.getValue(), indent + 1);
        out.append(++i < m.size() ? ",\n" : "\n");
      }
      out.append("  ".repeat(indent)).append('}');
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      for (int i = 0; i < l.size(); i++) {
        out.append("  ".repeat(indent + 1));
        write(out, l.get(i), indent + 1);
        out.append(i + 1 < l.size() ? ",\n" : "\n");
      }
      out.append("  ".repeat(indent)).append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Parses a JSON text; a malformed one is a {@link BundleFormatException} naming the offset. */
  static Object parse(String text) {
    Parser p = new Parser(text);
    p.space();
    Object v = p.value();
    p.space();
    if (p.at < text.length()) {
      throw p.error("unexpected text after the end");
    }
    return v;
  }

  private static final class Parser {
    private final String s;
    private int at;

    Parser(String s) {
      this.s = s;
    }

    BundleFormatException error(String why) {
      return new BundleFormatException("the manifest is not valid JSON at character " + at + ": " + why);
    }

    void space() {
      while (at < s.length() && " \t\r\n".indexOf(s.charAt(at)) >= 0) {
        at++;
      }
    }

    char peek() {
      if (at >= s.length()) {
        throw error("it ends too early");
      }
      return s.charAt(at);
    }

    void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      at++;
    }

    Object value() {
      char c = peek();
      if (c == '{') {
        at++;
        Map<String, Object> m = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
          at++;
          return m;
        }
        while (true) {
          space();
          String key = string();
          space();
          expect(':');
          space();
          if (m.put(key, value()) != null) {
            throw error("the key \"" + key + "\" appears twice");
          }
          space();
          if (peek() == ',') {
            at++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      if (c == '[') {
        at++;
        List<Object> l = new ArrayList<>();
        space();
        if (peek() == ']') {
          at++;
          return l;
        }
        while (true) {
          space();
          l.add(value());
          space();
          if (peek() == ',') {
            at++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", at)) {
        at += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", at)) {
        at += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", at)) {
        at += 4;
        return null;
      }
      int start = at;
      if (c == '-') {
        at++;
      }
      while (at < s.length() && Character.isDigit(s.charAt(at))) {
        at++;
      }
      if (at == start || (at == start + 1 && c == '-')) {
        throw error("unexpected character '" + c + "'");
      }
      try {
        return Long.parseLong(s.substring(start, at));
      } catch (NumberFormatException e) {
        throw error("a number out of range");
      }
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = peek();
        at++;
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = peek();
          at++;
          switch (e) {
            case '"', '\\', '/' -> b.append(e);
            case 'n' -> b.append('\n');
            case 'r' -> b.append('\r');
            case 't' -> b.append('\t');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              if (at + 4 > s.length()) {
                throw error("a short \\u escape");
              }
              try {
                b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
              } catch (NumberFormatException x) {
                throw error("a bad \\u escape");
              }
              at += 4;
            }
            default -> throw error("a bad escape \\" + e);
          }
        } else if (c < 0x20) {
          throw error("a control character inside a string");
        } else {
          b.append(c);
        }
      }
    }
  }
}
