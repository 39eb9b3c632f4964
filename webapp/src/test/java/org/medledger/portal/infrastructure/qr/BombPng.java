package org.medledger.portal.infrastructure.qr;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A decompression bomb: a valid one-bit greyscale PNG of {@code width × height} black pixels,
 * written by hand so the test holds one row and the compressed result only (about 1/1000 of
 * the raw size: 40000 × 40000 is some 200 KB on disk, 200 MB inflated, 1.6 G pixels for a
 * decoder that works on a byte per pixel).
 */
public final class BombPng {
  private BombPng() {}

  public static byte[] of(int width, int height) {
    try {
      ByteArrayOutputStream idat = new ByteArrayOutputStream();
      byte[] row = new byte[1 + (width + 7) / 8]; // filter type 0, then all-zero pixels
      Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
      try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 64 * 1024)) {
        for (int y = 0; y < height; y++) {
          z.write(row);
        }
      } finally {
        deflater.end();
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream(idat.size() + 64);
      DataOutputStream out = new DataOutputStream(png);
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
      DataOutputStream h = new DataOutputStream(ihdr);
      h.writeInt(width);
      h.writeInt(height);
      h.writeByte(1); // bit depth
      h.writeByte(0); // greyscale
      h.writeByte(0); // deflate
      h.writeByte(0); // adaptive filtering
      h.writeByte(0); // no interlace
      chunk(out, "IHDR", ihdr.toByteArray());
      chunk(out, "IDAT", idat.toByteArray());
      chunk(out, "IEND", new byte[0]);
      return png.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeInt(data.length);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
