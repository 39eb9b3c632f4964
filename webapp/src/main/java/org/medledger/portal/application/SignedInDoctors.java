package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The unlocked {@link Actor}s of the doctors logged in right now, one per open session, so the
 * ledger event handler can build a treatment's key the moment its last answer arrives (issue
 * 13). Memory only, like the session that owns each actor: an actor is added at login, removed
 * when its session logs out or ends (which also wipes its σ), and nothing here is persisted,
 * serialized or logged. The registry never closes an actor; only its session does.
 */
@ApplicationScoped
public class SignedInDoctors {
  private final Map<String, Set<Actor>> byUsername = new ConcurrentHashMap<>();

  /** Remembers {@code a} if it is a doctor's; other roles never build keys. */
  public void add(Actor a) {
    if (a == null || a.role() != org.medledger.core.record.Role.DOCTOR) return;
    byUsername.computeIfAbsent(a.username(), u -> ConcurrentHashMap.newKeySet()).add(a);
  }

  public void remove(Actor a) {
    if (a == null) return;
    byUsername.computeIfPresent(a.username(), (u, set) -> {
      set.remove(a);
      return set.isEmpty() ? null : set;
    });
  }

  /** The doctor's unlocked actors (any one will do), or none when they are not logged in. */
  public List<Actor> of(String username) {
    Set<Actor> set = username == null ? null : byUsername.get(username);
    return set == null ? List.of() : List.copyOf(set);
  }
}
