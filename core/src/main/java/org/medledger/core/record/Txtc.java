package org.medledger.core.record;

/**
 * The token collection proposal's input parameter (paper: (type, vk_p, [vk_r], [ind_a], [ind_i],
 * [ind_m], ind_d, pk_d)): the patient's signed consent plus the doctor's ECDH key pk_d for this
 * treatment. Its κ is κ0, the treatment's identifier.
 */
public record Txtc(Consent consent, byte[] doctorKey) implements LedgerRecord {
  @Override
  public RecordType type() {
    return RecordType.TXTC;
  }
}
