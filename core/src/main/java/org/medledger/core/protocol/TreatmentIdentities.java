package org.medledger.core.protocol;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.math.ec.ECPoint;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.KeyBlinding;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.Consent;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;

/**
 * Per-treatment ledger identities of the pseudonymous members, patient and family
 * (docs/protocol.md §Per-treatment identities). Each consent names, instead of the long-term
 * vk_p and vk_r, the keys blinded with its consent id ({@link KeyBlinding}): the ledger then
 * holds no key, index or certificate that two treatments of one person share, while
 *
 * <ul>
 *   <li>the patient signs the consent and answers with sk_p' = sk_p + t, derived from σ_p;
 *   <li>the family member, who handed the patient vk_r once (their card), answers with sk_r';
 *   <li>a portal that knows a member's long-term vk_x recognises the member's treatments by
 *       computing vk_x + t·G for each new consent id it sees, with no per-treatment state;
 *   <li>a member proves that two treatments are theirs, when they choose, with a {@link Link}.
 * </ul>
 */
public final class TreatmentIdentities {
  private static final byte[] LINK_LABEL = "MedLedger v1 treatment link".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private TreatmentIdentities() {}

  /**
   * Initialization 1 with per-treatment identities: a fresh random consent id; vk_p' and every
   * family member's vk_r' blinded with it; signed by sk_p'.
   *
   * @param familyKeys the family members' long-term keys (from their cards)
   */
  public static Consent consent(
      UserSecret patient, List<byte[]> familyKeys, List<Long> insurers, List<Long> lawyers, List<Long> pharmacists,
      long doctor, SecureRandom random) {
    byte[] id = new byte[Consent.CONSENT_ID_BYTES];
    random.nextBytes(id);
    List<byte[]> blinded = new ArrayList<>();
    for (byte[] vk : familyKeys) blinded.add(KeyBlinding.blindPublicKey(vk, id));
    return TreatmentProtocol.signConsent(
        patient.blindedSigningKeyPair(id), blinded, insurers, lawyers, pharmacists, doctor, id);
  }

  /** vk_x' for a pseudonymous member with long-term key {@code vk} in the treatment of {@code consent}. */
  public static byte[] treatmentKey(byte[] vk, Consent consent) {
    return KeyBlinding.blindPublicKey(vk, consent.consentId());
  }

  /**
   * Whether the member with long-term key {@code vk} and pseudonymous {@code role} is in the
   * consent, and under which key: the blinded key, or — for consents made before per-treatment
   * identities — the long-term key itself. Empty if not a member.
   */
  public static Optional<byte[]> memberKey(byte[] vk, Role role, Consent consent) {
    List<byte[]> named = switch (role) {
      case PATIENT -> List.of(consent.patientKey());
      case FAMILY -> consent.familyKeys();
      default -> throw new CryptoException(role + " is not a pseudonymous role");
    };
    byte[] blinded = treatmentKey(vk, consent);
    for (byte[] k : named) if (Arrays.equals(k, blinded)) return Optional.of(blinded);
    for (byte[] k : named) if (Arrays.equals(k, vk)) return Optional.of(vk.clone());
    return Optional.empty();
  }

  /**
   * The signing key pair with which {@code x} (patient or family) acts in the treatment of
   * {@code consent}: sk_x' (blinded) or, for an older consent, the long-term pair. Throws if
   * {@code x} is not named there.
   */
  public static EcKeyPair memberKeys(UserSecret x, Role role, Consent consent) {
    EcKeyPair longTerm = x.signingKeyPair();
    byte[] key = memberKey(longTerm.publicKey(), role, consent)
        .orElseThrow(() -> new CryptoException("you are not named in this consent"));
    if (Arrays.equals(key, longTerm.publicKey())) return longTerm;
    return x.blindedSigningKeyPair(consent.consentId());
  }

  /**
   * The key under which a pseudonymous member acts in the treatment, counting those added later:
   * {@link #memberKey} for whom the consent names; a family member the patient adds after the
   * consent (docs/protocol.md §Key epochs) is named in her change by the key blinded the same way,
   * so that is theirs. Empty only for a patient the consent does not name.
   */
  public static Optional<byte[]> memberKeyOrAdded(byte[] vk, Role role, Consent consent) {
    Optional<byte[]> named = memberKey(vk, role, consent);
    if (named.isPresent() || role != Role.FAMILY) return named;
    return Optional.of(treatmentKey(vk, consent));
  }

  /** The signing key pair for {@link #memberKeyOrAdded}; throws for a patient the consent does not name. */
  public static EcKeyPair memberKeysOrAdded(UserSecret x, Role role, Consent consent) {
    EcKeyPair longTerm = x.signingKeyPair();
    if (role == Role.FAMILY && memberKey(longTerm.publicKey(), role, consent).isEmpty()) {
      return x.blindedSigningKeyPair(consent.consentId());
    }
    return memberKeys(x, role, consent);
  }

  // ------------------------------------------------------------------ linking, when the member chooses

  /**
   * A member's statement that the per-treatment key vk' of consent id belongs to the long-term
   * key vk: the bytes {@code "MedLedger v1 treatment link" ‖ vk ‖ vk' ‖ consent id}, signed by
   * both keys (deterministic ECDSA, DER). Anyone can also recompute vk' = vk + t·G; the two
   * signatures show that the presenter holds both private keys, so a link cannot be claimed for
   * someone else's key.
   */
  public record Link(byte[] longTermKey, byte[] treatmentKey, byte[] consentId, byte[] longTermSignature,
      byte[] treatmentSignature) {
    public byte[] statement() {
      return Bytes.concat(LINK_LABEL, longTermKey, treatmentKey, consentId);
    }
  }

  public static Link link(UserSecret x, byte[] consentId) {
    EcKeyPair longTerm = x.signingKeyPair();
    EcKeyPair perTreatment = x.blindedSigningKeyPair(consentId);
    byte[] statement = Bytes.concat(LINK_LABEL, longTerm.publicKey(), perTreatment.publicKey(), consentId);
    return new Link(longTerm.publicKey(), perTreatment.publicKey(), consentId.clone(), longTerm.sign(statement),
        perTreatment.sign(statement));
  }

  /** True when both signatures verify and vk' is vk blinded with the consent id. */
  public static boolean verify(Link l) {
    try {
      ECPoint vk = P256.decodePoint(l.longTermKey());
      ECPoint vkT = P256.decodePoint(l.treatmentKey());
      return Arrays.equals(KeyBlinding.blindPublicKey(l.longTermKey(), l.consentId()), l.treatmentKey())
          && P256.verify(vk, l.statement(), l.longTermSignature())
          && P256.verify(vkT, l.statement(), l.treatmentSignature());
    } catch (CryptoException e) {
      return false;
    }
  }

  /** ind_x' of a per-treatment key. */
  public static long index(byte[] treatmentKey) {
    return ParticipantIndex.of(treatmentKey);
  }
}
