package org.medledger.portal.application.cover;

import java.util.Base64;
import java.util.Optional;

/**
 * The text of the patient's QR code (docs/protocol.md §Cover): the consent, then — when she gave
 * a title and her name — a dot and the sealed cover, each Base64url without padding:
 * {@code medledger-consent:1:<consent>.<sealed cover>}. The dot is not a Base64 character, so a
 * code without a cover (older ones) reads as before.
 */
public final class ConsentCode {
  public static final char SEPARATOR = '.';

  private ConsentCode() {}

  public static String withCover(String consentText, byte[] box) {
    return consentText + SEPARATOR + Base64.getUrlEncoder().withoutPadding().encodeToString(box);
  }

  /** The text without the sealed cover. */
  public static String consentPart(String text) {
    int dot = text.indexOf(SEPARATOR);
    return dot < 0 ? text : text.substring(0, dot);
  }

  /** The sealed cover's bytes, if the text carries any that decode. */
  public static Optional<byte[]> coverPart(String text) {
    if (text == null) return Optional.empty();
    int dot = text.indexOf(SEPARATOR);
    if (dot < 0) return Optional.empty();
    try {
      byte[] b = Base64.getUrlDecoder().decode(text.substring(dot + 1).replaceAll("\\s", ""));
      return b.length == 0 ? Optional.empty() : Optional.of(b);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
