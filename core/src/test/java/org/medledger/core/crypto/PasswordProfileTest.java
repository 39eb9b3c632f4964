package org.medledger.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.medledger.core.testing.DeterministicRandom;

/** RFC 8265 OpaqueString before Argon2id: known answers and the refusals docs/protocol.md lists. */
class PasswordProfileTest {
  private static final String NFD = "Ame\u0301lie 2019 cafe\u0301"; // "e" + COMBINING ACUTE ACCENT, twice
  private static final String NFC = "Am\u00e9lie 2019 caf\u00e9";

  private static String enforce(String s) {
    return new String(PasswordProfile.opaqueString(s.toCharArray()));
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(PasswordProfile.utf8(s.toCharArray()));
  }

  @Test
  void nfdInputBecomesTheFixedNfcBytes() {
    // Known answer: the bytes Argon2id receives for the NFD spelling.
    assertThat(hex(NFD)).isEqualTo("416dc3a96c6965203230313920636166c3a9");
    assertThat(hex(NFC)).isEqualTo(hex(NFD));
    assertThat(enforce(NFD)).isEqualTo(NFC);
  }

  @Test
  void nonAsciiSpacesBecomeU0020AndNothingElseIsFolded() {
    assertThat(enforce("correct\u00a0horse")).isEqualTo("correct horse"); // NO-BREAK SPACE
    assertThat(enforce("correct\u3000horse\u2003!")).isEqualTo("correct horse !"); // IDEOGRAPHIC, EM SPACE
    assertThat(hex("a\u00a0b")).isEqualTo("612062");
    // No case mapping and no width mapping: these stay different passwords.
    assertThat(enforce("Password")).isEqualTo("Password");
    assertThat(enforce("\uff30assword")).isEqualTo("\uff30assword"); // FULLWIDTH LATIN CAPITAL P
    assertThat(enforce("ﬁne")).isEqualTo("ﬁne"); // the ligature has a compatibility mapping; NFC keeps it
    assertThat(enforce("pass 😀 word")).isEqualTo("pass 😀 word");
    assertThat(enforce("s\u00df")).isEqualTo("s\u00df");
  }

  @Test
  void asciiPasswordsAreUnchanged() {
    String all = new StringBuilder().appendCodePoint(0x20).toString()
        + java.util.stream.IntStream.rangeClosed(0x21, 0x7e).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
    assertThat(enforce(all)).isEqualTo(all);
    assertThat(enforce("correct horse battery staple")).isEqualTo("correct horse battery staple");
  }

  @Test
  void refusedCodePointsGetAClearMessage() {
    assertThatThrownBy(() -> enforce("pass\u0007word")).isInstanceOf(InvalidPasswordException.class)
        .hasMessage("The password contains a control character (U+0007, character 5), which passwords may not contain.");
    assertThatThrownBy(() -> enforce("tab\there")).hasMessageContaining("a control character (U+0009");
    assertThatThrownBy(() -> enforce("pass\u0085")).hasMessageContaining("a control character (U+0085");
    assertThatThrownBy(() -> enforce("soft\u00adhyphen")).hasMessageContaining("an invisible character (U+00AD");
    assertThatThrownBy(() -> enforce("zero\u200bwidth")).hasMessageContaining("an invisible character (U+200B");
    assertThatThrownBy(() -> enforce("join\u200dme")).hasMessageContaining("an invisible joiner (U+200D");
    assertThatThrownBy(() -> enforce("bom\ufeff")).hasMessageContaining("(U+FEFF");
    assertThatThrownBy(() -> enforce("line\u2028break")).hasMessageContaining("a line or paragraph separator (U+2028");
    assertThatThrownBy(() -> enforce("private\ue000")).hasMessageContaining("a private-use character (U+E000");
    assertThatThrownBy(() -> enforce("unassigned\u0378")).hasMessageContaining("an unassigned code point (U+0378");
    assertThatThrownBy(() -> enforce("nonchar\ufdd0")).hasMessageContaining("an unassigned code point (U+FDD0");
    assertThatThrownBy(() -> enforce("lone\ud800")).hasMessageContaining("broken character pair (U+D800");
    assertThatThrownBy(() -> enforce("tatweel\u0640")).hasMessageContaining("(U+0640");
    assertThatThrownBy(() -> enforce("")).hasMessage("The password must not be empty.");
    assertThatThrownBy(() -> PasswordProfile.opaqueString(null)).hasMessage("The password must not be empty.");
  }

