package org.medledger.portal.application.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The treatments' titles kept for the notifications: per user, bounded, gone at logout. */
class TreatmentNamesTest {
  @Test
  void aTitleIsKeptForTheUserWhoReadItOnly() {
    TreatmentNames names = new TreatmentNames();
    names.remember("alice", "k1", "Chest pain — Alice");
    assertThat(names.known("alice", "k1")).contains("Chest pain — Alice");
    assertThat(names.known("bob", "k1")).isEmpty();
    assertThat(names.known("alice", "k2")).isEmpty();
    assertThat(names.known(null, "k1")).isEmpty();
  }

  @Test
  void logoutForgetsEveryTitleOfThatUserAndNoOther() {
    TreatmentNames names = new TreatmentNames();
    names.remember("alice", "k1", "one");
    names.remember("alice", "k2", "two");
    names.remember("alice2", "k1", "other user whose name begins alike");
    names.forget("alice");
    assertThat(names.known("alice", "k1")).isEmpty();
    assertThat(names.known("alice", "k2")).isEmpty();
    assertThat(names.known("alice2", "k1")).contains("other user whose name begins alike");
  }

  @Test
  void theLeastRecentlyUsedTitlesLeaveBeyondTheBound() {
    TreatmentNames names = new TreatmentNames();
    names.remember("u", "first", "kept: read again below");
    names.remember("u", "second", "dropped first");
    for (int i = 0; i < TreatmentNames.MAX - 2; i++) names.remember("u", "k" + i, "t" + i);
    assertThat(names.known("u", "first")).isPresent(); // now the most recently used
    names.remember("u", "one more", "x");
    assertThat(names.size()).isEqualTo(TreatmentNames.MAX);
    assertThat(names.known("u", "second")).isEmpty();
    assertThat(names.known("u", "first")).isPresent();
  }
}
