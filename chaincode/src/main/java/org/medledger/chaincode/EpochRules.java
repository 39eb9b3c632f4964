package org.medledger.chaincode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.protocol.epoch.MemberChanges;
import org.medledger.core.protocol.epoch.MemberSet;
import org.medledger.core.record.Consent;
import org.medledger.core.record.EventPayload;
import org.medledger.core.record.KeyEpoch;
import org.medledger.core.record.MemberChange;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;

/**
 * Key epochs on the ledger (docs/protocol.md §Chaincode verification rules, R10 and R11): the
 * patient's member change and the doctor's epoch record that completes it, and the member set
 * of the newest epoch, which R5, R6 and R7 follow. State: {@code ML-M[κ0, e]} names the patient's
 * latest change for epoch e, {@code ML-E[κ0, e]} the epoch record that completed it (with the tag
 * hash it replaced), and {@code ML-G[κ0]} always holds the newest epoch's tag hash.
 */
final class EpochRules {
  static final String EPOCH = "ML-E";
  static final String CHANGE = "ML-M";

  private final WorldState state;
  private final StoreRules rules;

  EpochRules(WorldState state, StoreRules rules) {
    this.state = state;
    this.rules = rules;
  }

  /**
   * Where a treatment stands: its newest epoch, that epoch's members, the patient's change that
   * waits for the next key (or null), everyone who was ever selected (with their role), and the
   * tag hashes of the completed epochs before the newest, and the responders the txk left out of
   * the first key (read once here, so a refusal's message does not ask the peer again).
   */
  record Current(int epoch, MemberSet members, MemberChange pending, String pendingKappa, Map<Long, Role> ever,
      List<String> earlierTags, List<Long> excluded) {
    boolean removalPending() {
      return pending != null && !pending.removed().isEmpty();
    }

    boolean joining(long index) {
      return pending != null && pending.added().stream().anyMatch(m -> m.index() == index);
    }
  }

  Current current(String k0, Consent c) {
    List<Long> excluded = rules.excluded(k0);
    MemberSet set = MemberSet.initial(c, excluded);
    Map<Long, Role> ever = new HashMap<>();
    for (Consent.Member m : c.members()) ever.put(m.index(), m.role());
    List<String> earlier = new ArrayList<>();
    int e = 0;
    while (true) {
      byte[] v = state.get(state.compositeKey(EPOCH, k0, Integer.toString(e + 1)));
      if (v == null) break;
      String[] parts = ascii(v).split("\\|");
      KeyEpoch ep = (KeyEpoch) RecordCodec.parse(state.get(parts[0]));
      MemberChange ch = (MemberChange) RecordCodec.parse(state.get(Bytes.hex(ep.change())));
      set = set.apply(ch);
      for (Consent.Member m : ch.added()) ever.put(m.index(), m.role());
      earlier.add(parts[1]);
      e++;
    }
    byte[] p = state.get(state.compositeKey(CHANGE, k0, Integer.toString(e + 1)));
    MemberChange pending = null;
    String pendingKappa = null;
    if (p != null) {
      pendingKappa = ascii(p);
      pending = (MemberChange) RecordCodec.parse(state.get(pendingKappa));
      for (Consent.Member m : pending.added()) ever.putIfAbsent(m.index(), m.role());
    }
    return new Current(e, set, pending, pendingKappa, ever, earlier, excluded);
  }

