package org.medledger.portal.security;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.SessionScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import org.medledger.core.record.Role;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.SignedInDoctors;
import org.medledger.portal.application.notify.TreatmentNames;

/**
 * The logged-in user's unlocked σ (inside an {@link Actor}). It lives only here, in memory, for
 * the session: wiped at logout and when the session ends. Not serialized (transient). A
 * doctor's actor is also known to {@link SignedInDoctors} while the session holds it, so keys
 * are built when the last answer arrives; it leaves that registry before it is wiped.
 */
@SessionScoped
@Named("me")
public class UserSession implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject SignedInDoctors doctors;
  @Inject TreatmentNames names;

  private transient Actor actor;

  public void unlocked(Actor a) {
    wipe();
    this.actor = a;
    doctors.add(a);
  }

  public boolean isLoggedIn() {
    return actor != null;
  }

  /** The unlocked participant; pages hand it to services, never look inside. */
  public Actor actor() {
    if (actor == null) throw new IllegalStateException("not logged in");
    return actor;
  }

  public String getUsername() { return actor == null ? null : actor.username(); }
  public String getDisplayName() { return actor == null ? "" : actor.displayName(); }
  public Role getRole() { return actor == null ? null : actor.role(); }
  public String getRoleTitle() { return actor == null ? "" : actor.role().title(); }
  public String getInstitution() { return actor == null ? "" : actor.institution(); }
  public String getIndexHex() { return actor == null ? "" : actor.indexHex(); }
  public boolean isPatient() { return actor != null && actor.role() == Role.PATIENT; }
  public boolean isDoctor() { return actor != null && actor.role() == Role.DOCTOR; }
  public boolean isReader() {
    return actor != null && (actor.role() == Role.LAWYER || actor.role() == Role.FAMILY);
  }

  @PreDestroy
  public void wipe() {
    Actor a = actor;
    actor = null;
    if (a != null) {
      doctors.remove(a);
      names.forget(a.username()); // the treatments' titles this user read, for the notifications
      a.close();
    }
  }
}
