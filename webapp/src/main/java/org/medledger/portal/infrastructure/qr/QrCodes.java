package org.medledger.portal.infrastructure.qr;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.EncodeHintType;
import com.google.zxing.NotFoundException;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * QR codes with ZXing: text to PNG, and a picture back to text.
 *
 * <p>Reading an uploaded picture is guarded against decompression bombs (a 280 KB PNG can
 * announce 40000 × 40000 pixels): the file size is checked, then the dimensions are read from
 * the header alone, and a picture above {@link #MAX_PIXELS} or {@link #MAX_SIDE} is refused
 * before any pixel is decoded. A picture under the limit is decoded subsampled to at most
 * {@link #DECODE_PIXELS} (a QR code needs far fewer pixels than a phone photo has), and at most
 * {@link #MAX_CONCURRENT_DECODES} pictures are decoded at once; beyond that the uploader is
 * told to try again. See docs/portal.md.
 */
@ApplicationScoped
public class QrCodes {
  /** Pictures larger than this are refused before decoding (also the upload field's limit). */
  public static final int MAX_IMAGE_BYTES = 8 * 1024 * 1024;
  /** Pictures with more pixels than this are refused from their header. */
  public static final long MAX_PIXELS = 50_000_000L;
  /** Pictures wider or higher than this are refused from their header. */
  public static final int MAX_SIDE = 16_384;
  /** Larger pictures are subsampled while reading to at most this many pixels. */
  public static final long DECODE_PIXELS = 4_000_000L;
  /** Pictures decoded at the same time (about the number of cores). */
  public static final int MAX_CONCURRENT_DECODES = 2;
  /** The limits as the upload fields state them. */
  public static final String LIMITS = "PNG, JPEG, GIF or BMP; at most 8 MB, " + MAX_SIDE
      + " pixels on a side and 50 megapixels";

  private static final Set<String> FORMATS = Set.of("png", "jpeg", "gif", "bmp");
  private static final long WAIT_FOR_DECODE_MILLIS = 2_000;

  /** A picture that holds no readable QR code. */
  public static class UnreadableException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnreadableException(String message) {
      super(message);
    }
  }

  /** A picture above the size limits; refused without decoding it. */
  public static final class TooLargeException extends UnreadableException {
    private static final long serialVersionUID = 1L;

    public TooLargeException(String message) {
      super(message);
    }
  }

  /** Every decode slot is taken; the same picture may succeed a moment later. */
  public static final class BusyException extends UnreadableException {
    private static final long serialVersionUID = 1L;

    public BusyException(String message) {
      super(message);
    }
  }

  private final Semaphore decodes;
  private final long waitMillis;
  private final AtomicLong decoded = new AtomicLong();

  public QrCodes() {
    this(new Semaphore(MAX_CONCURRENT_DECODES), WAIT_FOR_DECODE_MILLIS);
  }

  QrCodes(Semaphore decodes, long waitMillis) {
    this.decodes = decodes;
    this.waitMillis = waitMillis;
  }

  /** How many pictures had their pixels decoded (refusals from the header do not count). */
  public long decodedPictures() {
    return decoded.get();
  }

  public byte[] png(String text, int size) {
    Map<EncodeHintType, Object> hints = new EnumMap<>(EncodeHintType.class);
    hints.put(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M);
    hints.put(EncodeHintType.MARGIN, 2);
    try {
      BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, hints);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      MatrixToImageWriter.writeToStream(m, "PNG", out);
      return out.toByteArray();
    } catch (WriterException e) {
      throw new IllegalArgumentException("the text is too long for a QR code", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A data: URI for an {@code <img>}. */
  public String dataUri(String text, int size) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(text, size));
  }

  public String decode(byte[] image) throws UnreadableException {
    if (image == null || image.length == 0) {
      throw new UnreadableException("The picture is empty.");
    }
    if (image.length > MAX_IMAGE_BYTES) {
      throw new TooLargeException("The picture is larger than 8 MB, the limit for an upload.");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image))) {
      ImageReader reader = reader(in);
      try {
        // ignoreMetadata: text chunks and EXIF are not needed and are not read.
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw notAPicture();
        }
        if (width > MAX_SIDE || height > MAX_SIDE || (long) width * height > MAX_PIXELS) {
          throw new TooLargeException("The picture is " + width + " × " + height + " pixels; the portal reads"
              + " pictures of at most " + MAX_SIDE + " pixels on a side and 50 megapixels.");
        }
        return decodeBounded(reader, width, height);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw notAPicture();
    }
  }

  private String decodeBounded(ImageReader reader, int width, int height) throws UnreadableException {
    boolean acquired;
    try {
      acquired = decodes.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      acquired = false;
    }
    if (!acquired) {
      throw new BusyException("The portal is busy reading other pictures; please try again in a moment.");
    }
    try {
      decoded.incrementAndGet();
      ImageReadParam param = reader.getDefaultReadParam();
      int step = subsampling(width, height);
      if (step > 1) {
        param.setSourceSubsampling(step, step, 0, 0);
      }
      BufferedImage img;
      try {
        img = reader.read(0, param);
      } catch (IOException | RuntimeException e) {
        throw notAPicture();
      }
      Map<DecodeHintType, Object> hints = new EnumMap<>(DecodeHintType.class);
      hints.put(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE));
      hints.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
      BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img)));
      try {
        return new MultiFormatReader().decode(bitmap, hints).getText();
      } catch (NotFoundException e) {
        // The general search misses some clean, unrotated codes (a card or consent saved from the
        // portal's own page: QrCodesTest has one); reading the picture as a pure code finds them.
        hints.put(DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        try {
          return new MultiFormatReader().decode(bitmap, hints).getText();
        } catch (NotFoundException again) {
          throw new UnreadableException("No readable QR code was found in the picture.");
        }
      }
    } finally {
      decodes.release();
    }
  }

  /** The smallest step that brings the decoded picture to at most DECODE_PIXELS. */
  static int subsampling(int width, int height) {
    int step = 1;
    while ((long) ((width + step - 1) / step) * ((height + step - 1) / step) > DECODE_PIXELS) {
      step++;
    }
    return step;
  }

  private static ImageReader reader(ImageInputStream in) throws UnreadableException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    while (readers.hasNext()) {
      ImageReader r = readers.next();
      try {
        if (FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
          return r;
        }
      } catch (IOException e) {
        // try the next one
      }
      r.dispose();
    }
    throw notAPicture();
  }

  private static UnreadableException notAPicture() {
    return new UnreadableException("The file is not a picture this portal can read (PNG, JPEG, GIF, BMP).");
  }
}
