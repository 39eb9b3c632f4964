package org.medledger.core.record;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The consortium policy (record type 0x09, docs/protocol.md §Consortium policy): which
 * organisation (MSP) may vouch for which professional roles. R3 admits a doctor, pharmacist,
 * insurer or lawyer only with a certificate from an organisation the policy names for that role;
 * the organisations it lists are also the ones whose administrators decide on its next version
 * (R9: a majority of them).
 *
 * @param version 1 for the first policy, then one more for each change (1 .. 2^32 − 1)
 * @param vouching MSP id → the professional roles its certificates may carry, sorted by MSP id
 */
public record ConsortiumPolicy(long version, SortedMap<String, Set<Role>> vouching) {
  public static final int MAX_ORGANISATIONS = 32;
  private static final Pattern MSP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public ConsortiumPolicy {
    if (version < 1 || version > 0xffff_ffffL) {
      throw new IllegalArgumentException("a policy version is 1 .. 4294967295, not " + version);
    }
    if (vouching.isEmpty() || vouching.size() > MAX_ORGANISATIONS) {
      throw new IllegalArgumentException("a policy names 1 to " + MAX_ORGANISATIONS + " organisations");
    }
    TreeMap<String, Set<Role>> copy = new TreeMap<>();
    for (Map.Entry<String, Set<Role>> e : vouching.entrySet()) {
      if (!validMspId(e.getKey())) {
        throw new IllegalArgumentException("'" + e.getKey() + "' is not an MSP id (1 to 64 letters, digits, '.', '_', '-')");
      }
      EnumSet<Role> roles = e.getValue().isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(e.getValue());
      for (Role r : roles) {
        if (r.pseudonymous()) {
          throw new IllegalArgumentException("nobody vouches for " + r.title().toLowerCase() + "s: they are pseudonymous");
        }
      }
      copy.put(e.getKey(), Collections.unmodifiableSet(roles));
    }
    vouching = Collections.unmodifiableSortedMap(copy);
  }

  /** MedLedger's four organisations, each vouching for its own profession. */
  public static ConsortiumPolicy standard(long version) {
    TreeMap<String, Set<Role>> m = new TreeMap<>();
    m.put("HospitalMSP", EnumSet.of(Role.DOCTOR));
    m.put("PharmacyMSP", EnumSet.of(Role.PHARMACIST));
    m.put("InsurerMSP", EnumSet.of(Role.INSURER));
    m.put("LawFirmMSP", EnumSet.of(Role.LAWYER));
    return new ConsortiumPolicy(version, m);
  }

  /** Whether a certificate of {@code mspId} may carry {@code role}. */
  public boolean mayVouch(String mspId, Role role) {
    Set<Role> roles = vouching.get(mspId);
    return roles != null && roles.contains(role);
  }

  /** The organisations the policy lets vouch for {@code role}. */
  public Set<String> vouchersFor(Role role) {
    Set<String> out = new java.util.TreeSet<>();
    for (Map.Entry<String, Set<Role>> e : vouching.entrySet()) if (e.getValue().contains(role)) out.add(e.getKey());
    return out;
  }

  /** More than half of the organisations the policy names: how many must approve its successor. */
  public int majority() {
    return vouching.size() / 2 + 1;
  }

  /** The same organisations and roles under another version number. */
  public ConsortiumPolicy withVersion(long v) {
    return new ConsortiumPolicy(v, vouching);
  }

  public byte[] encode() {
    return RecordCodec.encodePolicy(this);
  }

  public static ConsortiumPolicy parse(byte[] v) {
    return RecordCodec.parsePolicy(v);
  }

  static boolean validMspId(String s) {
    return s != null && MSP_ID.matcher(s).matches();
  }

  /** {@code HospitalMSP: doctor; LawFirmMSP: lawyer} — for messages and logs. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("policy v").append(version).append(" {");
    String sep = "";
    for (Map.Entry<String, Set<Role>> e : vouching.entrySet()) {
      b.append(sep).append(e.getKey()).append(':');
      for (Role r : e.getValue()) b.append(' ').append(r.name().toLowerCase(java.util.Locale.ROOT));
      sep = "; ";
    }
    return b.append('}').toString();
  }
}
