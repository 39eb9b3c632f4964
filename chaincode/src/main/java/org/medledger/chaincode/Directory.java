package org.medledger.chaincode;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;

/**
 * The directory's search index and its paginated search (docs/protocol.md §Directory search).
 *
 * <p>R3 writes, beside {@code ML-P}, a few plain keys per registered professional, each sorted
 * the way one search reads it: by role then name (the listing), by role then each word-start of
 * the name (a name search: "twin" and "ana tw" find "Dr. Ana Twin"), by role then institution,
 * and by ind_x. A search is then one key range per role plus a bounded look at what lies in it:
 * never the whole directory. They are plain keys, not composite ones, because Fabric's range
 * query ({@code GetStateByRange}) takes arbitrary bounds only for plain keys, and a name's
 * beginning is a bound in the middle of an attribute, which a partial composite key cannot
 * express. We run LevelDB, so rich (CouchDB) queries are not available and not needed.
 *
 * <p>The bookmark is the key the next page starts at, with a check binding it to the search
 * that gave it. It is not a secret (anyone can compute the check): it only positions a reader
 * inside results the same search would show them anyway, so the check catches a bookmark that
 * was changed or handed to another search, which the chaincode then refuses (Q5) rather than
 * answering from an arbitrary place.
 */
public final class Directory {
  /** The prefix of every directory key; "ML-" and an upper-case letter never start a κ. */
  static final String PREFIX = "ML-D";
  static final char SEP = '\u0000';
  /** Fabric's MAX_UNICODE_RUNE: the end of a prefix range, as getStateByPartialCompositeKey uses. */
  static final String MAX_RUNE = "\udbff\udfff";
  /** The roles the directory lists, in its order (their codes: 3, 4, 5, 6). */
  static final List<Role> LISTED = List.of(Role.DOCTOR, Role.PHARMACIST, Role.INSURER, Role.LAWYER);
  /** Word-starts of a name indexed (and matched) at most: "Dr. Ana Maria Twin Smith" has four. */
  public static final int MAX_WORDS = 4;
  public static final int DEFAULT_PAGE = 20;
  public static final int MAX_PAGE = 50;
  /** Keys examined per call at most: a filter that matches rarely costs pages, not a long scan. */
  public static final int MAX_SCAN = 400;
  /** Record bytes per answer at most (a page stops early rather than exceed it). */
  public static final int MAX_ANSWER_RECORD_BYTES = 96 * 1024;
  /** Longest name, institution or index text a search accepts (characters after folding). */
  public static final int MAX_TEXT = 100;

