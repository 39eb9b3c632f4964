package org.medledger.portal.e2e;

import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 13: the pages of patients, family members, doctors, pharmacists and insurers speak
 * people's words, not the protocol's. What a person reads on a page (its text, and the
 * title, placeholder, alt and aria-label of its elements) is checked against the protocol's
 * names, identifiers shown as long hashes, and machine timestamps. Left out: the elements
 * marked {@code .evidence} (the ledger evidence a reader asks for), {@code .ml-code} (codes
 * to copy, such as a card's text, whose random letters are not words) and text areas, which
 * hold what the person typed or pasted (a consent code pasted on the Scan page kept its
 * random letters after the read, and once they happened to spell "MSP").
 */
final class PlainWords {
  private PlainWords() {}

  /** Each forbidden thing and why; the patterns are case-sensitive unless they say otherwise. */
  static final List<Pattern> FORBIDDEN = List.of(
      Pattern.compile("txtc|txtr|txd|txm|txa|txk", Pattern.CASE_INSENSITIVE), // record type names
      Pattern.compile("κ"), // the paper's key symbols
      Pattern.compile("MSP"), // Fabric organisations
      Pattern.compile("\\bIndex\\b"),
      Pattern.compile("\\bBlock\\b"),
      Pattern.compile("Key pending"),
      Pattern.compile("share of its key"),
      Pattern.compile("SIFF", Pattern.CASE_INSENSITIVE),
      Pattern.compile("\\btag\\b"),
      Pattern.compile("c_x"),
      Pattern.compile("[0-9a-fA-F]{64}"), // a hash as an identifier
      Pattern.compile("[0-9a-f]{12}…"), // a hash's prefix as an identifier
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}")); // ISO-8601 instants

  private static final String READ_TEXT = """
      () => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('.evidence, .ml-code, textarea, script, style, noscript, template').forEach(e => e.remove());
        const out = [body.innerText || body.textContent];
        body.querySelectorAll('[title],[placeholder],[alt],[aria-label]').forEach(e => {
          for (const a of ['title', 'placeholder', 'alt', 'aria-label']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
        });
        out.push(document.title);
        return out.join('\\n');
      }""";

  /** The readable text of {@code p} outside its evidence sections. */
  static String readable(Page p) {
    return (String) p.evaluate(READ_TEXT);
  }

  /** Every forbidden thing the page shows, with some context; empty when the page is plain. */
  static List<String> violations(Page p) {
    String text = readable(p);
    List<String> out = new ArrayList<>();
    for (Pattern f : FORBIDDEN) {
      Matcher m = f.matcher(text);
      while (m.find()) {
        int from = Math.max(0, m.start() - 40), to = Math.min(text.length(), m.end() + 40);
        out.add("'" + m.group() + "' in …" + text.substring(from, to).replace('\n', ' ') + "…");
      }
    }
    return out;
  }
}