  // R10
  EventPayload change(Submitter s, MemberChange ch, byte[] kappa) {
    Txtc txtc = rules.treatment("R10", ch.kappa0());
    Consent c = txtc.consent();
    String k0 = Bytes.hex(ch.kappa0());
    if (s.role() != Role.PATIENT || !Arrays.equals(s.publicKey(), c.patientKey())) {
      throw new RuleViolation("R10", "only the patient, under her key of this treatment, may change who takes part");
    }
    if (!MemberChanges.valid(ch, c)) {
      throw new RuleViolation("R10", "the patient's signature on the change is not valid");
    }
    if (state.get(state.compositeKey(StoreRules.TREATMENT_TAG, k0)) == null) {
      throw new RuleViolation("R10", "the treatment's key is not set up yet; who takes part can change once it is");
    }
    Current cur = current(k0, c);
    if (ch.epoch() != cur.epoch() + 1) {
      throw new RuleViolation("R10", "the treatment is in key epoch " + cur.epoch() + "; a change opens epoch "
          + (cur.epoch() + 1) + ", not " + ch.epoch());
    }
    MemberSet next;
    try {
      next = cur.members().apply(ch);
    } catch (CryptoException e) {
      throw new RuleViolation("R10", e.getMessage());
    }
    for (Consent.Member m : ch.added()) {
      if (m.role().pseudonymous()) continue; // a family member's key in this treatment, like in the consent
      Registration reg = rules.registration(m.index());
      if (reg == null || reg.role() != m.role()) {
        String role = m.role().title().toLowerCase();
        throw new RuleViolation("R10", "added " + role + " " + ParticipantIndex.hex(m.index()) + " is not a registered " + role);
      }
    }
    // The latest change for an epoch counts: the patient may change her mind until the doctor
    // completes it (R11 completes only the change named here).
    String kHex = Bytes.hex(kappa);
    state.put(state.compositeKey(CHANGE, k0, Integer.toString(ch.epoch())), kHex.getBytes(StandardCharsets.US_ASCII));
    rules.index(k0, RecordType.MEMBER_CHANGE, kHex);
    // R7: every current member (the leaving ones learn it) and the added ones (their invitation).
    List<Long> to = new ArrayList<>(cur.members().indexes());
    to.addAll(next.indexes());
    return new EventPayload(RecordType.MEMBER_CHANGE, kappa, ch.kappa0(), StoreRules.sortedUnique(to));
  }

  // R11
  EventPayload epoch(Submitter s, KeyEpoch k, byte[] kappa) {
    Txtc txtc = rules.treatment("R11", k.kappa0());
    Consent c = txtc.consent();
    String k0 = Bytes.hex(k.kappa0());
    if (s.index() != c.doctor() || s.role() != Role.DOCTOR) {
      throw new RuleViolation("R11", "only the treatment's doctor may set up its new key");
    }
    if (k.doctor() != s.index()) {
      throw new RuleViolation("R11", "the doctor index is not the submitter's");
    }
    rules.requireRegistered("R11", s, Role.DOCTOR);
    Current cur = current(k0, c);
    if (k.epoch() != cur.epoch() + 1) {
      throw new RuleViolation("R11", "the treatment is in key epoch " + cur.epoch() + "; the next key is epoch "
          + (cur.epoch() + 1) + ", not " + k.epoch());
    }
    if (cur.pending() == null) {
      throw new RuleViolation("R11", "no member change waits for a new key: the patient must sign one first");
    }
    if (!Bytes.hex(k.change()).equals(cur.pendingKappa())) {
      throw new RuleViolation("R11", "a new key completes the patient's latest change for epoch " + k.epoch()
          + " (" + cur.pendingKappa() + ")");
    }
    MemberSet next = cur.members().apply(cur.pending());
    for (Consent.Member m : next.responders()) {
      if (state.get(state.compositeKey(StoreRules.RESPONDED, k0, ParticipantIndex.hex(m.index()))) == null) {
        throw new RuleViolation("R11", "participant " + ParticipantIndex.hex(m.index())
            + " has not answered; the new key can be built once they have");
      }
    }
    SiffTag tag;
    try {
      tag = SiffTag.parse(k.tag());
    } catch (CryptoException e) {
      throw new RuleViolation("R11", "invalid tag: " + e.getMessage());
    }
    if (tag.members() != next.size()) {
      throw new RuleViolation("R11", "the tag is built for " + tag.members() + " members, the new member set has " + next.size());
    }
    String tagKey = state.compositeKey(StoreRules.TREATMENT_TAG, k0);
    String previous = ascii(state.get(tagKey));
    String hash = Bytes.hex(tag.hash());
    if (hash.equals(previous) || cur.earlierTags().contains(hash)) {
      throw new RuleViolation("R11", "the tag was already used by an earlier epoch of this treatment");
    }
    String kHex = Bytes.hex(kappa);
    state.put(state.compositeKey(EPOCH, k0, Integer.toString(k.epoch())),
        (kHex + "|" + previous).getBytes(StandardCharsets.US_ASCII));
    state.put(tagKey, hash.getBytes(StandardCharsets.US_ASCII));
    rules.index(k0, RecordType.KEY_EPOCH, kHex);
    List<Long> to = new ArrayList<>(cur.members().indexes());
    to.addAll(next.indexes());
    return new EventPayload(RecordType.KEY_EPOCH, kappa, k.kappa0(), StoreRules.sortedUnique(to));
  }

  private static String ascii(byte[] v) {
    return new String(v, StandardCharsets.US_ASCII);
  }
}
