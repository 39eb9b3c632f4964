package org.medledger.core.record;

import java.util.ArrayList;
import java.util.List;

/**
 * The patient's member change (type 0x0D, docs/protocol.md §Member change): in the treatment κ0,
 * the member set of key epoch {@code epoch} is the current one plus the added family members
 * (their keys in this treatment, vk_r'), insurers, lawyers and pharmacists, minus the removed
 * indexes. Signed by the patient's key of the treatment (sk_p'), so nobody else can change who
 * reads her records. Lists are sorted ascending without duplicates (canonical form).
 */
public record MemberChange(
    byte[] kappa0,
    int epoch,
    List<byte[]> addedFamilyKeys,
    List<Long> addedInsurers,
    List<Long> addedLawyers,
    List<Long> addedPharmacists,
    List<Long> removed,
    byte[] signature) implements LedgerRecord {

  /** Epoch numbers run from 1 (the first change) to this; epoch 0 is the key built at the start. */
  public static final int MAX_EPOCH = 255;

  public MemberChange {
    addedFamilyKeys = List.copyOf(addedFamilyKeys);
    addedInsurers = List.copyOf(addedInsurers);
    addedLawyers = List.copyOf(addedLawyers);
    addedPharmacists = List.copyOf(addedPharmacists);
    removed = List.copyOf(removed);
  }

  @Override
  public RecordType type() {
    return RecordType.MEMBER_CHANGE;
  }

  /** The added members, in consent order (family, insurers, lawyers, pharmacists). */
  public List<Consent.Member> added() {
    List<Consent.Member> out = new ArrayList<>();
    for (byte[] f : addedFamilyKeys) out.add(new Consent.Member(Role.FAMILY, ParticipantIndex.of(f), f));
    for (long i : addedInsurers) out.add(new Consent.Member(Role.INSURER, i, null));
    for (long i : addedLawyers) out.add(new Consent.Member(Role.LAWYER, i, null));
    for (long i : addedPharmacists) out.add(new Consent.Member(Role.PHARMACIST, i, null));
    return out;
  }

  /** The bytes the patient signs: this encoding without the signature field (header type 0x0D). */
  public byte[] signedBytes() {
    return RecordCodec.memberChangeSignedBytes(this);
  }

  public MemberChange withSignature(byte[] sig) {
    return new MemberChange(kappa0, epoch, addedFamilyKeys, addedInsurers, addedLawyers, addedPharmacists, removed, sig);
  }
}
