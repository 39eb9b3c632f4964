package org.medledger.portal.infrastructure.pdf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * The fonts of one PDF, shipped with the application (fonts/README.md beside this class): DejaVu
 * Sans for Latin, Greek and Cyrillic, Droid Sans Fallback for the Chinese, Japanese and Korean
 * characters DejaVu lacks. Text is split into runs of the first font that has each character;
 * a character neither has becomes "?". Only the glyphs used are embedded (subsets).
 */
final class PdfFonts {
  enum Face { MAIN, FALLBACK }

  /** Text in one font. */
  record Run(Face font, String text) {}

  private static final String DIR = "fonts/";
  private static final byte[] REGULAR = read("DejaVuSans.ttf");
  private static final byte[] BOLD = read("DejaVuSans-Bold.ttf");
  /** Read on first need only: 4 MB that most case files never use. */
  private static volatile byte[] fallbackBytes;

  private final PDDocument doc;
  private final PDType0Font regular;
  private final PDType0Font bold;
  private PDType0Font fallback;
  /** Per code point (times two, plus one for bold): the face that has it, or null for none. */
  private final Map<Integer, Face> faces = new HashMap<>();

  PdfFonts(PDDocument doc) throws IOException {
    this.doc = doc;
    regular = load(REGULAR);
    bold = load(BOLD);
  }

  private PDType0Font load(byte[] ttf) throws IOException {
    return PDType0Font.load(doc, new ByteArrayInputStream(ttf), true);
  }

  private static byte[] read(String name) {
    try (InputStream in = PdfFonts.class.getResourceAsStream(DIR + name)) {
      if (in == null) throw new IllegalStateException("The case file's font " + name + " is missing from the application");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PDFont font(Face face, boolean isBold) throws IOException {
    return face == Face.MAIN ? (isBold ? bold : regular) : fallback();
  }

  private PDType0Font fallback() throws IOException {
    if (fallback == null) {
      byte[] b = fallbackBytes;
      if (b == null) fallbackBytes = b = read("DroidSansFallbackFull.ttf");
      fallback = load(b);
    }
    return fallback;
  }

  /**
   * Text a PDF can show: tabs become spaces, line ends become "\n", other control characters
   * (and unpaired surrogates) are dropped.
   */
  static String clean(String s) {
    StringBuilder b = new StringBuilder(s.length());
    String t = s.replace("\r\n", "\n").replace('\r', '\n');
    for (int i = 0; i < t.length(); ) {
      int cp = t.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\t') b.append("    ");
      else if (cp == '\n') b.append('\n');
      else if (Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE
          || Character.getType(cp) == Character.FORMAT) continue;
      else b.appendCodePoint(cp);
    }
    return b.toString();
  }

  /** {@code text} (one line) as runs of the face that has each character. */
  List<Run> runs(String text, boolean isBold) throws IOException {
    List<Run> runs = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    Face curFace = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      Face f = face(cp, isBold);
      String c = f == null ? "?" : new String(Character.toChars(cp));
      if (f == null) f = Face.MAIN;
      if (curFace != null && f != curFace) {
        runs.add(new Run(curFace, cur.toString()));
        cur.setLength(0);
      }
      curFace = f;
      cur.append(c);
    }
    if (cur.length() > 0) runs.add(new Run(curFace, cur.toString()));
    return runs;
  }

  /** The width of {@code text} (one line) in points. */
  float width(String text, boolean isBold, float size) throws IOException {
    float w = 0;
    for (Run r : runs(text, isBold)) w += font(r.font(), isBold).getStringWidth(r.text()) / 1000f * size;
    return w;
  }

  /** The first face that has a glyph for {@code cp}, or null. */
  private Face face(int cp, boolean isBold) throws IOException {
    int key = cp * 2 + (isBold ? 1 : 0);
    Face known = faces.get(key);
    if (known != null || faces.containsKey(key)) return known;
    Face f = has(isBold ? bold : regular, cp) ? Face.MAIN : has(fallback(), cp) ? Face.FALLBACK : null;
    faces.put(key, f);
    return f;
  }

  private static boolean has(PDFont font, int cp) throws IOException {
    try {
      font.encode(new String(Character.toChars(cp)));
      return true;
    } catch (IllegalArgumentException e) { // "No glyph for U+… in font …"
      return false;
    }
  }
}
