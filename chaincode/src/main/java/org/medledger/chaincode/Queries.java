package org.medledger.chaincode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;

/** The paper's Get, and the listings built on the indexes that Store maintains. */
public final class Queries {
  private final WorldState state;

  public Queries(WorldState state) {
    this.state = state;
  }

  /** One record of a treatment, with where it sits on the ledger. */
  public record Entry(RecordType type, String kappa, String transactionId, long timeMillis) {}

  public byte[] get(String kappaHex) {
    requireHex(kappaHex, 64, "key");
    byte[] v = state.get(kappaHex);
    if (v == null) throw new RuleViolation("Q1", "no record with key " + kappaHex);
    return v;
  }

  /** Every record of treatment κ0 (txtc first), in commit order. */
  public List<Entry> treatment(String kappa0Hex) {
    requireHex(kappa0Hex, 64, "treatment key");
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : state.byPartialKey(StoreRules.TREATMENT, kappa0Hex)) {
      List<String> attrs = state.attributesOf(e.getKey());
      String[] where = new String(e.getValue(), StandardCharsets.US_ASCII).split("\\|");
      out.add(new Entry(RecordType.fromLabel(attrs.get(1)), attrs.get(2), where[0], Long.parseLong(where[1])));
    }
    if (out.isEmpty()) throw new RuleViolation("Q2", "no treatment " + kappa0Hex);
    out.sort(Comparator.comparingLong(Entry::timeMillis)
        .thenComparingInt(e -> e.type().code())
        .thenComparing(Entry::transactionId));
    return out;
  }

  /** One withdrawal of a consent: its κ, the key it was made under (hex), when it committed. */
  public record WithdrawalEntry(String kappa, String patientKey, String transactionId, long timeMillis) {}

  /** What became of a consent id: the treatment it opened (κ0 hex, or null) and its withdrawals. */
  public record ConsentUse(String treatment, List<WithdrawalEntry> withdrawals) {}

  /**
   * The treatment a consent opened (R4's ML-C) and the withdrawals stored for it (ML-W), so that
   * a doctor's portal can open the existing treatment on a second scan, or say that the patient
   * withdrew the consent. An unknown consent id is not an error: nothing happened to it yet.
   */
  public ConsentUse byConsent(String consentIdHex) {
    requireHex(consentIdHex, 32, "consent id");
    byte[] k0 = state.get(state.compositeKey(StoreRules.CONSENT_USED, consentIdHex));
    List<WithdrawalEntry> ws = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : state.byPartialKey(StoreRules.WITHDRAWN, consentIdHex)) {
      String[] v = new String(e.getValue(), StandardCharsets.US_ASCII).split("\\|");
      ws.add(new WithdrawalEntry(v[0], state.attributesOf(e.getKey()).get(1), v[1], Long.parseLong(v[2])));
    }
    return new ConsentUse(k0 == null ? null : new String(k0, StandardCharsets.US_ASCII), ws);
  }

  public byte[] participant(String indexHex) {
    long index;
    try {
      index = ParticipantIndex.parse(indexHex);
    } catch (IllegalArgumentException e) {
      throw new RuleViolation("Q0", e.getMessage());
    }
    byte[] kappa = state.get(state.compositeKey(StoreRules.PARTICIPANT, ParticipantIndex.hex(index)));
    if (kappa == null) throw new RuleViolation("Q3", "no participant registered under index " + ParticipantIndex.hex(index));
    return state.get(new String(kappa, StandardCharsets.US_ASCII));
  }

  /** Q4: the consortium policy in force (R9), its record bytes. */
  public byte[] policy() {
    byte[] v = state.get(state.compositeKey(PolicyRules.POLICY));
    if (v == null) throw new RuleViolation("Q4", "no consortium policy on the ledger yet");
    return v;
  }

  /** One page of a directory search (Q0 for a bad filter, Q5 for a bookmark it did not give). */
  public Directory.Page searchParticipants(Directory.Search search, String bookmark) {
    return Directory.search(state, search, bookmark);
  }

  /** Every registration: unbounded, kept for fabric/network.sh's readiness probe only. */
  public List<Registration> participants() {
    List<Registration> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : state.byPartialKey(StoreRules.PARTICIPANT)) {
      out.add((Registration) RecordCodec.parse(state.get(new String(e.getValue(), StandardCharsets.US_ASCII))));
    }
    return out;
  }

  static String treatmentJson(List<Entry> entries) {
    StringBuilder sb = new StringBuilder("[");
    for (Entry e : entries) {
      if (sb.length() > 1) sb.append(',');
      sb.append("{\"type\":\"").append(e.type().label()).append("\",\"kappa\":\"").append(e.kappa())
          .append("\",\"tx\":\"").append(e.transactionId()).append("\",\"time\":").append(e.timeMillis()).append('}');
    }
    return sb.append(']').toString();
  }

  static String consentJson(ConsentUse use) {
    StringBuilder sb = new StringBuilder("{\"treatment\":");
    sb.append(use.treatment() == null ? "null" : "\"" + use.treatment() + "\"").append(",\"withdrawals\":[");
    boolean first = true;
    for (WithdrawalEntry w : use.withdrawals()) {
      if (!first) sb.append(',');
      first = false;
      sb.append("{\"kappa\":\"").append(w.kappa()).append("\",\"key\":\"").append(w.patientKey())
          .append("\",\"tx\":\"").append(w.transactionId()).append("\",\"time\":").append(w.timeMillis()).append('}');
    }
    return sb.append("]}").toString();
  }

  static String participantsJson(List<Registration> regs) {
    StringBuilder sb = new StringBuilder("[");
    for (Registration r : regs) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(Base64.getEncoder().encodeToString(RecordCodec.encode(r))).append('"');
    }
    return sb.append(']').toString();
  }

  private static void requireHex(String s, int len, String what) {
    if (s == null || s.length() != len || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new RuleViolation("Q0", "the " + what + " must be " + len + " lower-case hex digits");
    }
  }
}
