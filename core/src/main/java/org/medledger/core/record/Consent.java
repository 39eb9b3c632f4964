package org.medledger.core.record;

import java.util.ArrayList;
import java.util.List;

/**
 * The patient's selection, signed by the patient (it travels in the patient's QR code to the
 * doctor and is embedded in the txtc): vk_p, [vk_r], [ind_a], [ind_i], [ind_m], ind_d, a fresh
 * consent id and the patient's ECDSA signature over all of that. Lists are sorted ascending
 * and free of duplicates (canonical form).
 */
public record Consent(
    byte[] patientKey,
    List<byte[]> familyKeys,
    List<Long> insurers,
    List<Long> lawyers,
    List<Long> pharmacists,
    long doctor,
    byte[] consentId,
    byte[] signature) {

  public static final int CONSENT_ID_BYTES = 16;

  public Consent {
    familyKeys = List.copyOf(familyKeys);
    insurers = List.copyOf(insurers);
    lawyers = List.copyOf(lawyers);
    pharmacists = List.copyOf(pharmacists);
  }

  public long patientIndex() {
    return ParticipantIndex.of(patientKey);
  }

  /** One selected participant: role, index and, for pseudonymous roles, the public key. */
  public record Member(Role role, long index, byte[] publicKey) {}

  /** Everyone who must answer with a txtr: the patient and every selected participant. */
  public List<Member> responders() {
    List<Member> out = new ArrayList<>();
    out.add(new Member(Role.PATIENT, patientIndex(), patientKey));
    for (byte[] f : familyKeys) out.add(new Member(Role.FAMILY, ParticipantIndex.of(f), f));
    for (long i : insurers) out.add(new Member(Role.INSURER, i, null));
    for (long i : lawyers) out.add(new Member(Role.LAWYER, i, null));
    for (long i : pharmacists) out.add(new Member(Role.PHARMACIST, i, null));
    return out;
  }

  /** Responders plus the doctor: the k members of the SIFF function. */
  public List<Member> members() {
    List<Member> out = responders();
    out.add(new Member(Role.DOCTOR, doctor, null));
    return out;
  }

  /** The members holding {@code role}. */
  public List<Long> indexesOf(Role role) {
    return members().stream().filter(m -> m.role() == role).map(Member::index).toList();
  }

  /** The role a member index holds in this treatment, or null. */
  public Role roleOf(long index) {
    for (Member m : members()) if (m.index() == index) return m.role();
    return null;
  }

  /** The bytes the patient signs: the CONSENT encoding without the signature field. */
  public byte[] signedBytes() {
    return RecordCodec.consentSignedBytes(this);
  }

  public Consent withSignature(byte[] sig) {
    return new Consent(patientKey, familyKeys, insurers, lawyers, pharmacists, doctor, consentId, sig);
  }
}
