package org.medledger.portal.e2e;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A camera for Chromium that films a picture: the picture (a QR code PNG) is put on a white
 * frame with a quiet zone and written as a short Y4M video, which Chromium plays in a loop as
 * its one camera ({@link #chromiumArgs}). Give each picture its own file and browser: Chromium
 * reads the file when it opens the camera, and may keep a camera a closing page still holds.
 */
final class FakeCamera {
  static final int WIDTH = 640;
  static final int HEIGHT = 480;
  private static final int FRAMES = 3;

  private FakeCamera() {}

  /** The switches that give Chromium this camera and answer its permission prompt with yes. */
  static List<String> chromiumArgs(Path video) {
    return List.of("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--use-file-for-fake-video-capture=" + video.toAbsolutePath());
  }

  /** Makes the camera at {@code video} show {@code picture} (null: an empty white frame). */
  static void film(Path picture, Path video) throws IOException {
    BufferedImage qr = null;
    if (picture != null) {
      qr = ImageIO.read(picture.toFile());
      if (qr == null) throw new IOException(picture + " is not a picture");
    }
    BufferedImage frame = frame(qr);
    Path tmp = video.resolveSibling(video.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      writeY4m(frame, FRAMES, out);
    }
    Files.move(tmp, video, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The camera's picture of {@code qr} (null: an empty white frame), as {@link #film} films it. */
  static BufferedImage frame(BufferedImage qr) {
    BufferedImage frame = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    if (qr != null) {
      // A quiet zone of 40 pixels at least, whatever the PNG has; the code drawn at a whole
      // multiple of its size, so every module keeps the same width (a 320-pixel card drawn at
      // 400 pixels had modules of uneven width, and some runs never decoded a frame).
      int room = HEIGHT - 2 * 40;
      int side = qr.getWidth() <= room ? qr.getWidth() * (room / qr.getWidth()) : room;
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(qr, (WIDTH - side) / 2, (HEIGHT - side) / 2, side, side, null);
    }
    g.dispose();
    return frame;
  }

  /**
   * YUV4MPEG2: a text header, then per frame "FRAME\n" and the Y, U and V planes of 4:2:0
   * (chroma at half width and height). BT.601 in the video range (Y 16–235, U and V 128 for grey).
   */
  static void writeY4m(BufferedImage frame, int frames, OutputStream out) throws IOException {
    int w = frame.getWidth(), h = frame.getHeight();
    if (w % 2 != 0 || h % 2 != 0) throw new IllegalArgumentException("4:2:0 needs even sides, not " + w + "x" + h);
    byte[] y = new byte[w * h];
    byte[] u = new byte[w * h / 4];
    byte[] v = new byte[w * h / 4];
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        int rgb = frame.getRGB(col, row);
        int r = (rgb >> 16) & 0xff, gr = (rgb >> 8) & 0xff, b = rgb & 0xff;
        y[row * w + col] = (byte) clamp(16 + (65.481 * r + 128.553 * gr + 24.966 * b) / 255);
        if (row % 2 == 0 && col % 2 == 0) {
          int i = (row / 2) * (w / 2) + col / 2;
          u[i] = (byte) clamp(128 + (-37.797 * r - 74.203 * gr + 112.0 * b) / 255);
          v[i] = (byte) clamp(128 + (112.0 * r - 93.786 * gr - 18.214 * b) / 255);
        }
      }
    }
    out.write(("YUV4MPEG2 W" + w + " H" + h + " F10:1 Ip A1:1 C420jpeg\n").getBytes(StandardCharsets.US_ASCII));
    for (int f = 0; f < frames; f++) {
      out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
      out.write(y);
      out.write(u);
      out.write(v);
    }
  }

  private static int clamp(double x) {
    return (int) Math.max(0, Math.min(255, Math.round(x)));
  }
}
