package org.medledger.portal.application.notify;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.cover.Covers;

/**
 * The treatments' names as each user knows them: the heading of the cover read with the user's
 * own key ({@link Covers#of}), so that the notifications say in which treatment something
 * happened. The cover is medical data: it is kept in memory only, per (user, treatment), never
 * persisted, serialized or logged; bounded (least recently used out first) and dropped when
 * the user logs out. Only covers found are kept — a cover never changes once it exists — so a
 * treatment whose cover is not known yet is read again next time.
 *
 * <p>The push (which runs without anybody's key) can only use what the user's own pages read
 * before: {@link #known}. A user's name for a treatment never goes to anybody else.
 */
@ApplicationScoped
public class TreatmentNames {
  static final int MAX = 10_000;

  @Inject Covers covers;

  /** "user NUL κ0" → heading; access order, for the bound. */
  private final LinkedHashMap<String, String> headings = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > MAX;
    }
  };

  /** The heading of treatment {@code kappa0Hex} as {@code viewer} reads it, or empty while they cannot. */
  public Optional<String> of(Actor viewer, String kappa0Hex) {
    Optional<String> k = known(viewer.username(), kappa0Hex);
    if (k.isPresent()) return k;
    Optional<String> h = covers.of(viewer, kappa0Hex).map(c -> c.heading());
    h.ifPresent(v -> remember(viewer.username(), kappa0Hex, v));
    return h;
  }

  /** What {@code username}'s own reads found for the treatment, without reading anything. */
  public Optional<String> known(String username, String kappa0Hex) {
    if (username == null || kappa0Hex == null) return Optional.empty();
    synchronized (headings) {
      return Optional.ofNullable(headings.get(key(username, kappa0Hex)));
    }
  }

  void remember(String username, String kappa0Hex, String heading) {
    synchronized (headings) {
      headings.put(key(username, kappa0Hex), heading);
    }
  }

  /** Forgets every name {@code username} read (at logout). */
  public void forget(String username) {
    if (username == null) return;
    String prefix = username + '\0';
    synchronized (headings) {
      for (Iterator<String> i = headings.keySet().iterator(); i.hasNext();) {
        if (i.next().startsWith(prefix)) i.remove();
      }
    }
  }

  int size() {
    synchronized (headings) {
      return headings.size();
    }
  }

  private static String key(String username, String kappa0Hex) {
    return username + '\0' + kappa0Hex;
  }
}
