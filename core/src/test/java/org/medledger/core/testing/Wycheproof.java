package org.medledger.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Loads Project Wycheproof vector files copied under src/test/resources/wycheproof/. */
public final class Wycheproof {
  private Wycheproof() {}

  /** One test case with the parameters of its group. */
  public record Vector(String file, Map<String, Object> group, Map<String, Object> test) {
    public long id() {
      return (Long) test.get("tcId");
    }

    public String result() {
      return (String) test.get("result");
    }

    public boolean valid() {
      return "valid".equals(result());
    }

    public boolean invalid() {
      return "invalid".equals(result());
    }

    public byte[] hex(String field) {
      return HexFormat.of().parseHex((String) test.get(field));
    }

    public long groupLong(String field) {
      return (Long) group.get(field);
    }

    public long testLong(String field) {
      return (Long) test.get(field);
    }

    @SuppressWarnings("unchecked")
    public List<String> flags() {
      return (List<String>) test.getOrDefault("flags", List.of());
    }

    /** For test names: "tcId 12 (invalid, ModifiedTag): comment". */
    public String name() {
      return file + " tcId " + id() + " (" + result() + ", " + String.join(",", flags()) + ")"
          + (test.get("comment") == null || ((String) test.get("comment")).isEmpty() ? "" : ": " + test.get("comment"));
    }
  }

  @SuppressWarnings("unchecked")
  public static List<Vector> load(String file) {
    String path = "/wycheproof/" + file;
    try (InputStream in = Wycheproof.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing test resource " + path);
      Map<String, Object> root = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Vector> out = new ArrayList<>();
      for (Object g : (List<Object>) root.get("testGroups")) {
        Map<String, Object> group = (Map<String, Object>) g;
        for (Object t : (List<Object>) group.get("tests")) out.add(new Vector(file, group, (Map<String, Object>) t));
      }
      long declared = (Long) root.get("numberOfTests");
      if (declared != out.size()) {
        throw new IllegalStateException(file + " declares " + declared + " tests but holds " + out.size());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
