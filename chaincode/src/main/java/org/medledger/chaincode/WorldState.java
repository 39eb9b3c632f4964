package org.medledger.chaincode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The part of a chaincode stub the rules need. The contract adapts Fabric's stub to it; tests
 * use an in-memory map. Keys of indexes are composite keys built by {@link #compositeKey}.
 */
public interface WorldState {
  byte[] get(String key);

  void put(String key, byte[] value);

  String compositeKey(String objectType, String... attributes);

  /** Entries whose composite key starts with objectType + attributes, in key order. */
  List<Map.Entry<String, byte[]>> byPartialKey(String objectType, String... attributes);

  /**
   * At most {@code limit} entries of plain keys with {@code start <= key < end}, in key order
   * (Fabric's GetStateByRange, read lazily and closed early, so a long range costs no more than
   * the entries taken).
   */
  List<Map.Entry<String, byte[]>> range(String start, String end, int limit);

  /** Splits a composite key into its attributes (without the object type). */
  List<String> attributesOf(String compositeKey);

  String transactionId();

  Instant transactionTime();

  /** Sets the transaction's single chaincode event. */
  void setEvent(String name, byte[] payload);
}
