package org.medledger.portal.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import java.util.List;

/**
 * The screen a browser test's story runs on: a desktop, or a 390×844 phone (mobile, touch). On
 * any screen a page must not scroll sideways: {@link #misfits} names what sticks out.
 */
record Viewport(String name, int width, int height, boolean phone) {
  static final Viewport DESKTOP = new Viewport("desktop", 1366, 900, false);
  static final Viewport PHONE = new Viewport("phone", 390, 844, true);

  /** A new context's options for this screen. */
  Browser.NewContextOptions options() {
    Browser.NewContextOptions o = new Browser.NewContextOptions().setViewportSize(width, height);
    // A phone honours the page's <meta name="viewport"> and has a touch screen.
    if (phone) o.setIsMobile(true).setHasTouch(true);
    return o;
  }

  /** "" on the desktop, "-phone" on a phone: the ending of screenshot names (and of accounts). */
  String suffix() {
    return phone ? "-" + name : "";
  }

  /**
   * What makes the page wider than its window: a layout wider than the screen, the page's own sideways scrolling, every visible
   * element that reaches past the window's left or right edge, and every box that scrolls
   * sideways inside the page (a table wider than the phone is still wider than the phone).
   * Text an ancestor deliberately shortens with an ellipsis, inside the window, is no overflow;
   * anything else cut off at the window's edge is (nobody can read it). Empty when the page fits.
   */
  static final String MISFITS = """
      screen => {
        const d = document.documentElement, w = d.clientWidth, out = [];
        // Without <meta name="viewport"> a phone lays the page out 980 px wide and shrinks it.
        if (w > screen) out.push('the page is laid out ' + w + ' px wide on a ' + screen + ' px screen (no <meta name="viewport">?)');
        const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
          + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
          + (e.tagName === 'A' || e.tagName === 'BUTTON' || e.tagName === 'LABEL' ? ' "' + (e.textContent || '').trim().slice(0, 30) + '"' : '');
        if (d.scrollWidth > w) out.push('the page scrolls sideways (scrollWidth ' + d.scrollWidth + ' > ' + w + ')');
        const cutInside = e => {
          for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (s.overflowX === 'hidden' || s.overflowX === 'clip') {
              const b = a.getBoundingClientRect();
              if (b.width < 2 || b.height < 2) return true; // hidden for screen readers (PrimeFaces' native select)
              return s.textOverflow === 'ellipsis' && b.left >= -1 && b.right <= w + 1;
            }
          }
          return false;
        };
        for (const e of document.body.querySelectorAll('*')) {
          const r = e.getBoundingClientRect();
          if (r.width < 2 || r.height < 2) continue; // nothing shown (display none, screen-reader text)
          const s = getComputedStyle(e);
          if (s.visibility === 'hidden') continue;
          if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1) {
            out.push(name(e) + ' scrolls sideways inside the page (' + e.scrollWidth + ' px of content in ' + e.clientWidth + ' px)');
          }
          if ((r.right > w + 1 || r.left < -1) && !cutInside(e)) {
            out.push(name(e) + ' reaches ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px of a ' + w + ' px window');
          }
        }
        // The innermost culprits say the most: a wide table also widens its wrappers.
        return out.reverse().slice(0, 12);
      }""";

  /** {@link #MISFITS} of the page as it is now. */
  @SuppressWarnings("unchecked")
  static List<String> misfits(Page p) {
    return (List<String>) p.evaluate(MISFITS, p.viewportSize().width);
  }
}
