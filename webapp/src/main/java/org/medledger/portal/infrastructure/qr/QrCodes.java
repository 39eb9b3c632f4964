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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** QR codes with ZXing: text to PNG, and a picture back to text. */
@ApplicationScoped
public class QrCodes {
  /** Pictures larger than this are refused before decoding. */
  public static final int MAX_IMAGE_BYTES = 8 * 1024 * 1024;

  /** A picture that holds no readable QR code. */
  public static final class UnreadableException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnreadableException(String message) {
      super(message);
    }
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
      throw new UnreadableException("The picture is larger than 8 MB.");
    }
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(image));
    } catch (IOException | RuntimeException e) {
      img = null;
    }
    if (img == null) {
      throw new UnreadableException("The file is not a picture this portal can read (PNG, JPEG, GIF, BMP).");
    }
    Map<DecodeHintType, Object> hints = new EnumMap<>(DecodeHintType.class);
    hints.put(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE));
    hints.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
    try {
      BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img)));
      return new MultiFormatReader().decode(bitmap, hints).getText();
    } catch (NotFoundException e) {
      throw new UnreadableException("No readable QR code was found in the picture.");
    }
  }
}
