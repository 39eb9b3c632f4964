package org.medledger.core.crypto;

import java.nio.CharBuffer;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * RFC 8265 §4.2 OpaqueString, the PRECIS profile for passwords: what reaches Argon2id is the
 * UTF-8 of the enforced string, so a password typed in another Unicode form (a keyboard that
 * sends "e" + U+0301 instead of "é", a no-break space) unlocks the same σ.
 *
 * <p>Enforcement, in the RFC's order:
 * <ol>
 *   <li>preparation: every code point must be allowed by the FreeformClass (RFC 8264 §4.3);
 *   <li>additional mapping: every non-ASCII space (general category Zs other than U+0020) becomes
 *       U+0020;
 *   <li>no width mapping, no case mapping (passwords stay case- and width-sensitive);
 *   <li>normalisation: NFC;
 *   <li>no directionality rule; the result must not be empty.
 * </ol>
 *
 * <p>Refused (FreeformClass DISALLOWED, UNASSIGNED or context rules we do not satisfy):
 * control characters (Cc: U+0000–U+001F, U+007F–U+009F); default-ignorable code points
 * (soft hyphen U+00AD, U+034F, U+061C, Hangul fillers U+115F–U+1160, U+3164, U+FFA0,
 * U+17B4–U+17B5, Mongolian U+180B–U+180E, U+200B–U+200F, U+202A–U+202E, U+2060–U+206F,
 * variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF, U+FEFF, U+FFF0–U+FFF8,
 * U+1BCA0–U+1BCA3, U+1D173–U+1D17A, tags U+E0000–U+E0FFF); noncharacters and code points
 * unassigned in the JVM's Unicode version (Java 17: Unicode 13.0); surrogates (a lone half of a
 * UTF-16 pair); private use (Co); format characters (Cf) and the line and paragraph separators
 * U+2028, U+2029; the RFC 5892 exceptions U+0640, U+07FA, U+302E, U+302F, U+3031–U+3035,
 * U+303B; and the join controls U+200C, U+200D (CONTEXTJ: their context rule needs Unicode
 * properties the JDK does not expose, so they are refused, a documented restriction). The
 * CONTEXTO code points (U+00B7, U+0375, U+05F3, U+05F4, U+30FB, U+0660–U+0669,
 * U+06F0–U+06F9) are allowed only in the context RFC 5892 Appendix A gives them. Everything
 * else — letters, marks, digits, spaces, symbols (emoji), punctuation, compatibility
 * characters such as full-width letters — is allowed. ASCII passwords of printable characters
 * and spaces are unchanged.
 */
public final class PasswordProfile {
  private PasswordProfile() {}

  /**
   * The enforced password (a new array; the caller wipes both).
   *
   * @throws InvalidPasswordException if it is empty or contains a refused code point
   */
  public static char[] opaqueString(char[] password) {
    if (password == null || password.length == 0) {
      throw new InvalidPasswordException("The password must not be empty.");
    }
    if (printableAscii(password)) return password.clone(); // unchanged by every rule
    String s = CharBuffer.wrap(password).toString();
    check(s);
    String mapped = map(s);
    // RFC 8264 §7: apply the rules until the result is stable (one pass suffices for this
    // profile; the loop is the RFC's safety net).
    for (int i = 0; i < 4; i++) {
      String again = map(mapped);
      if (again.equals(mapped)) {
        check(mapped);
        if (mapped.isEmpty()) throw new InvalidPasswordException("The password must not be empty.");
        return mapped.toCharArray();
      }
      mapped = again;
    }
    throw new InvalidPasswordException("The password does not settle into one normal form.");
  }

  /** UTF-8 of the enforced password: exactly what Argon2id receives. The caller wipes it. */
  public static byte[] utf8(char[] password) {
    char[] p = opaqueString(password);
    try {
      java.nio.ByteBuffer enc = java.nio.charset.StandardCharsets.UTF_8.encode(CharBuffer.wrap(p));
      byte[] out = new byte[enc.remaining()];
      enc.get(out);
      if (enc.hasArray()) Arrays.fill(enc.array(), (byte) 0);
      return out;
    } finally {
      Arrays.fill(p, '\0');
    }
  }

  /** The number of code points of the enforced password (for the portal's length rule). */
  public static int length(char[] password) {
    char[] p = opaqueString(password);
    try {
      return Character.codePointCount(p, 0, p.length);
    } finally {
      Arrays.fill(p, '\0');
    }
  }

  private static boolean printableAscii(char[] p) {
    for (char c : p) {
      if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
  }

  private static String map(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> sb.appendCodePoint(cp != 0x20 && Character.getType(cp) == Character.SPACE_SEPARATOR ? 0x20 : cp));
    return Normalizer.normalize(sb, Normalizer.Form.NFC);
  }

