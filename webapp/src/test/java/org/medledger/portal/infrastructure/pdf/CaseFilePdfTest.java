package org.medledger.portal.infrastructure.pdf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Role;
import org.medledger.portal.application.TreatmentService.Evidence;
import org.medledger.portal.application.TreatmentService.RecordView;
import org.medledger.portal.application.casefile.CaseFile;

/**
 * The case file's PDF read back with PDFBox's own text extraction: every record is there (long,
 * multi-line, unbroken and non-Latin text included), each page says "Page i of N", a record that
 * fits on a page is never split across two, and no character lies outside the text box.
 */
class CaseFilePdfTest {
  private static final ZoneId ZONE = ZoneId.of("Europe/Oslo");
  private static final Function<Instant, String> WHEN =
      t -> DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", Locale.ENGLISH).format(t.atZone(ZONE));
  private static final String NAMES = "Müller Ødegård Łukasz 患者";
  private static final int RECORDS = 40;
  /** The record longer than a page: it must be split, and nothing of it lost. */
  private static final int LONG = 17;

  private static CaseFile file;
  private static byte[] pdf;
  private static List<String> pages; // text of each page, whitespace removed
  private static final List<String> outside = new ArrayList<>();

  @BeforeAll
  static void render() throws IOException {
    List<RecordView> records = new ArrayList<>();
    Instant t0 = Instant.parse("2026-03-03T09:00:00Z");
    for (int i = 1; i <= RECORDS; i++) {
      RecordType type = switch (i % 4) {
        case 0 -> RecordType.TXD;
        case 1 -> RecordType.TXM;
        case 2 -> RecordType.TXA;
        default -> RecordType.TXTR;
      };
      records.add(new RecordView(type, hex(i, 'a'), author(i), Role.DOCTOR, i, t0.plusSeconds(600L * i), tx(i), text(i),
          true, i == 5 ? null : new Evidence(tx(i), 100 + i, hex(i, 'b'), t0.plusSeconds(600L * i), "HospitalMSP",
              "Dr. Ørsted " + NAMES + " (St. Mary's Hospital)", true), false));
    }
    file = new CaseFile(hex(0, 'c'), new CaseFile.Heading("Appendicitis of " + NAMES + ", March 2026",
        Optional.of(new CaseFile.Patient("Åse " + NAMES, Optional.of(LocalDate.of(1980, 2, 29))))), "Patient 6379ca",
        t0, new CaseFile.PrintedBy("Frank Weber", "Lawyer", "Weber & Partners"), t0.plusSeconds(86_400), ZONE, records);
    pdf = new CaseFilePdf().render(file, WHEN);
    // Kept for a person to look at (target/casefile-sample.pdf).
    java.nio.file.Files.write(java.nio.file.Path.of("target", "casefile-sample.pdf"), pdf);

    pages = new ArrayList<>();
    try (PDDocument doc = Loader.loadPDF(pdf)) {
      for (int p = 1; p <= doc.getNumberOfPages(); p++) {
        PDFTextStripper s = new BoxChecker(doc.getPage(p - 1), p);
        s.setStartPage(p);
        s.setEndPage(p);
        pages.add(squeeze(s.getText(doc)));
      }
    }
  }

  private static String author(int i) {
    return String.format("Author%02d %s", i, i % 3 == 0 ? NAMES : "Dr. Claire Dubois");
  }

  private static String tx(int i) {
    return String.format("tx%02d", i) + hex(i, 'f').substring(4);
  }

  private static String hex(int i, char fill) {
    return String.format("%02d", i) + String.valueOf(fill).repeat(62);
  }

  private static String begins(int i) {
    return String.format("Record%02dbegins", i);
  }

  private static String ends(int i) {
    return String.format("Record%02dends", i);
  }

  /** Short, multi-line, a long paragraph, an unbroken key, non-Latin, one longer than a page. */
  private static String text(int i) {
    StringBuilder b = new StringBuilder(begins(i)).append(' ');
    if (i == LONG) {
      for (int l = 1; l <= 150; l++) b.append("\nLine ").append(l).append(" of the longest record, ").append(NAMES);
    } else if (i % 5 == 0) {
      b.append("A long paragraph. ".repeat(80));
    } else if (i % 5 == 1) {
      for (int l = 1; l <= 8; l++) b.append("\n  - item ").append(l).append(": amoxicillin 500 mg, ").append(NAMES);
      b.append("\n\n");
    } else if (i % 5 == 2) {
      b.append("Key ").append(HexFormat.of().formatHex(new byte[200])).append(" checked.");
    } else if (i % 5 == 3) {
      b.append(NAMES).append(" 急性虫垂炎の患者、手術は成功しました。\tTabbed ").append("Ελληνικά κείμενο");
    } else {
      b.append("Short.");
    }
    return b.append(' ').append(ends(i)).toString();
  }

