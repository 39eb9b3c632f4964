package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.SignedProposal;
import org.hyperledger.fabric.shim.Chaincode.Response;
import org.hyperledger.fabric.shim.ChaincodeStub;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyModification;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;
import org.hyperledger.fabric.shim.ledger.QueryResultsIteratorWithMetadata;
import org.medledger.ledger.embedded.BlockCodec.Write;

/**
 * {@link ChaincodeStub} of one transaction, with the semantics of the Java shim talking to a
 * Fabric peer: reads see the state before the transaction (no read-your-writes), a missing key
 * reads as an empty array, putting an empty value deletes the key (the peer treats it so), the
 * last {@link #setEvent} wins, range queries exclude composite keys.
 */
final class EmbeddedStub implements ChaincodeStub {
  /** Fabric's shim: first key of an unbounded range, which skips the composite-key namespace. */
  private static final String UNSPECIFIED_START_KEY = new String(Character.toChars(0x000001));
  private static final String MAX_UNICODE_RUNE = "\udbff\udfff";

  private final String channelId;
  private final String txId;
  private final List<byte[]> args;
  private final Instant timestamp;
  private final byte[] creator;
  private final String peerMspId;
  private final WorldState.View state;
  private final TreeMap<String, byte[]> writes = new TreeMap<>(WorldState.KEY_ORDER);
  private ChaincodeEvent event;

  EmbeddedStub(String channelId, String txId, List<byte[]> args, Instant timestamp,
      byte[] creator, String peerMspId, WorldState.View state) {
    this.channelId = channelId;
    this.txId = txId;
    List<byte[]> copy = new ArrayList<>(args.size());
    for (byte[] a : args) {
      copy.add(a.clone());
    }
    this.args = Collections.unmodifiableList(copy);
    this.timestamp = timestamp;
    this.creator = creator;
    this.peerMspId = peerMspId;
    this.state = state;
  }

  /** The write set, in key order; a null value is a delete. */
  List<Write> writeSet() {
    List<Write> out = new ArrayList<>(writes.size());
    writes.forEach((k, v) -> out.add(new Write(k, v)));
    return out;
  }

  @Override
  public List<byte[]> getArgs() {
    List<byte[]> copy = new ArrayList<>(args.size());
    for (byte[] a : args) {
      copy.add(a.clone());
    }
    return Collections.unmodifiableList(copy);
  }

  @Override
  public List<String> getStringArgs() {
    List<String> out = new ArrayList<>(args.size());
    for (byte[] a : args) {
      out.add(new String(a, UTF_8));
    }
    return out;
  }

  @Override
  public String getFunction() {
    return args.isEmpty() ? null : new String(args.get(0), UTF_8);
  }

  @Override
  public List<String> getParameters() {
    List<String> all = getStringArgs();
    return all.isEmpty() ? all : new ArrayList<>(all.subList(1, all.size()));
  }

  @Override
  public String getTxId() {
    return txId;
  }

  @Override
  public String getChannelId() {
    return channelId;
  }

  @Override
  public byte[] getState(String key) {
    byte[] v = state.get(key);
    return v == null ? new byte[0] : v.clone();
  }

  @Override
  public void putState(String key, byte[] value) {
    validateKey(key);
    Objects.requireNonNull(value, "value cannot be null");
    writes.put(key, value.length == 0 ? null : value.clone());
  }

  @Override
  public void delState(String key) {
    validateKey(key);
    writes.put(key, null);
  }

  @Override
  public QueryResultsIterator<KeyValue> getStateByRange(String startKey, String endKey) {
    String start = startKey == null || startKey.isEmpty() ? UNSPECIFIED_START_KEY : startKey;
    String end = endKey == null ? "" : endKey;
    CompositeKey.validateSimpleKeys(start, end);
    return query(start, end.isEmpty() ? null : end);
  }

  @Override
  public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(String compositeKey) {
    CompositeKey key = compositeKey.startsWith(CompositeKey.NAMESPACE)
        ? CompositeKey.parseCompositeKey(compositeKey)
        : new CompositeKey(compositeKey);
    return getStateByPartialCompositeKey(key);
  }

  @Override
  public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(String objectType,
      String... attributes) {
    return getStateByPartialCompositeKey(new CompositeKey(objectType, attributes));
  }

  @Override
  public QueryResultsIterator<KeyValue> getStateByPartialCompositeKey(CompositeKey compositeKey) {
    String prefix = compositeKey == null
        ? new CompositeKey(UNSPECIFIED_START_KEY).toString()
        : compositeKey.toString();
    return query(prefix, prefix + MAX_UNICODE_RUNE);
  }

  @Override
  public CompositeKey createCompositeKey(String objectType, String... attributes) {
    return new CompositeKey(objectType, attributes);
  }

  @Override
  public CompositeKey splitCompositeKey(String compositeKey) {
    return CompositeKey.parseCompositeKey(compositeKey);
  }

