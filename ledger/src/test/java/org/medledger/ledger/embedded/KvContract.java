package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.contract.ClientIdentity;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.hyperledger.fabric.shim.ChaincodeException;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;

/** A small key-value contract exercising the parts of the shim the MedLedger chaincode uses. */
@Contract(name = "kv")
@Default
public class KvContract implements ContractInterface {
  final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public void beforeTransaction(Context ctx) {
    calls.add("before:" + ctx.getStub().getFunction());
  }

  @Override
  public void afterTransaction(Context ctx, Object result) {
    calls.add("after:" + ctx.getStub().getFunction());
    if ("exhaust".equals(ctx.getStub().getFunction())) {
      // Outside the method call, so not wrapped in an InvocationTargetException: reaches the
      // committer as the Error it is, like an allocation failing in the ledger itself.
      throw new OutOfMemoryError("injected: Java heap space");
    }
  }

  @Transaction(intent = Transaction.TYPE.SUBMIT)
  public String put(Context ctx, String key, String value) {
    ctx.getStub().putStringState(key, value);
    ctx.getStub().setEvent("put", (key + "=" + value).getBytes(UTF_8));
    return "ok:" + key;
  }

  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String get(Context ctx, String key) {
    return ctx.getStub().getStringState(key);
  }

  /** Fabric has no read-your-writes: the read returns the value before this transaction. */
  @Transaction
  public String putAndRead(Context ctx, String key, String value) {
    ctx.getStub().putStringState(key, value);
    return "read:" + ctx.getStub().getStringState(key);
  }

  /** Reads the raw binary argument like the MedLedger Store function. */
  @Transaction(name = "StoreRaw")
  public byte[] storeRaw(Context ctx) {
    byte[] record = ctx.getStub().getArgs().get(1);
    String key = "raw" + record.length;
    ctx.getStub().putState(key, record);
    ctx.getStub().setEvent("raw", record);
    return record;
  }

  @Transaction
  public String fail(Context ctx, String key) {
    ctx.getStub().putStringState(key, "should not be written");
    ctx.getStub().setEvent("fail", new byte[] {1});
    throw new ChaincodeException("refused: " + key + " is not allowed");
  }

  /** Writes, then its afterTransaction hook runs out of memory (see above). */
  @Transaction
  public String exhaust(Context ctx, String key) {
    ctx.getStub().putStringState(key, "should not be written");
    return "unreachable";
  }

  @Transaction
  public String crash(Context ctx, String key) {
    ctx.getStub().putStringState(key, "should not be written");
    throw new IllegalStateException("internal trouble");
  }

  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String whoAmI(Context ctx) {
    ClientIdentity ci = ctx.getClientIdentity();
    String role = ci.getAttributeValue("medledger.role");
    if (!"doctor".equals(role)) {
      throw new ChaincodeException("only a doctor may call whoAmI");
    }
    return ci.getMSPID() + "|" + ci.getId() + "|" + role + "|"
        + ci.getAttributeValue("hf.EnrollmentID") + "|"
        + ci.getX509Certificate().getSubjectX500Principal().getName() + "|"
        + ctx.getStub().getMspId();
  }

  @Transaction
  public void twoEvents(Context ctx, String key) {
    ctx.getStub().putStringState(key, "2");
    ctx.getStub().setEvent("first", new byte[] {1});
    ctx.getStub().setEvent("second", new byte[] {2});
  }

  @Transaction
  public void del(Context ctx, String key) {
    ctx.getStub().delState(key);
  }

  @Transaction
  public String increment(Context ctx, String key) {
    String old = ctx.getStub().getStringState(key);
    int n = old.isEmpty() ? 0 : Integer.parseInt(old);
    ctx.getStub().putStringState(key, Integer.toString(n + 1));
    return Integer.toString(n + 1);
  }

  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String list(Context ctx, String start, String end) {
    return join(ctx.getStub().getStateByRange(start, end));
  }

  @Transaction
  public void putComposite(Context ctx, String type, String a, String b, String value) {
    ChaincodeStub stub = ctx.getStub();
    stub.putStringState(stub.createCompositeKey(type, a, b).toString(), value);
  }

  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String listComposite(Context ctx, String type, String a) {
    StringBuilder out = new StringBuilder();
    try (QueryResultsIterator<KeyValue> it = ctx.getStub().getStateByPartialCompositeKey(type, a)) {
      for (KeyValue kv : it) {
        out.append(ctx.getStub().splitCompositeKey(kv.getKey()).getAttributes())
            .append('=').append(kv.getStringValue()).append(';');
      }
    } catch (Exception e) {
      throw new ChaincodeException(e.getMessage());
    }
    return out.toString();
  }

  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String txInfo(Context ctx) {
    ChaincodeStub s = ctx.getStub();
    return s.getTxId() + "|" + s.getChannelId() + "|" + s.getTxTimestamp() + "|" + s.getFunction()
        + "|" + s.getParameters();
  }

  @Transaction(intent = Transaction.TYPE.EVALUATE)
  public String history(Context ctx, String key) {
    ctx.getStub().getHistoryForKey(key);
    return "unreachable";
  }

  private static String join(QueryResultsIterator<KeyValue> it) {
    StringBuilder out = new StringBuilder();
    for (KeyValue kv : it) {
      out.append(kv.getKey()).append('=').append(kv.getStringValue()).append(';');
    }
    return out.toString();
  }
}