  private static final Pattern SPACES = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,16}");

  private Directory() {}

  /** The professional roles the directory lists. */
  static boolean listed(Role r) {
    return !r.pseudonymous();
  }

  /**
   * Text as the index stores and compares it: NFKC, lower case, runs of white space as one
   * space, no control characters and no U+10FFFF (the range end), trimmed. So "Ana  TWIN" and
   * "ana twin" are the same name to a search; the page still shows the certificate's text.
   */
  public static String fold(String s) {
    if (s == null) return "";
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(n.length());
    n.codePoints().forEach(c -> {
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) sb.append(' ');
      else if (!Character.isISOControl(c) && c != 0x10FFFF && Character.getType(c) != Character.SURROGATE) {
        sb.appendCodePoint(c);
      }
    });
    return SPACES.matcher(sb).replaceAll(" ").trim();
  }

  /** The role's code as the keys carry it, so that one listing runs in the directory's role order. */
  private static String code(Role r) {
    return Integer.toString(r.code());
  }

  private static String key(String kind, String... parts) {
    StringBuilder sb = new StringBuilder(PREFIX).append(SEP).append(kind);
    for (String p : parts) sb.append(SEP).append(p);
    return sb.toString();
  }

  /** Where the words of a folded name start (at most {@link #MAX_WORDS}): 0, then after each space. */
  static List<Integer> wordStarts(String folded) {
    List<Integer> out = new ArrayList<>();
    out.add(0);
    for (int k = 0; k < folded.length() && out.size() < MAX_WORDS; k++) {
      if (folded.charAt(k) == ' ' && k + 1 < folded.length()) out.add(k + 1);
    }
    return out;
  }

  /** The first word-start of {@code folded} from which it begins with {@code q}, or -1. */
  static int firstMatch(String folded, String q) {
    for (int at : wordStarts(folded)) if (folded.startsWith(q, at)) return at;
    return -1;
  }

  /** The index keys of one registration, and their common value. */
  static Map<String, byte[]> entries(Role role, long index, String name, String institution, String kappaHex) {
    String ind = ParticipantIndex.hex(index);
    String n = fold(name);
    String i = fold(institution);
    byte[] v = (kappaHex + SEP + role.name().toLowerCase(Locale.ROOT) + SEP + n + SEP + i).getBytes(StandardCharsets.UTF_8);
    java.util.LinkedHashMap<String, byte[]> out = new java.util.LinkedHashMap<>();
    out.put(key("n", code(role), n, ind), v);
    for (int at : wordStarts(n)) out.put(key("w", code(role), n.substring(at), ind), v);
    out.put(key("i", code(role), i, n, ind), v);
    out.put(key("x", ind), v);
    return out;
  }

  /** One index entry as its value holds it. */
  record Entry(String kappaHex, Role role, String name, String institution) {
    static Entry parse(byte[] value) {
      String[] f = new String(value, StandardCharsets.UTF_8).split(String.valueOf(SEP), -1);
      if (f.length != 4) throw new IllegalStateException("malformed directory entry");
      return new Entry(f[0], Role.fromName(f[1]), f[2], f[3]);
    }
  }

  /**
   * A search as the chaincode receives it: every text argument may be empty (no filter), the
   * page size empty (the default). Validated here, with an error naming the field.
   */
  public record Search(Role role, String name, String institution, String index, int pageSize) {
    public static Search of(String role, String name, String institution, String index, String pageSize) {
      Role r = null;
      if (role != null && !role.isBlank()) {
        try {
          r = Role.fromName(role.trim());
        } catch (IllegalArgumentException e) {
          throw new RuleViolation("Q0", "the role must be doctor, pharmacist, insurer or lawyer (not '" + role + "')");
        }
        if (!listed(r)) {
          throw new RuleViolation("Q0", "patients and family members are pseudonymous and not in the directory");
        }
      }
      String n = text(name, "name");
      String i = text(institution, "institution");
      String x = index == null ? "" : index.trim().toLowerCase(Locale.ROOT);
      if (!x.isEmpty() && !HEX.matcher(x).matches()) {
        throw new RuleViolation("Q0", "the index must be 1 to 16 hex digits (the start of a participant number)");
      }
      int size = DEFAULT_PAGE;
      if (pageSize != null && !pageSize.isBlank()) {
        try {
          size = Integer.parseInt(pageSize.trim());
        } catch (NumberFormatException e) {
          size = -1;
        }
        if (size < 1 || size > MAX_PAGE) {
          throw new RuleViolation("Q0", "the page size must be a number from 1 to " + MAX_PAGE + " (not '" + pageSize + "')");
        }
      }
      return new Search(r, n, i, x, size);
    }

    private static String text(String s, String field) {
      String f = fold(s);
      if (f.length() > MAX_TEXT) {
        throw new RuleViolation("Q0", "the " + field + " to search for is longer than " + MAX_TEXT + " characters");
      }
      return f;
    }

    /**
     * The key ranges (as prefixes) this search reads, in order: the most selective index its
     * filters allow, one range per role (the one asked for, or each listed role in order).
     */
    List<String> ranges() {
      if (!index.isEmpty()) return List.of(key("x", index));
      List<String> out = new ArrayList<>();
      for (Role r : role == null ? LISTED : List.of(role)) {
        if (!name.isEmpty()) out.add(key("w", code(r), name));
        else if (!institution.isEmpty()) out.add(key("i", code(r), institution));
        else out.add(key("n", code(r), ""));
      }
      return out;
    }

    /**
     * The filters the range does not already apply. A name search reads one key per word-start
     * of each name: a name is taken at its first word-start that matches, so it appears once.
     */
    boolean matches(Entry e, String rowKey) {
      if (role != null && e.role() != role) return false;
      if (!e.institution().startsWith(institution)) return false;
      if (name.isEmpty()) return true;
      int first = firstMatch(e.name(), name);
      if (!index.isEmpty()) return first >= 0;
      String suffix = rowKey.substring(key("w", "0", "").length(), rowKey.lastIndexOf(SEP));
      return first == e.name().length() - suffix.length();
    }

    /** What a bookmark is bound to: every filter, not the page size (a reader may change it). */
    String canonical() {
      return (role == null ? "*" : role.name().toLowerCase(Locale.ROOT)) + SEP + name + SEP + institution + SEP + index;
    }
  }

  /** One page: the registration records (their bytes) and the bookmark of the next, or "". */
  public record Page(List<byte[]> records, String bookmark) {
    public String json() {
      StringBuilder sb = new StringBuilder("{\"records\":[");
      for (int k = 0; k < records.size(); k++) {
        if (k > 0) sb.append(',');
        sb.append('"').append(Base64.getEncoder().encodeToString(records.get(k))).append('"');
      }
      return sb.append("],\"bookmark\":\"").append(bookmark).append("\"}").toString();
    }
  }

  /** Runs one page of {@code search}, from {@code bookmark} ("" for the first page). */
  static Page search(WorldState state, Search search, String bookmark) {
    List<String> ranges = search.ranges();
    int r = 0;
    String from = null;
    if (bookmark != null && !bookmark.isBlank()) {
      from = resume(search, bookmark.trim());
      while (!from.startsWith(ranges.get(r))) r++; // resume() checked that one range holds it
    }
    List<byte[]> records = new ArrayList<>();
    int bytes = 0;
    int examined = 0;
    String next = "";
    scan:
    for (; r < ranges.size(); r++, from = null) {
      String prefix = ranges.get(r);
      for (Map.Entry<String, byte[]> row : state.range(from == null ? prefix : from, prefix + MAX_RUNE,
          MAX_SCAN - examined + 1)) {
        if (examined == MAX_SCAN) {
          next = row.getKey(); // looked at enough for one call: the reader asks for the rest
          break scan;
        }
        examined++;
        Entry e = Entry.parse(row.getValue());
        if (!search.matches(e, row.getKey())) continue;
        if (records.size() == search.pageSize()) {
          next = row.getKey(); // the first entry of the next page
          break scan;
        }
        byte[] v = state.get(e.kappaHex());
        if (v == null) throw new IllegalStateException("directory entry without its registration " + e.kappaHex());
        if (!records.isEmpty() && bytes + v.length > MAX_ANSWER_RECORD_BYTES) {
          next = row.getKey();
          break scan;
        }
        records.add(v);
        bytes += v.length;
      }
    }
    return new Page(records, next.isEmpty() ? "" : bookmark(search, next));
  }

  static String bookmark(Search search, String key) {
    String body = check(search, key) + key;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String check(Search search, String key) {
    byte[] h = Hashes.sha256((search.canonical() + SEP + SEP + key).getBytes(StandardCharsets.UTF_8));
    return Bytes.hex(java.util.Arrays.copyOf(h, 8));
  }

  /** The key a bookmark resumes at, after checking that this search gave it (Q5). */
  private static String resume(Search search, String bookmark) {
    String body;
    try {
      body = new String(Base64.getUrlDecoder().decode(bookmark), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new RuleViolation("Q5", "the bookmark is not one a directory search gave (it is not Base64url text)");
    }
    if (body.length() <= 16 || !body.substring(0, 16).equals(check(search, body.substring(16)))) {
      throw new RuleViolation("Q5", "the bookmark does not belong to this search: it was changed, or it came from a "
          + "search with other filters; start again from the first page");
    }
    String key = body.substring(16);
    if (search.ranges().stream().noneMatch(key::startsWith)) {
      throw new RuleViolation("Q5", "the bookmark points outside this search's results; start again from the first page");
    }
    return key;
  }
}
