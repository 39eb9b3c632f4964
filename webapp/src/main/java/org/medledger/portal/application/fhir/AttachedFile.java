package org.medledger.portal.application.fhir;

import java.io.Serializable;
import java.util.Locale;

/**
 * A file a doctor attaches to a treatment (a DocumentReference, docs/protocol.md §Content of a
 * record): a PDF, PNG or JPEG whose kind is read from its first bytes, never from its name or
 * from what the browser says, so a page or a script renamed "scan.pdf" is refused.
 *
 * <p>The bytes travel inside the encrypted record, as base64 in the resource's JSON: the record's
 * message is at most 256 KiB (RecordCipher.MAX_MESSAGE_BYTES), base64 makes 4 bytes of 3, and the
 * resource around the file (names, note, dates) needs a few KiB. {@value #MAX_BYTES} bytes of
 * file become at most 245,760 bytes of base64, which leaves 16 KiB for the rest.
 *
 * @param name the file's name as the doctor's computer gave it, without any folder, for display
 * @param mediaType "application/pdf", "image/png" or "image/jpeg", from the bytes
 */
public record AttachedFile(String name, String mediaType, byte[] bytes) implements Serializable {
  /** 180 KB: what fits in one record with its resource (see above). */
  public static final int MAX_BYTES = 180 * 1024;
  /** The limit as the page states it next to the field. */
  public static final String LIMITS = "A PDF, PNG or JPEG file of at most 180 KB";
  public static final int MAX_NAME_CHARS = 120;

  /**
   * The file as uploaded, checked: not empty, at most {@link #MAX_BYTES}, a PDF, PNG or JPEG by its
   * first bytes.
   *
   * @throws InvalidRecordException naming the field "attachment"
   */
  public static AttachedFile of(String submittedName, byte[] bytes) {
    if (bytes == null || bytes.length == 0) throw new InvalidRecordException("attachment", "Attachment: choose a file.");
    if (bytes.length > MAX_BYTES) {
      // the page reads at most one byte more than the limit, so the file's real size is not known here
      throw new InvalidRecordException("attachment", "Attachment: the file is larger than 180 KB, the limit for an attachment. Nothing was stored.");
    }
    String type = detect(bytes);
    if (type == null) {
      throw new InvalidRecordException("attachment", "Attachment: only a PDF, PNG or JPEG file can be attached; this file is none of them.");
    }
    return new AttachedFile(cleanName(submittedName, type), type, bytes);
  }

  /** The kind of file its first bytes say ("%PDF-", PNG's signature, JPEG's start of image), or null. */
  public static String detect(byte[] b) {
    if (b == null) return null;
    if (starts(b, 0x25, 0x50, 0x44, 0x46, 0x2D)) return "application/pdf";
    if (starts(b, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) return "image/png";
    if (starts(b, 0xFF, 0xD8, 0xFF)) return "image/jpeg";
    return null;
  }

  private static boolean starts(byte[] b, int... magic) {
    if (b.length < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((b[i] & 0xFF) != magic[i]) return false;
    return true;
  }

  /** "PDF", "PNG image", "JPEG image". */
  public static String typeWords(String mediaType) {
    if (mediaType == null) return "file";
    return switch (mediaType.toLowerCase(Locale.ROOT)) {
      case "application/pdf" -> "PDF";
      case "image/png" -> "PNG image";
      case "image/jpeg" -> "JPEG image";
      default -> "file";
    };
  }

  /** "120 KB", "812 bytes", "1.4 MB" (1 KB = 1024 bytes, as file managers count). */
  public static String size(long bytes) {
    if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024.0) + " KB";
    return String.format(Locale.ENGLISH, "%.1f MB", bytes / (1024.0 * 1024));
  }

  /** "Report.pdf, PDF, 120 KB": how the timeline and the case file name it. */
  public String line() {
    return name + ", " + typeWords(mediaType) + ", " + size(bytes.length);
  }

  /**
   * The name without any folder (some browsers send "C:\...\scan.pdf"), control or bidirectional
   * characters, at most {@value #MAX_NAME_CHARS} characters; "attachment.pdf" when nothing is left.
   */
  public static String cleanName(String submitted, String type) {
    String n = submitted == null ? "" : submitted;
    n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
    StringBuilder sb = new StringBuilder();
    n.codePoints().filter(cp -> !Character.isISOControl(cp) && !(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069)
        && cp != 0x2028 && cp != 0x2029 && cp != '"').forEach(sb::appendCodePoint);
    n = sb.toString().strip();
    if (n.length() > MAX_NAME_CHARS) n = n.substring(n.length() - MAX_NAME_CHARS).strip();
    if (n.isEmpty()) {
      n = "attachment" + switch (type) {
        case "image/png" -> ".png";
        case "image/jpeg" -> ".jpg";
        default -> ".pdf";
      };
    }
    return n;
  }
}