  private static String squeeze(String s) {
    return s.replaceAll("\\s+", "");
  }

  /** Checks, while extracting, that each character of the page lies inside the text box. */
  private static final class BoxChecker extends PDFTextStripper {
    private final PDPage page;
    private final int number;

    BoxChecker(PDPage page, int number) {
      this.page = page;
      this.number = number;
    }

    @Override
    protected void writeString(String text, List<TextPosition> positions) throws IOException {
      float w = page.getMediaBox().getWidth(), h = page.getMediaBox().getHeight();
      for (TextPosition t : positions) {
        float x = t.getXDirAdj(), y = t.getYDirAdj();
        boolean in = x >= CaseFilePdf.MARGIN - 0.5f && x + t.getWidthDirAdj() <= w - CaseFilePdf.MARGIN + 0.5f
            && y >= CaseFilePdf.MARGIN - 20 && y <= h - CaseFilePdf.MARGIN / 2;
        if (!in) outside.add("page " + number + " '" + t.getUnicode() + "' at " + x + "," + y + " in '" + text + "'");
      }
      super.writeString(text, positions);
    }
  }

  private static int pageOf(String squeezed) {
    for (int p = 0; p < pages.size(); p++) if (pages.get(p).contains(squeezed)) return p + 1;
    return -1;
  }

  @Test
  void everyRecordIsThereWithItsAuthorAndEvidence() {
    String all = String.join("", pages);
    for (RecordView r : file.records()) {
      for (String line : r.text().split("\n")) {
        if (!line.isBlank()) assertThat(all).as("a line of the record by " + r.senderName()).contains(squeeze(line));
      }
      assertThat(all).contains(squeeze(r.senderName()));
      if (r.evidence() != null) {
        assertThat(all).contains(r.transactionId(), r.evidence().blockHash(), r.kappaHex());
      }
    }
    assertThat(all).contains(squeeze("Diagnosis"), squeeze("Dispensing"), squeeze("Insurance decision"),
        squeeze("Accepted the invitation"), squeeze("Ledger evidence"));
    assertThat(all).doesNotContain("?患").doesNotContain("\uFFFD");
  }

  @Test
  void theFirstPageNamesTheTreatmentThePatientAndWhoPrintedItWhen() {
    String first = pages.get(0);
    assertThat(first).contains(squeeze(file.title()), squeeze("Åse " + NAMES), squeeze("born 29 February 1980"),
        squeeze("Printed by Frank Weber (Lawyer, Weber & Partners) on 4 Mar 2026, 10:00 (Europe/Oslo)"));
  }

  @Test
  void everyPageSaysPageIOfN() {
    int n = pages.size();
    assertThat(n).isGreaterThan(5);
    for (int p = 1; p <= n; p++) assertThat(pages.get(p - 1)).contains(squeeze("Page " + p + " of " + n));
  }

  @Test
  void aRecordThatFitsOnAPageIsNeverSplit() {
    for (int i = 1; i <= RECORDS; i++) {
      if (i == LONG) continue;
      int p = pageOf(begins(i));
      assertThat(p).as("record %d", i).isPositive();
      assertThat(pageOf(ends(i))).as("end of record %d", i).isEqualTo(p);
      assertThat(pageOf(squeeze(author(i)))).as("author of record %d", i).isEqualTo(p);
      if (i != 5) assertThat(pageOf(hex(i, 'a'))).as("evidence of record %d", i).isEqualTo(p);
    }
    // The record longer than a page is split, in order, and nothing of it is lost.
    assertThat(pageOf(ends(LONG))).isGreaterThan(pageOf(begins(LONG)));
  }

  @Test
  void noCharacterLiesOutsideTheTextBox() {
    assertThat(outside).isEmpty();
  }

  @Test
  void fontsAreEmbeddedAndTheTitleIsInTheMetadata() throws IOException {
    try (PDDocument doc = Loader.loadPDF(pdf)) {
      assertThat(doc.getDocumentInformation().getTitle()).isEqualTo("Case file: " + file.title());
      assertThat(doc.getDocumentInformation().getAuthor()).isEqualTo("Frank Weber");
      for (PDPage page : doc.getPages()) {
        for (COSName name : page.getResources().getFontNames()) {
          PDFont f = page.getResources().getFont(name);
          assertThat(f.isEmbedded()).as(f.getName()).isTrue();
        }
      }
    }
  }
}
