package org.medledger.core.record;

/**
 * Certificate registration (Setup): a non-pseudonymous participant publishes cert_x under ind_x.
 * Fields: role, ind_x, the DER certificate.
 */
public record Registration(Role role, long index, byte[] certificateDer) implements LedgerRecord {
  @Override
  public RecordType type() {
    return RecordType.REGISTRATION;
  }
}
