package org.medledger.chaincode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A map-backed world state with Fabric's composite-key layout and one event per transaction. */
final class InMemoryWorldState implements WorldState {
  final TreeMap<String, byte[]> committed = new TreeMap<>();
  private final TreeMap<String, byte[]> writes = new TreeMap<>();
  /** The keys the current transaction read by {@link #get} (Fabric's read set, for MVCC checks). */
  final java.util.TreeSet<String> reads = new java.util.TreeSet<>();
  /**
   * Keys some transaction read more than once: on Fabric each read is a GetState round trip from
   * the chaincode server to its peer, and a second read of a key returns the same value.
   */
  final java.util.TreeSet<String> readTwice = new java.util.TreeSet<>();
  /** Between {@link #begin} and {@link #commit}: the tests' own reads outside are not a Store's. */
  private boolean inTransaction;
  String eventName;
  byte[] eventPayload;
  private long tx;
  /** Milliseconds the clock advances per transaction (0: the next one has the same time). */
  long clockStep = 1;
  private long clock = 1_700_000_000_000L;

  /** Starts a transaction; reads see committed state only, as on Fabric. */
  void begin() {
    writes.clear();
    reads.clear();
    eventName = null;
    eventPayload = null;
    tx++;
    clock += clockStep;
    inTransaction = true;
  }

  /** The keys the current transaction wrote so far (Fabric's write set). */
  java.util.Set<String> writeSet() {
    return new java.util.TreeSet<>(writes.keySet());
  }

  /** Drops the current transaction's writes, as Fabric does for an invalid transaction. */
  void abort() {
    writes.clear();
  }

  void commit() {
    inTransaction = false;
    committed.putAll(writes);
    writes.clear();
  }

  @Override
  public byte[] get(String key) {
    if (!reads.add(key) && inTransaction) readTwice.add(key);
    return committed.get(key);
  }

  @Override
  public void put(String key, byte[] value) {
    writes.put(key, value);
  }

  @Override
  public String compositeKey(String objectType, String... attributes) {
    StringBuilder sb = new StringBuilder("\u0000").append(objectType).append('\u0000');
    for (String a : attributes) sb.append(a).append('\u0000');
    return sb.toString();
  }

  @Override
  public List<Map.Entry<String, byte[]>> byPartialKey(String objectType, String... attributes) {
    String prefix = compositeKey(objectType, attributes);
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    for (var e : committed.tailMap(prefix, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) break;
      out.add(Map.entry(e.getKey(), e.getValue()));
    }
    return out;
  }

  @Override
  public List<Map.Entry<String, byte[]>> range(String start, String end, int limit) {
    if (start.startsWith("\u0000") || end.startsWith("\u0000")) {
      throw new IllegalArgumentException("range of composite keys (Fabric refuses them in GetStateByRange)");
    }
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    for (var e : committed.subMap(start, true, end, false).entrySet()) {
      if (out.size() == limit) break;
      out.add(Map.entry(e.getKey(), e.getValue()));
    }
    return out;
  }

  @Override
  public List<String> attributesOf(String compositeKey) {
    String[] parts = compositeKey.substring(1).split("\u0000");
    return Arrays.asList(parts).subList(1, parts.length);
  }

  @Override
  public String transactionId() {
    return String.format("%064x", tx);
  }

  @Override
  public Instant transactionTime() {
    return Instant.ofEpochMilli(clock);
  }

  @Override
  public void setEvent(String name, byte[] payload) {
    eventName = name;
    eventPayload = payload;
  }
}