  @Test
  void contextualCodePointsFollowRfc5892() {
    assertThat(enforce("col\u00b7legi")).isEqualTo("col\u00b7legi"); // Catalan l·l
    assertThatThrownBy(() -> enforce("a\u00b7b")).hasMessageContaining("particular context (U+00B7");
    assertThat(enforce("\u0660\u0661\u0662x")).isEqualTo("\u0660\u0661\u0662x");
    assertThatThrownBy(() -> enforce("\u0660\u06f1")).hasMessageContaining("two kinds");
    assertThat(enforce("\u30ab\u30fb\u30ab")).isEqualTo("\u30ab\u30fb\u30ab");
    assertThatThrownBy(() -> enforce("ab\u30fbcd")).hasMessageContaining("(U+30FB");
  }

  /** The examples table of docs/protocol.md §Password normalisation, row by row. */
  @Test
  void theDocumentedExamples() {
    assertThat(hex("correct horse battery staple"))
        .isEqualTo("636f727265637420686f727365206261747465727920737461706c65");
    assertThat(hex(" pw ")).as("spaces are neither trimmed nor collapsed").isEqualTo("20707720");
    assertThat(hex("a  b")).isEqualTo("61202062");
    assertThat(hex("pass\u3000word")).as("IDEOGRAPHIC SPACE").isEqualTo("7061737320776f7264");
    assertThat(hex("\u212b")).as("ANGSTROM SIGN: NFC maps it to U+00C5").isEqualTo("c385");
    assertThat(hex("A\u030a")).as("A + COMBINING RING ABOVE").isEqualTo("c385");
    assertThat(hex("\u2126")).as("OHM SIGN: NFC maps it to U+03A9").isEqualTo("cea9");
    assertThat(hex("\uff30assword")).as("FULLWIDTH P stays").isEqualTo("efbcb0617373776f7264");
    assertThat(hex("\ufb01ne")).as("the ligature fi stays").isEqualTo("efac816e65");
    assertThat(hex("Password")).isNotEqualTo(hex("password"));
    assertThat(hex("\ud83d\ude00")).as("an emoji, as one code point").isEqualTo("f09f9880");
    // The check applies to the password as typed, before NFC: conjoining jamo are refused even
    // where NFC would compose them into a precomposed syllable that is allowed.
    assertThatThrownBy(() -> enforce("\u1100\u1161")).hasMessageContaining("an old Hangul jamo (U+1100, character 1)");
    assertThat(hex("\uac00")).isEqualTo("eab080");
    assertThatThrownBy(() -> enforce("pass\r\nword")).hasMessageContaining("a control character (U+000D, character 5)");
  }

  @Test
  void theNfdSpellingUnlocksTheSigmaWrappedUnderTheNfcOne() {
    DeterministicRandom random = new DeterministicRandom("opaque-string");
    try (UserSecret s = UserSecret.generate(random)) {
      byte[] w = PasswordWrap.wrap(s, NFC.toCharArray(), Argon2Params.TEST_ONLY, random);
      try (UserSecret back = PasswordWrap.unwrap(w, NFD.toCharArray())) {
        assertThat(back.signingKeyPair().publicKey()).isEqualTo(s.signingKeyPair().publicKey());
      }
      byte[] w2 = PasswordWrap.wrap(s, "correct\u00a0horse".toCharArray(), Argon2Params.TEST_ONLY, random);
      try (UserSecret back = PasswordWrap.unwrap(w2, "correct horse".toCharArray())) {
        assertThat(back.signingKeyPair().publicKey()).isEqualTo(s.signingKeyPair().publicKey());
      }
      assertThatThrownBy(() -> PasswordWrap.unwrap(w, "Am\u00e9lie 2019 cafe".toCharArray())).isInstanceOf(WrongPasswordException.class);
      assertThatThrownBy(() -> PasswordWrap.unwrap(w, "x\u0007".toCharArray())).isInstanceOf(InvalidPasswordException.class);
    }
  }
}
