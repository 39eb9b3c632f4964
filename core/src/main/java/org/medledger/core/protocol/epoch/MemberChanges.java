package org.medledger.core.protocol.epoch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.record.Consent;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.Role;

/**
 * The patient's side of a member change (docs/protocol.md §Member change, record 0x0D): she signs,
 * with her key of this treatment (sk_p', the key that signed the consent), who joins and who
 * leaves from the given epoch on.
 */
public final class MemberChanges {
  static final byte[] LABEL = "MedLedger v1 member change".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private MemberChanges() {}

  /** Who joins and who leaves. Family members are given by their card's long-term key vk_r. */
  public record Request(List<byte[]> familyCards, List<Long> insurers, List<Long> lawyers, List<Long> pharmacists,
      List<Long> removed) {
    public Request {
      familyCards = List.copyOf(familyCards);
      insurers = List.copyOf(insurers);
      lawyers = List.copyOf(lawyers);
      pharmacists = List.copyOf(pharmacists);
      removed = List.copyOf(removed);
    }

    public static Request remove(long index) {
      return new Request(List.of(), List.of(), List.of(), List.of(), List.of(index));
    }

    public static Request add(Role role, long index) {
      return switch (role) {
        case INSURER -> new Request(List.of(), List.of(index), List.of(), List.of(), List.of());
        case LAWYER -> new Request(List.of(), List.of(), List.of(index), List.of(), List.of());
        case PHARMACIST -> new Request(List.of(), List.of(), List.of(), List.of(index), List.of());
        default -> throw new CryptoException("a " + role.title().toLowerCase() + " is not added by index");
      };
    }

    public static Request addFamily(byte[] card) {
      return new Request(List.of(card), List.of(), List.of(), List.of(), List.of());
    }
  }

  /**
   * The signed change opening {@code epoch} of the treatment κ0 opened with {@code consent}.
   * Added family members are named by their key in this treatment, vk_r' = vk_r blinded with the
   * consent id, as in the consent itself (§Per-treatment identities).
   */
  public static MemberChange change(UserSecret patient, Consent consent, byte[] kappa0, int epoch, Request r) {
    EcKeyPair signing = TreatmentIdentities.memberKeys(patient, Role.PATIENT, consent);
    List<byte[]> family = new ArrayList<>();
    for (byte[] card : r.familyCards()) family.add(TreatmentIdentities.treatmentKey(card, consent));
    return sign(signing, kappa0, epoch, family, r.insurers(), r.lawyers(), r.pharmacists(), r.removed());
  }

  /** Signs a change in canonical form (sorted lists) with the patient's key of the treatment. */
  public static MemberChange sign(EcKeyPair patientKey, byte[] kappa0, int epoch, List<byte[]> familyKeys,
      List<Long> insurers, List<Long> lawyers, List<Long> pharmacists, List<Long> removed) {
    List<byte[]> fam = new ArrayList<>(familyKeys);
    fam.sort(Arrays::compareUnsigned);
    MemberChange unsigned = new MemberChange(kappa0.clone(), epoch, fam, sorted(insurers), sorted(lawyers),
        sorted(pharmacists), sorted(removed), new byte[0]);
    if (unsigned.added().isEmpty() && unsigned.removed().isEmpty()) {
      throw new CryptoException("the change adds and removes nobody");
    }
    return unsigned.withSignature(patientKey.sign(Bytes.concat(LABEL, unsigned.signedBytes())));
  }

  /** True when the change carries a valid signature by the consent's patient key vk_p'. */
  public static boolean valid(MemberChange change, Consent consent) {
    try {
      return P256.verify(P256.decodePoint(consent.patientKey()), Bytes.concat(LABEL, change.signedBytes()),
          change.signature());
    } catch (CryptoException e) {
      return false;
    }
  }

  private static List<Long> sorted(List<Long> in) {
    List<Long> out = new ArrayList<>(in);
    out.sort(Long::compareUnsigned);
    return out;
  }
}
