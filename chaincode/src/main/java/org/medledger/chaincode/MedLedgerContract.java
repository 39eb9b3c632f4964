package org.medledger.chaincode;

import java.util.Base64;
import java.util.List;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contact;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.hyperledger.fabric.shim.ChaincodeException;

/**
 * The paper's chaincode: Store and Get, plus listings. Thin on purpose — the rules live in
 * {@link StoreRules} and {@link Queries}. Store takes the record as raw bytes (argument 1 of
 * the proposal), so κ is the SHA-256 of exactly what the submitter signed.
 */
@Contract(
    name = "MedLedger",
    info = @Info(title = "MedLedger", description = "Encrypted treatment records under SIFF keys",
        version = "1", contact = @Contact(name = "MedLedger")))
@Default
public final class MedLedgerContract implements ContractInterface {

  /** Store(v): verifies v, stores (κ, v), sets one event; returns κ as hex. */
  @Transaction(intent = Transaction.TYPE.SUBMIT)
  public String Store(Context ctx) {
    List<byte[]> args = ctx.getStub().getArgs();
    if (args.size() != 2) {
      throw new ChaincodeException("R1: Store takes exactly one argument, the record bytes", "R1");
    }
    Submitter submitter = submitter(ctx);
    try {
      return new StoreRules(new StubWorldState(ctx.getStub())).store(submitter, args.get(1));
    } catch (RuleViolation e) {
      throw new ChaincodeException(e.getMessage(), e.rule());
    }
  }

  /** Get(κ): the stored value, Base64. */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String Get(Context ctx, String kappaHex) {
    return guarded(() -> Base64.getEncoder().encodeToString(queries(ctx).get(kappaHex)));
  }

  /** Every record of a treatment: JSON [{type, kappa, tx, time}], in commit order. */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String ListTreatment(Context ctx, String kappa0Hex) {
    return guarded(() -> Queries.treatmentJson(queries(ctx).treatment(kappa0Hex)));
  }

  /**
   * What became of a consent id (32 hex digits): JSON {"treatment":κ0|null,"withdrawals":[{kappa,
   * key, tx, time}]}, from the indexes R4 keeps.
   */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String GetByConsent(Context ctx, String consentIdHex) {
    return guarded(() -> Queries.consentJson(queries(ctx).byConsent(consentIdHex)));
  }

  /** A registered participant's registration record by ind_x (16 hex digits), Base64. */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String GetParticipant(Context ctx, String indexHex) {
    return guarded(() -> Base64.getEncoder().encodeToString(queries(ctx).participant(indexHex)));
  }

  /**
   * One page of the directory: registered professionals filtered by role (doctor, pharmacist,
   * insurer, lawyer), name prefix, institution prefix and index (hex prefix of ind_x), each
   * argument empty for "any"; page size 1–50 (empty: 20); bookmark empty for the first page,
   * else the one the previous page gave. JSON {"records":[Base64 registration, ...],
   * "bookmark":"..." ("" after the last page)}. docs/protocol.md §Directory search.
   */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String SearchParticipants(Context ctx, String role, String name, String institution, String index,
      String pageSize, String bookmark) {
    return guarded(() -> queries(ctx).searchParticipants(
        Directory.Search.of(role, name, institution, index, pageSize), bookmark).json());
  }

  /**
   * Every registration record: JSON array of Base64 strings. Unbounded (one answer grows with the
   * directory): the portal uses SearchParticipants; this stays for fabric/network.sh's readiness
   * probe on a new, empty network.
   */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String ListParticipants(Context ctx) {
    return guarded(() -> Queries.participantsJson(queries(ctx).participants()));
  }

  /**
   * SetPolicy(policy): an organisation administrator proposes or approves the consortium policy
   * (record 0x09, Base64 so that Fabric's peer CLI can pass it); rule R9. Returns JSON
   * {"version":n,"applied":true|false,"approvals":k,"needed":m}.
   */
  @Transaction(intent = Transaction.TYPE.SUBMIT)
  public String SetPolicy(Context ctx, String policyBase64) {
    byte[] v;
    try {
      v = Base64.getDecoder().decode(policyBase64.trim());
    } catch (IllegalArgumentException e) {
      throw new ChaincodeException("R9: the policy argument is not Base64", "R9");
    }
    Submitter submitter = submitter(ctx);
    try {
      return new PolicyRules(new StubWorldState(ctx.getStub())).set(submitter, v).json();
    } catch (RuleViolation e) {
      throw new ChaincodeException(e.getMessage(), e.rule());
    }
  }

  /** The consortium policy in force, Base64 of its record (Q4 when there is none). */
  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String GetPolicy(Context ctx) {
    return guarded(() -> Base64.getEncoder().encodeToString(queries(ctx).policy()));
  }

  private static Queries queries(Context ctx) {
    return new Queries(new StubWorldState(ctx.getStub()));
  }

  private static Submitter submitter(Context ctx) {
    ClientIdentity id = ctx.getClientIdentity();
    try {
      return Submitter.of(id.getMSPID(), id.getX509Certificate(), id.getAttributeValue(Submitter.ROLE_ATTRIBUTE));
    } catch (RuntimeException e) {
      throw new ChaincodeException("the submitter's certificate is not a P-256 certificate", "R0");
    }
  }

  private static String guarded(java.util.function.Supplier<String> q) {
    try {
      return q.get();
    } catch (RuleViolation e) {
      throw new ChaincodeException(e.getMessage(), e.rule());
    }
  }
}
