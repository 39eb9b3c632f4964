package org.medledger.portal.infrastructure.pdf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A one-page letter of plain lines, as the demo's doctor attaches one (a discharge letter). The
 * PDF's standard Helvetica, which every reader has, keeps it about a kilobyte: Latin-1 text only.
 */
public final class SimpleLetter {
  private SimpleLetter() {}

  public static byte[] pdf(String title, List<String> lines) {
    try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDPage page = new PDPage(PDRectangle.A4);
      doc.addPage(page);
      try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
        cs.beginText();
        cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD), 16);
        cs.newLineAtOffset(72, PDRectangle.A4.getHeight() - 90);
        cs.showText(title);
        cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
        cs.setLeading(16);
        cs.newLine();
        for (String line : lines) {
          cs.newLine();
          cs.showText(line);
        }
        cs.endText();
      }
      doc.getDocumentInformation().setTitle(title);
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
