package org.medledger.core.record;

/**
 * The token collection response (paper: (type, κ0, pk_x, c_x)), plus the responder's index so
 * the chaincode can check the responder against the txtc and the submitting certificate.
 */
public record Txtr(byte[] kappa0, long responder, byte[] responderKey, byte[] wrappedToken)
    implements LedgerRecord {
  @Override
  public RecordType type() {
    return RecordType.TXTR;
  }
}
