package org.medledger.portal.infrastructure.pdf;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.interactive.viewerpreferences.PDViewerPreferences;
import org.medledger.portal.application.TreatmentService.Evidence;
import org.medledger.portal.application.TreatmentService.RecordView;
import org.medledger.portal.application.casefile.CaseFile;
import org.medledger.portal.infrastructure.pdf.PdfFonts.Run;

/**
 * The case file as a PDF (A4): the treatment's title, the patient, who printed it and when, then
 * every record with its author, role, time, people's words for its type, its text and its
 * ledger evidence; "Page i of N" at the foot of each page.
 *
 * <p>Laid out in two passes: every line is wrapped to the text box first (long words and keys
 * are broken between characters, so no line is ever clipped), the lines are placed on pages
 * (a record that fits on one page starts a new page rather than being split), and only then,
 * with N known, are the pages drawn. The fonts ship with the application ({@link PdfFonts}).
 */
@ApplicationScoped
public class CaseFilePdf {
  static final PDRectangle PAGE = PDRectangle.A4;
  /** Left, right and top margin; the foot line sits inside the bottom margin. */
  static final float MARGIN = 56;
  static final float BOTTOM = 72;
  static final float WIDTH = PAGE.getWidth() - 2 * MARGIN;
  private static final float LABEL_WIDTH = 96;
  private static final DateTimeFormatter BIRTH = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);

  private static final Style KICKER = new Style(false, 9, 0.33f);
  private static final Style TITLE = new Style(true, 17, 0f);
  private static final Style LEAD = new Style(false, 10.5f, 0f);
  private static final Style MUTED = new Style(false, 9, 0.33f);
  private static final Style RECORD = new Style(true, 12, 0f);
  private static final Style BODY = new Style(false, 10.5f, 0f);
  private static final Style EVIDENCE_HEAD = new Style(true, 8, 0.33f);
  private static final Style EVIDENCE = new Style(false, 8, 0.33f);
  private static final Style FOOT = new Style(false, 8.5f, 0.33f);

  /**
   * @param when the portal's time formatter in the reader's zone ({@code file.zone()})
   * @return the PDF's bytes
   */
  public byte[] render(CaseFile file, Function<Instant, String> when) {
    try (PDDocument doc = new PDDocument()) {
      PdfFonts fonts = new PdfFonts(doc);
      List<Block> blocks = new ArrayList<>();
      blocks.add(heading(file, when, fonts));
      int n = 0;
      for (RecordView r : file.records()) blocks.add(record(++n, r, when, fonts));
      List<List<Placed>> pages = paginate(blocks);
      for (int i = 0; i < pages.size(); i++) draw(doc, fonts, pages.get(i), i + 1, pages.size());
      describe(doc, file);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("The case file could not be made into a PDF", e);
    }
  }

  // ------------------------------------------------------------------ content

  private Block heading(CaseFile f, Function<Instant, String> when, PdfFonts fonts) throws IOException {
    Block b = new Block();
    b.add(wrap("CASE FILE", KICKER, MARGIN, WIDTH, fonts));
    b.add(wrap(f.title(), TITLE, MARGIN, WIDTH, fonts));
    String patient = "Patient: " + f.patientName() + f.patientBirthDate().map(d -> ", born " + BIRTH.format(d)).orElse("");
    b.add(wrap(patient, LEAD, MARGIN, WIDTH, fonts));
    if (f.openedAt() != null) b.add(wrap("Opened " + when.apply(f.openedAt()), LEAD, MARGIN, WIDTH, fonts));
    b.add(wrap("Printed by " + f.printedBy().describe() + " on " + when.apply(f.printedAt()) + " (" + f.zone().getId() + ")",
        LEAD, MARGIN, WIDTH, fonts));
    b.gap(6);
    b.add(wrap("Every record of this treatment in ledger order, decrypted with the reader's own key, with the ledger's "
        + "evidence for each.", MUTED, MARGIN, WIDTH, fonts));
    b.add(row("Treatment key κ0", f.kappa0Hex(), fonts));
    b.gap(10);
    return b;
  }

  private Block record(int n, RecordView r, Function<Instant, String> when, PdfFonts fonts) throws IOException {
    Block b = new Block();
    b.rule = true;
    b.gap(8);
    b.add(wrap(n + ". " + r.title(), RECORD, MARGIN, WIDTH, fonts));
    String meta = r.senderName() + " · " + r.senderRole().title() + " · " + when.apply(r.time())
        + (r.sequence() > 0 ? " · no. " + r.sequence() : "");
    b.add(wrap(meta, MUTED, MARGIN, WIDTH, fonts));
    if (r.text() != null && !r.text().isBlank()) {
      b.gap(3);
      b.add(wrap(r.text(), BODY, MARGIN, WIDTH, fonts));
    }
    b.gap(4);
    b.add(wrap("Ledger evidence", EVIDENCE_HEAD, MARGIN, WIDTH, fonts));
    Evidence e = r.evidence();
    b.add(row("Record type", r.typeLabel() + (r.sequence() > 0 ? " #" + r.sequence() : ""), fonts));
    b.add(row("Transaction", r.transactionId(), fonts));
    if (e == null) {
      b.add(row("Block", "not found on this ledger", fonts));
    } else {
      b.add(row("Block", e.blockNumber() + " " + e.blockHash(), fonts));
      b.add(row("Time", when.apply(e.time()) + " (" + e.time() + ")", fonts));
      b.add(row("Signed by", e.signer() + " · " + e.mspId() + (e.valid() ? "" : " · marked invalid by the ledger"), fonts));
    }
    b.add(row("Record key κ", r.kappaHex(), fonts));
    b.gap(8);
    return b;
  }

  /** A label and its value, the value wrapped in its own column. */
  private List<Line> row(String label, String value, PdfFonts fonts) throws IOException {
    List<Line> lines = wrap(value == null ? "" : value, EVIDENCE, MARGIN + LABEL_WIDTH, WIDTH - LABEL_WIDTH, fonts);
    List<Line> labels = wrap(label, EVIDENCE, MARGIN, LABEL_WIDTH - 6, fonts);
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < Math.max(lines.size(), labels.size()); i++) {
      Line l = new Line(EVIDENCE.leading());
      if (i < labels.size()) l.pieces.addAll(labels.get(i).pieces);
      if (i < lines.size()) l.pieces.addAll(lines.get(i).pieces);
      out.add(l);
    }
    return out;
  }

  private void describe(PDDocument doc, CaseFile f) {
    PDDocumentInformation info = doc.getDocumentInformation();
    info.setTitle("Case file: " + f.title());
    info.setAuthor(f.printedBy().name());
    info.setSubject("Every record of a treatment with its ledger evidence");
    info.setCreator("MedLedger portal");
    Calendar at = GregorianCalendar.from(f.printedAt().atZone(f.zone()));
    info.setCreationDate(at);
    info.setModificationDate(at);
    doc.getDocumentCatalog().setLanguage("en");
    // Viewers show the title rather than the file name.
    PDViewerPreferences prefs = new PDViewerPreferences(new org.apache.pdfbox.cos.COSDictionary());
    prefs.setDisplayDocTitle(true);
    doc.getDocumentCatalog().setViewerPreferences(prefs);
  }

  // ------------------------------------------------------------------ wrapping

  /**
   * {@code text} broken into lines no wider than {@code width}: at spaces where it can, between
   * characters inside a word longer than a line; each line break of the text is kept.
   */
  static List<Line> wrap(String text, Style style, float x, float width, PdfFonts fonts) throws IOException {
    List<Line> lines = new ArrayList<>();
    for (String para : PdfFonts.clean(text).split("\n", -1)) {
      StringBuilder line = new StringBuilder();
      float used = 0;
      for (String token : para.split("(?<= )|(?= )")) {
        if (token.isEmpty()) continue;
        float w = fonts.width(token, style.bold, style.size);
        if (used + w <= width) {
          line.append(token);
          used += w;
          continue;
        }
        if (token.equals(" ")) { // a space at the end of a line is dropped
          lines.add(line(line.toString(), style, x, fonts));
          line.setLength(0);
          used = 0;
          continue;
        }
        if (line.length() > 0 && w <= width) {
          lines.add(line(line.toString(), style, x, fonts));
          line.setLength(0);
          line.append(token);
          used = w;
          continue;
        }
        // A word longer than what is left: fill this line (or a fresh one) character by character.
        for (int i = 0; i < token.length(); ) {
          int cp = token.codePointAt(i);
          String c = new String(Character.toChars(cp));
          float cw = fonts.width(c, style.bold, style.size);
          if (used + cw > width && line.length() > 0) {
            lines.add(line(line.toString(), style, x, fonts));
            line.setLength(0);
            used = 0;
          }
          line.append(c);
          used += cw;
          i += Character.charCount(cp);
        }
      }
      lines.add(line(line.toString().stripTrailing(), style, x, fonts));
    }
    return lines;
  }

  private static Line line(String text, Style style, float x, PdfFonts fonts) throws IOException {
    Line l = new Line(style.leading());
    if (!text.isEmpty()) l.pieces.add(new Piece(x, style, fonts.runs(text, style.bold)));
    return l;
  }

  // ------------------------------------------------------------------ pages

  /** Lines placed on pages: the y of each line's baseline. */
  static List<List<Placed>> paginate(List<Block> blocks) {
    float top = PAGE.getHeight() - MARGIN;
    float full = top - BOTTOM;
    List<List<Placed>> pages = new ArrayList<>();
    List<Placed> page = new ArrayList<>();
    pages.add(page);
    float y = top;
    for (Block b : blocks) {
      float h = b.height();
      boolean fresh = page.isEmpty();
      if (y - h < BOTTOM && !fresh && h <= full) { // it fits on a page of its own: never split it
        page = new ArrayList<>();
        pages.add(page);
        y = top;
        fresh = true;
      }
      boolean first = true;
      for (Line l : b.lines) {
        if (y - l.height < BOTTOM) { // only a block longer than a page gets here
          page = new ArrayList<>();
          pages.add(page);
          y = top;
          fresh = true;
        }
        y -= l.height;
        page.add(new Placed(l, y, first && b.rule && !fresh));
        first = false;
      }
    }
    return pages;
  }

  private void draw(PDDocument doc, PdfFonts fonts, List<Placed> lines, int number, int of) throws IOException {
    PDPage page = new PDPage(PAGE);
    doc.addPage(page);
    try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
      for (Placed p : lines) {
        if (p.rule) {
          cs.setStrokingColor(0.8f, 0.8f, 0.8f);
          cs.setLineWidth(0.5f);
          float ry = p.y + p.line.height;
          cs.moveTo(MARGIN, ry);
          cs.lineTo(MARGIN + WIDTH, ry);
          cs.stroke();
        }
        for (Piece piece : p.line.pieces) show(cs, fonts, piece, piece.x, p.y + p.line.height * 0.25f);
      }
      String foot = "Page " + number + " of " + of;
      Piece left = new Piece(MARGIN, FOOT, fonts.runs("MedLedger case file", false));
      float w = fonts.width(foot, false, FOOT.size);
      Piece right = new Piece(MARGIN + WIDTH - w, FOOT, fonts.runs(foot, false));
      float fy = BOTTOM - 30;
      show(cs, fonts, left, left.x, fy);
      show(cs, fonts, right, right.x, fy);
    }
  }

  private static void show(PDPageContentStream cs, PdfFonts fonts, Piece piece, float x, float baseline) throws IOException {
    cs.beginText();
    cs.setNonStrokingColor(piece.style.grey, piece.style.grey, piece.style.grey);
    cs.newLineAtOffset(x, baseline);
    for (Run r : piece.runs) {
      cs.setFont(fonts.font(r.font(), piece.style.bold), piece.style.size);
      cs.showText(r.text());
    }
    cs.endText();
  }

  // ------------------------------------------------------------------ model of the layout

  record Style(boolean bold, float size, float grey) {
    float leading() {
      return size * 1.4f;
    }
  }

  /** Text in one style at x, as runs of the one font that has each character. */
  record Piece(float x, Style style, List<Run> runs) {}

  static final class Line {
    final float height;
    final List<Piece> pieces = new ArrayList<>();

    Line(float height) {
      this.height = height;
    }
  }

  /** What must stay together on a page if it can: the heading, or one record. */
  static final class Block {
    final List<Line> lines = new ArrayList<>();
    boolean rule;

    void add(List<Line> l) {
      lines.addAll(l);
    }

    void gap(float h) {
      lines.add(new Line(h));
    }

    float height() {
      float h = 0;
      for (Line l : lines) h += l.height;
      return h;
    }
  }

  record Placed(Line line, float y, boolean rule) {}
}
