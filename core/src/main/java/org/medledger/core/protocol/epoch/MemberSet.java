package org.medledger.core.protocol.epoch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.record.Consent;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;

/**
 * The members of a treatment's key in one epoch (docs/protocol.md §Key epochs): epoch 0 is the
 * consent's members without those a txk left out; each member change gives the next. Kept in the
 * consent's order — patient, family (by key), insurers, lawyers, pharmacists (by index), doctor —
 * which is also the order of the SIFF members. Plain data, used alike by the portals and the
 * chaincode, so both agree on who is in.
 */
public final class MemberSet {
  private static final List<Role> ORDER =
      List.of(Role.PATIENT, Role.FAMILY, Role.INSURER, Role.LAWYER, Role.PHARMACIST, Role.DOCTOR);
  private static final Comparator<Consent.Member> CANONICAL = Comparator
      .<Consent.Member>comparingInt(m -> ORDER.indexOf(m.role()))
      .thenComparing((a, b) -> a.role() == Role.FAMILY
          ? Arrays.compareUnsigned(a.publicKey(), b.publicKey())
          : Long.compareUnsigned(a.index(), b.index()));

  private final List<Consent.Member> members;

  private MemberSet(List<Consent.Member> members) {
    List<Consent.Member> sorted = new ArrayList<>(members);
    sorted.sort(CANONICAL);
    this.members = List.copyOf(sorted);
  }

  /** Epoch 0: the consent's members without the responders a txk left out. */
  public static MemberSet initial(Consent consent, Collection<Long> excluded) {
    List<Consent.Member> in = new ArrayList<>();
    for (Consent.Member m : consent.members()) if (!excluded.contains(m.index())) in.add(m);
    return new MemberSet(in);
  }

  /**
   * The next epoch's members. Refuses a change that removes the patient, the doctor or someone
   * who is not a member, adds someone who already is, or changes nothing.
   */
  public MemberSet apply(MemberChange change) {
    if (change.removed().isEmpty() && change.added().isEmpty()) {
      throw new CryptoException("the change adds and removes nobody");
    }
    List<Consent.Member> next = new ArrayList<>(members);
    for (long ind : change.removed()) {
      Role role = roleOf(ind);
      if (role == null) {
        throw new CryptoException("participant " + ParticipantIndex.hex(ind) + " is not a member and cannot be removed");
      }
      if (role == Role.PATIENT) throw new CryptoException("the patient cannot be removed from her own treatment");
      if (role == Role.DOCTOR) throw new CryptoException("the treatment's doctor cannot be removed (a new doctor opens a new treatment)");
      next.removeIf(m -> m.index() == ind);
    }
    for (Consent.Member m : change.added()) {
      if (roleOf(m.index()) != null) {
        throw new CryptoException("participant " + ParticipantIndex.hex(m.index()) + " is already a member");
      }
      next.add(m);
    }
    if (next.size() > SiffTag.MAX_MEMBERS) {
      throw new CryptoException("a treatment has at most " + SiffTag.MAX_MEMBERS + " members");
    }
    return new MemberSet(next);
  }

  /** Every member, in SIFF order (the doctor last). */
  public List<Consent.Member> members() {
    return members;
  }

  /** Everyone but the doctor: those whose answers the doctor opens. */
  public List<Consent.Member> responders() {
    return members.stream().filter(m -> m.role() != Role.DOCTOR).toList();
  }

  public List<Long> indexes() {
    return members.stream().map(Consent.Member::index).toList();
  }

  public List<Long> indexesOf(Role role) {
    return members.stream().filter(m -> m.role() == role).map(Consent.Member::index).toList();
  }

  /** The member with this index, or null. */
  public Consent.Member member(long index) {
    for (Consent.Member m : members) if (m.index() == index) return m;
    return null;
  }

  public Role roleOf(long index) {
    Consent.Member m = member(index);
    return m == null ? null : m.role();
  }

  public boolean contains(long index) {
    return member(index) != null;
  }

  public int size() {
    return members.size();
  }

  /** The other members' indexes of a process record by {@code sender}, sorted as the record lists them. */
  public List<Long> othersThan(long sender) {
    List<Long> out = new ArrayList<>();
    for (Consent.Member m : members) if (m.index() != sender) out.add(m.index());
    out.sort(Long::compareUnsigned);
    return out;
  }

  @Override
  public String toString() {
    return "MemberSet" + members.stream().map(m -> m.role().symbol() + ":" + ParticipantIndex.hex(m.index())).toList();
  }
}
