package org.medledger.chaincode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;

/** {@link WorldState} over Fabric's chaincode stub. */
final class StubWorldState implements WorldState {
  private final ChaincodeStub stub;

  StubWorldState(ChaincodeStub stub) {
    this.stub = stub;
  }

  @Override
  public byte[] get(String key) {
    byte[] v = stub.getState(key);
    return v == null || v.length == 0 ? null : v;
  }

  @Override
  public void put(String key, byte[] value) {
    stub.putState(key, value);
  }

  @Override
  public String compositeKey(String objectType, String... attributes) {
    return stub.createCompositeKey(objectType, attributes).toString();
  }

  @Override
  public List<Map.Entry<String, byte[]>> byPartialKey(String objectType, String... attributes) {
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    try (QueryResultsIterator<KeyValue> it =
        stub.getStateByPartialCompositeKey(stub.createCompositeKey(objectType, attributes))) {
      for (KeyValue kv : it) out.add(Map.entry(kv.getKey(), kv.getValue()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the index " + objectType, e);
    }
    return out;
  }

  @Override
  public List<Map.Entry<String, byte[]>> range(String start, String end, int limit) {
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    // The peer sends a range in batches; closing the iterator early ends the query there.
    try (QueryResultsIterator<KeyValue> it = stub.getStateByRange(start, end)) {
      for (KeyValue kv : it) {
        if (out.size() == limit) break;
        out.add(Map.entry(kv.getKey(), kv.getValue()));
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the directory index", e);
    }
    return out;
  }

  @Override
  public List<String> attributesOf(String compositeKey) {
    return CompositeKey.parseCompositeKey(compositeKey).getAttributes();
  }

  @Override
  public String transactionId() {
    return stub.getTxId();
  }

  @Override
  public Instant transactionTime() {
    return stub.getTxTimestamp();
  }

  @Override
  public void setEvent(String name, byte[] payload) {
    stub.setEvent(name, payload);
  }
}