  private QueryResultsIterator<KeyValue> query(String start, String end) {
    // Read as the caller iterates (as Fabric's peer sends a range in batches): a chaincode
    // that takes one page of a long range and closes the iterator reads one page.
    Iterable<Map.Entry<String, byte[]>> rows = state.scan(start, end);
    return new QueryResultsIterator<>() {
      @Override
      public Iterator<KeyValue> iterator() {
        Iterator<Map.Entry<String, byte[]>> it = rows.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public KeyValue next() {
            Map.Entry<String, byte[]> e = it.next();
            return new Kv(e.getKey(), e.getValue());
          }
        };
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void setEvent(String name, byte[] payload) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("event name can not be nil string");
    }
    ChaincodeEvent.Builder b = ChaincodeEvent.newBuilder().setEventName(name)
        .setTxId(txId).setChaincodeId(EmbeddedLedger.CHAINCODE_NAME);
    if (payload != null) {
      b.setPayload(ByteString.copyFrom(payload));
    }
    this.event = b.build();
  }

  @Override
  public ChaincodeEvent getEvent() {
    return event;
  }

  @Override
  public Instant getTxTimestamp() {
    return timestamp;
  }

  @Override
  public byte[] getCreator() {
    return creator.clone();
  }

  @Override
  public Map<String, byte[]> getTransient() {
    return Collections.emptyMap();
  }

  @Override
  public String getMspId() {
    return peerMspId;
  }

  private static void validateKey(String key) {
    Objects.requireNonNull(key, "key cannot be null");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key cannot not be an empty string");
    }
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        what + " is not supported by the embedded ledger; it needs a Hyperledger Fabric network");
  }

  // ---- Not available in embedded mode ----

  @Override
  public Response invokeChaincode(String chaincodeName, List<byte[]> args, String channel) {
    throw unsupported("invokeChaincode (chaincode-to-chaincode calls)");
  }

  @Override
  public byte[] getStateValidationParameter(String key) {
    throw unsupported("getStateValidationParameter (state-based endorsement)");
  }

  @Override
  public void setStateValidationParameter(String key, byte[] value) {
    throw unsupported("setStateValidationParameter (state-based endorsement)");
  }

  @Override
  public QueryResultsIteratorWithMetadata<KeyValue> getStateByRangeWithPagination(
      String startKey, String endKey, int pageSize, String bookmark) {
    throw unsupported("getStateByRangeWithPagination (paginated queries)");
  }

  @Override
  public QueryResultsIteratorWithMetadata<KeyValue> getStateByPartialCompositeKeyWithPagination(
      CompositeKey compositeKey, int pageSize, String bookmark) {
    throw unsupported("getStateByPartialCompositeKeyWithPagination (paginated queries)");
  }

  @Override
  public QueryResultsIterator<KeyValue> getQueryResult(String query) {
    throw unsupported("getQueryResult (CouchDB rich queries)");
  }

  @Override
  public QueryResultsIteratorWithMetadata<KeyValue> getQueryResultWithPagination(String query,
      int pageSize, String bookmark) {
    throw unsupported("getQueryResultWithPagination (CouchDB rich queries)");
  }

  @Override
  public QueryResultsIterator<KeyModification> getHistoryForKey(String key) {
    throw unsupported("getHistoryForKey (key history)");
  }

  @Override
  public byte[] getPrivateData(String collection, String key) {
    throw unsupported("Private data");
  }

  @Override
  public byte[] getPrivateDataHash(String collection, String key) {
    throw unsupported("Private data");
  }

  @Override
  public byte[] getPrivateDataValidationParameter(String collection, String key) {
    throw unsupported("Private data");
  }

  @Override
  public void putPrivateData(String collection, String key, byte[] value) {
    throw unsupported("Private data");
  }

  @Override
  public void setPrivateDataValidationParameter(String collection, String key, byte[] value) {
    throw unsupported("Private data");
  }

  @Override
  public void delPrivateData(String collection, String key) {
    throw unsupported("Private data");
  }

  @Override
  public void purgePrivateData(String collection, String key) {
    throw unsupported("Private data");
  }

  @Override
  public QueryResultsIterator<KeyValue> getPrivateDataByRange(String collection, String startKey,
      String endKey) {
    throw unsupported("Private data");
  }

  @Override
  public QueryResultsIterator<KeyValue> getPrivateDataByPartialCompositeKey(String collection,
      String compositeKey) {
    throw unsupported("Private data");
  }

  @Override
  public QueryResultsIterator<KeyValue> getPrivateDataByPartialCompositeKey(String collection,
      CompositeKey compositeKey) {
    throw unsupported("Private data");
  }

  @Override
  public QueryResultsIterator<KeyValue> getPrivateDataByPartialCompositeKey(String collection,
      String objectType, String... attributes) {
    throw unsupported("Private data");
  }

  @Override
  public QueryResultsIterator<KeyValue> getPrivateDataQueryResult(String collection,
      String query) {
    throw unsupported("Private data");
  }

  @Override
  public SignedProposal getSignedProposal() {
    throw unsupported("getSignedProposal (there is no gRPC proposal in-process)");
  }

  @Override
  public byte[] getBinding() {
    throw unsupported("getBinding (there is no gRPC proposal in-process)");
  }

  private record Kv(String key, byte[] value) implements KeyValue {
    @Override
    public String getKey() {
      return key;
    }

    @Override
    public byte[] getValue() {
      return value.clone();
    }

    @Override
    public String getStringValue() {
      return new String(value, UTF_8);
    }
  }
}
