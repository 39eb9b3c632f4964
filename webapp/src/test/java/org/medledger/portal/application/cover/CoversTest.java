package org.medledger.portal.application.cover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentIdentities;
import org.medledger.core.record.Consent;
import org.medledger.core.record.Cover;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;
import org.medledger.portal.application.PortalException;

/** The page's fields become a cover, or a message naming the field; the QR text carries it after a dot. */
class CoversTest {
  private final SecureRandom random = new SecureRandom();
  private final UserSecret patient = UserSecret.generate(random);
  private final byte[] vkR = UserSecret.generate(random).signingKeyPair().publicKey();
  private final Consent consent = TreatmentIdentities.consent(patient, List.of(vkR), List.of(), List.of(), List.of(),
      ParticipantIndex.of(UserSecret.generate(random).signingKeyPair().publicKey()), random);

  @Test
  void theFieldsBecomeACoverNamingTheFamilyByTheirIndexInTheTreatment() {
    Cover c = Covers.cover(consent, List.of(vkR),
        new CoverRequest("  Chest pain ", "Anna Example", LocalDate.of(1980, 3, 3), List.of("", " Ben Example ")));
    assertThat(c.title()).isEqualTo("Chest pain");
    assertThat(c.family()).containsEntry(ParticipantIndex.of(consent.familyKeys().get(0)), "Ben Example").hasSize(1);
    assertThat(Covers.pseudonymName(ParticipantIndex.of(consent.familyKeys().get(0)), Role.FAMILY,
        TreatmentCover.of(c, true))).isEqualTo("Ben Example");
    assertThat(Covers.pseudonymName(1L, Role.FAMILY, null)).isEqualTo("A family member");
    assertThat(Covers.pseudonymName(1L, Role.PATIENT, null)).isEqualTo("The patient");
    assertThat(TreatmentCover.of(c, true).patientLine()).isEqualTo("Anna Example, born 3 March 1980");
    assertThat(TreatmentCover.of(c, true).heading()).isEqualTo("Chest pain — Anna Example");
  }

  @Test
  void badFieldsAreNamed() {
    assertThatThrownBy(() -> Covers.cover(consent, List.of(vkR), new CoverRequest(null, "Anna", null, List.of("Ben"))))
        .isInstanceOf(PortalException.class).hasMessage("Reason for the visit is required.");
    assertThatThrownBy(() -> Covers.cover(consent, List.of(vkR), new CoverRequest("T", "", null, List.of("Ben"))))
        .hasMessage("Your name is required.");
    assertThatThrownBy(() -> Covers.cover(consent, List.of(vkR), new CoverRequest("T", "Anna", LocalDate.now().plusDays(1),
        List.of("Ben")))).hasMessage("Birth date lies in the future.");
    assertThatThrownBy(() -> Covers.cover(consent, List.of(vkR), new CoverRequest("T", "Anna", null, List.of())))
        .hasMessageStartingWith("Family members' names").hasMessageContaining("1 card, 0 names");
    assertThatThrownBy(() -> Covers.cover(consent, List.of(vkR), new CoverRequest("T", "A".repeat(101), null, List.of("Ben"))))
        .hasMessage("Your name is 101 bytes long; the limit is 100.");
    assertThatThrownBy(() -> Covers.cover(consent, List.of(vkR), new CoverRequest("T", "Anna", null, List.of("Ben\u202e"))))
        .hasMessage("A family member's name contains a control character.");
  }

  @Test
  void theQrTextCarriesTheSealedCoverAfterADot() {
    String text = ConsentCode.withCover("medledger-consent:1:AAAA", new byte[] {1, 2, 3});
    assertThat(text).isEqualTo("medledger-consent:1:AAAA.AQID");
    assertThat(ConsentCode.consentPart(text)).isEqualTo("medledger-consent:1:AAAA");
    assertThat(ConsentCode.coverPart(text)).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
    assertThat(ConsentCode.coverPart("medledger-consent:1:AAAA")).isEmpty();
    assertThat(ConsentCode.coverPart("medledger-consent:1:AAAA.%%%")).isEmpty();
  }
}
