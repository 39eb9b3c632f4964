package org.medledger.chaincode;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;

/**
 * The compressed P-256 key a certificate carries, remembered by the certificate's exact DER
 * bytes. Every Store of a returning participant parsed the same two certificates again (the
 * submitter's, and the one in their registration record for R4–R8's "registered under this
 * key"); the key is a function of those bytes alone, so remembering it changes no rule and
 * reads nothing from the ledger (the registration is still read in every transaction, so it
 * stays in the read set). Bounded, least recently used first out; failures are not kept.
 */
final class CertificateKeys {
  /** One per chaincode server: 4,096 entries of ~40 + DER bytes, well under a megabyte. */
  static final CertificateKeys SHARED = new CertificateKeys(4096);

  private final int bound;
  private final Map<ByteBuffer, byte[]> keys;
  private long hits;

  CertificateKeys(int bound) {
    this.bound = bound;
    this.keys = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
        return size() > CertificateKeys.this.bound;
      }
    };
  }

  /** The key of a certificate given as DER bytes; CryptoException when they are no P-256 certificate. */
  byte[] compressedKey(byte[] der) {
    byte[] known = lookup(der);
    if (known != null) return known;
    X509Certificate cert;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new CryptoException("not an X.509 certificate");
    }
    return remember(der, cert.getPublicKey());
  }

  /** The key of a certificate already parsed (the submitter's, by Fabric's shim). */
  byte[] compressedKey(X509Certificate cert) {
    byte[] der;
    try {
      der = cert.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new CryptoException("the certificate cannot be encoded");
    }
    byte[] known = lookup(der);
    return known != null ? known : remember(der, cert.getPublicKey());
  }

  private synchronized byte[] lookup(byte[] der) {
    byte[] k = keys.get(ByteBuffer.wrap(der));
    if (k == null) return null;
    hits++;
    return k.clone();
  }

  private byte[] remember(byte[] der, PublicKey publicKey) {
    byte[] k = P256.encodeCompressed(P256.fromJcaPublicKey(publicKey)); // throws for a non-P-256 key
    synchronized (this) {
      keys.put(ByteBuffer.wrap(der.clone()), k);
    }
    return k.clone();
  }

  synchronized long hits() {
    return hits;
  }

  synchronized int size() {
    return keys.size();
  }
}
