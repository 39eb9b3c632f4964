package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * An evidence bundle: one ZIP file whose {@code manifest.json} says what every other entry is
 * (docs/evidence.md). Held in memory as named byte arrays; a test changes one byte of one entry
 * with {@link #with}.
 */
public final class Bundle {
  public static final String MANIFEST = "manifest.json";
  public static final String FORMAT = "medledger-evidence/1";
  /** Larger bundles are refused rather than read into memory. */
  static final long MAX_BYTES = 1L << 30;

  private final Map<String, byte[]> entries;

  Bundle(Map<String, byte[]> entries) {
    this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  public static Bundle read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in);
    }
  }

  /**
   * Reads a bundle. An entry name that occurs twice is refused: two ZIP tools could otherwise
   * show a court different contents for one name.
   */
  public static Bundle read(InputStream raw) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    long total = 0;
    try (ZipInputStream zip = new ZipInputStream(raw, UTF_8)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        if (e.isDirectory()) {
          continue;
        }
        byte[] b = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES - total + 1));
        total += b.length;
        if (total > MAX_BYTES) {
          throw new BundleFormatException("the file is larger than an evidence bundle may be (1 GiB)");
        }
        if (entries.put(e.getName(), b) != null) {
          throw new BundleFormatException("the file holds two entries named " + e.getName());
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new BundleFormatException("the file is not a readable ZIP file (" + e.getMessage() + ")");
    }
    if (!entries.containsKey(MANIFEST)) {
      throw new BundleFormatException("the file holds no " + MANIFEST + ": it is not a MedLedger evidence bundle");
    }
    return new Bundle(entries);
  }

  public static Bundle read(byte[] zip) {
    try {
      return read(new ByteArrayInputStream(zip));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] toZip() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(bytes, UTF_8)) {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          ZipEntry z = new ZipEntry(e.getKey());
          z.setTime(0); // the same content gives the same file; the export time is in the manifest
          zip.putNextEntry(z);
          zip.write(e.getValue());
          zip.closeEntry();
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Set<String> names() {
    return entries.keySet();
  }

  /** The entry's bytes (a copy), or null when the bundle has none of that name. */
  public byte[] entry(String name) {
    byte[] b = entries.get(name);
    return b == null ? null : b.clone();
  }

  /** A copy of this bundle with one entry replaced or added. */
  public Bundle with(String name, byte[] bytes) {
    Map<String, byte[]> copy = new LinkedHashMap<>(entries);
    copy.put(name, bytes.clone());
    return new Bundle(copy);
  }

  /** A copy of this bundle with one entry removed. */
  public Bundle without(String name) {
    Map<String, byte[]> copy = new LinkedHashMap<>(entries);
    copy.remove(name);
    return new Bundle(copy);
  }

  /** The parsed manifest. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> manifest() {
    Object m = Json.parse(new String(entries.get(MANIFEST), UTF_8));
    if (!(m instanceof Map)) {
      throw new BundleFormatException("the manifest is not a JSON object");
    }
    return (Map<String, Object>) m;
  }
}
