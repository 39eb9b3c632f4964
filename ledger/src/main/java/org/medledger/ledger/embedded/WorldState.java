package org.medledger.ledger.embedded;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.medledger.ledger.embedded.BlockCodec.Write;

/**
 * The committed world state (key → value), ordered like Fabric's LevelDB state database: by the
 * UTF-8 bytes of the key, which is Unicode code point order (not Java's UTF-16 order).
 *
 * <p>Only the committer thread writes, under the write lock, once a block is on disk; evaluations
 * read under the read lock and so never see half a block.
 */
final class WorldState {

  /** Code point order = UTF-8 byte order. */
  static final Comparator<String> KEY_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  };

  /** A read-only view of state used by a transaction's stub. */
  interface View {
    /** The value, or null when absent. */
    byte[] get(String key);

    /** Entries with {@code start <= key < end}; {@code end == null} means unbounded. */
    List<Map.Entry<String, byte[]>> range(String start, String end);

    /**
     * The same entries, possibly read lazily: a range query that stops early (the directory
     * search takes a page, not the whole index) then costs only what it read. Lazy only over
     * committed state, which evaluate reads under the read lock.
     */
    default Iterable<Map.Entry<String, byte[]>> scan(String start, String end) {
      return range(start, end);
    }
  }

  private final TreeMap<String, byte[]> map = new TreeMap<>(KEY_ORDER);
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** The committed state itself as a view (callers take the lock when not the committer). */
  final View committed = new View() {
    @Override
    public byte[] get(String key) {
      return map.get(key);
    }

    @Override
    public List<Map.Entry<String, byte[]>> range(String start, String end) {
      return new ArrayList<>(slice(map, start, end).entrySet());
    }

    @Override
    public Iterable<Map.Entry<String, byte[]>> scan(String start, String end) {
      return Collections.unmodifiableSet(slice(map, start, end).entrySet());
    }
  };

  void apply(List<Write> writes) {
    for (Write w : writes) {
      if (w.isDelete()) {
        map.remove(w.key());
      } else {
        map.put(w.key(), w.value());
      }
    }
  }

  int size() {
    return map.size();
  }

  static NavigableMap<String, byte[]> slice(NavigableMap<String, byte[]> m, String start,
      String end) {
    return end == null ? m.tailMap(start, true) : m.subMap(start, true, end, false);
  }

  /**
   * The state as the next transaction of a block in progress sees it: committed state plus the
   * writes of the transactions executed before it in the same block.
   */
  static final class Overlay implements View {
    private static final byte[] DELETED = new byte[0];
    private final View base;
    private final TreeMap<String, byte[]> pending = new TreeMap<>(KEY_ORDER);

    Overlay(View base) {
      this.base = base;
    }

    void add(List<Write> writes) {
      for (Write w : writes) {
        pending.put(w.key(), w.isDelete() ? DELETED : w.value());
      }
    }

    void clear() {
      pending.clear();
    }

    @Override
    public byte[] get(String key) {
      byte[] v = pending.get(key);
      if (v == null) {
        return base.get(key);
      }
      return v == DELETED ? null : v;
    }

    @Override
    public List<Map.Entry<String, byte[]>> range(String start, String end) {
      List<Map.Entry<String, byte[]>> committed = base.range(start, end);
      if (pending.isEmpty()) {
        return committed;
      }
      NavigableMap<String, byte[]> mine = slice(pending, start, end);
      if (mine.isEmpty()) {
        return committed;
      }
      List<Map.Entry<String, byte[]>> out = new ArrayList<>(committed.size() + mine.size());
      Iterator<Map.Entry<String, byte[]>> a = committed.iterator();
      Iterator<Map.Entry<String, byte[]>> b = mine.entrySet().iterator();
      Map.Entry<String, byte[]> x = a.hasNext() ? a.next() : null;
      Map.Entry<String, byte[]> y = b.hasNext() ? b.next() : null;
      while (x != null || y != null) {
        int c = x == null ? 1 : y == null ? -1 : KEY_ORDER.compare(x.getKey(), y.getKey());
        if (c < 0) {
          out.add(x);
          x = a.hasNext() ? a.next() : null;
        } else {
          if (y.getValue() != DELETED) {
            out.add(Map.entry(y.getKey(), y.getValue()));
          }
          if (c == 0) {
            x = a.hasNext() ? a.next() : null;
          }
          y = b.hasNext() ? b.next() : null;
        }
      }
      return out;
    }
  }
}