  private static void check(String s) {
    int[] cps = s.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      String why = refusal(cps, i);
      if (why != null) {
        throw new InvalidPasswordException(String.format(
            "The password contains %s (U+%04X, character %d), which passwords may not contain.", why, cps[i], i + 1));
      }
    }
  }

  /** Why code point {@code cps[i]} is refused in this string, or null if it is allowed. */
  static String refusal(int[] cps, int i) {
    int cp = cps[i];
    // RFC 5892 §2.6 exceptions: PVALID ...
    if (cp == 0x00DF || cp == 0x03C2 || cp == 0x06FD || cp == 0x06FE || cp == 0x0F0B || cp == 0x3007) return null;
    // ... DISALLOWED ...
    if (cp == 0x0640 || cp == 0x07FA || cp == 0x302E || cp == 0x302F || (cp >= 0x3031 && cp <= 0x3035) || cp == 0x303B) {
      return "a character the PRECIS framework excludes";
    }
    // ... and CONTEXTO, allowed only where RFC 5892 Appendix A says.
    String ctx = contextO(cps, i);
    if (ctx != null) return ctx.isEmpty() ? null : ctx;
    if (cp >= 0xD800 && cp <= 0xDFFF) return "half of a broken character pair";
    int type = Character.getType(cp);
    if (type == Character.UNASSIGNED || isNoncharacter(cp)) return "an unassigned code point";
    if (cp >= 0x21 && cp <= 0x7E) return null; // ASCII7
    if (cp == 0x200C || cp == 0x200D) return "an invisible joiner";
    if (isOldHangulJamo(cp)) return "an old Hangul jamo";
    if (isDefaultIgnorable(cp)) return "an invisible character";
    if (type == Character.CONTROL) return "a control character";
    if (hasCompat(cp)) return null;
    return switch (type) {
      case Character.LOWERCASE_LETTER, Character.UPPERCASE_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
          Character.MODIFIER_LETTER, Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, // LetterDigits
          Character.TITLECASE_LETTER, Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.ENCLOSING_MARK, // OtherLetterDigits
          Character.SPACE_SEPARATOR, // Spaces
          Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL, // Symbols
          Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> null; // Punctuation
      case Character.PRIVATE_USE -> "a private-use character";
      case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line or paragraph separator";
      default -> "an invisible formatting character";
    };
  }

  /** null: not a CONTEXTO code point; "": allowed here; otherwise why not. */
  private static String contextO(int[] cps, int i) {
    int cp = cps[i];
    int before = i > 0 ? cps[i - 1] : -1;
    int after = i + 1 < cps.length ? cps[i + 1] : -1;
    String misplaced = "a character that is allowed only in a particular context";
    switch (cp) {
      case 0x00B7: // MIDDLE DOT: between two 'l' (Catalan)
        return before == 'l' && after == 'l' ? "" : misplaced;
      case 0x0375: // GREEK LOWER NUMERAL SIGN: followed by Greek
        return after >= 0 && Character.UnicodeScript.of(after) == Character.UnicodeScript.GREEK ? "" : misplaced;
      case 0x05F3, 0x05F4: // HEBREW GERESH, GERSHAYIM: preceded by Hebrew
        return before >= 0 && Character.UnicodeScript.of(before) == Character.UnicodeScript.HEBREW ? "" : misplaced;
      case 0x30FB: // KATAKANA MIDDLE DOT: some Hiragana, Katakana or Han in the string
        for (int c : cps) {
          if (c == 0x30FB) continue;
          Character.UnicodeScript sc = Character.UnicodeScript.of(c);
          if (sc == Character.UnicodeScript.HIRAGANA || sc == Character.UnicodeScript.KATAKANA
              || sc == Character.UnicodeScript.HAN) {
            return "";
          }
        }
        return misplaced;
      default:
        if (cp >= 0x0660 && cp <= 0x0669) { // ARABIC-INDIC DIGITS: not mixed with extended ones
          return Arrays.stream(cps).anyMatch(c -> c >= 0x06F0 && c <= 0x06F9) ? "Arabic-Indic digits of two kinds" : "";
        }
        if (cp >= 0x06F0 && cp <= 0x06F9) {
          return Arrays.stream(cps).anyMatch(c -> c >= 0x0660 && c <= 0x0669) ? "Arabic-Indic digits of two kinds" : "";
        }
        return null;
    }
  }

  private static boolean isNoncharacter(int cp) {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
  }

  private static boolean isOldHangulJamo(int cp) {
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF);
  }

  /** Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt; a stable set). */
  private static boolean isDefaultIgnorable(int cp) {
    return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5
        || (cp >= 0x180B && cp <= 0x180E) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF
        || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) || (cp >= 0x1BCA0 && cp <= 0x1BCA3)
        || (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF);
  }

  /** HasCompat (RFC 8264 §9.17): NFKC changes the code point. FreeformClass allows these. */
  private static boolean hasCompat(int cp) {
    String s = new String(Character.toChars(cp));
    return !Normalizer.normalize(s, Normalizer.Form.NFKC).equals(s);
  }
}
