package org.medledger.portal.application.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.Role;

/**
 * Issue 13: every notification says who did what in which treatment — the treatment by the title
 * its members see ("Acute pain … — Alice Martin") once the viewer knows the cover, by its doctor
 * before — and the doctor's first record, the cover, is announced as the treatment's details,
 * not as a diagnosis.
 */
class NoticeTest {
  private static final String DOCTOR = "Dr. Claire Dubois";
  private static final String HEADING = "Acute pain in the lower right abdomen — Alice Martin";

  @Test
  void eachSentenceNamesTheTreatmentByItsCover() {
    assertThat(new Notice(Notice.Kind.OPENED, Role.PATIENT, DOCTOR, null).sentence(HEADING))
        .isEqualTo("Your treatment with Dr. Claire Dubois was opened: “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.OPENED, Role.DOCTOR, DOCTOR, null).sentence(HEADING))
        .isEqualTo("You opened a treatment: “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.OPENED, Role.PHARMACIST, DOCTOR, null).sentence(HEADING))
        .isEqualTo("Dr. Claire Dubois invited you to a treatment: “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.ANSWERED, Role.DOCTOR, DOCTOR, "Paula Pharma").sentence(HEADING))
        .isEqualTo("Paula Pharma accepted your invitation to “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.DIAGNOSIS, Role.PATIENT, DOCTOR, null).sentence(HEADING))
        .isEqualTo("Dr. Claire Dubois wrote a diagnosis in “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.DETAILS, Role.PHARMACIST, DOCTOR, null).sentence(HEADING))
        .isEqualTo("Dr. Claire Dubois added the treatment's details: “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.DISPENSING, Role.PATIENT, DOCTOR, "Paula Pharma").sentence(HEADING))
        .isEqualTo("Paula Pharma recorded the dispensing in “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.INSURANCE, Role.PATIENT, DOCTOR, "Ivo Insurer").sentence(HEADING))
        .isEqualTo("Ivo Insurer recorded an insurance decision in “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.SET_UP, Role.FAMILY, DOCTOR, null).sentence(HEADING))
        .isEqualTo("Dr. Claire Dubois completed the set-up of “" + HEADING + "”");
  }

  @Test
  void theAccessLogAndEmergencyAccessAreSaidPlainly() {
    assertThat(Notice.Kind.of("access", false)).isEqualTo(Notice.Kind.ACCESS);
    assertThat(Notice.Kind.of("glass", false)).isEqualTo(Notice.Kind.EMERGENCY);
    assertThat(Notice.Kind.of("escrow", false)).isEqualTo(Notice.Kind.EMERGENCY_ALLOWED);
    assertThat(new Notice(Notice.Kind.ACCESS, Role.PATIENT, DOCTOR, "Frank Weber").sentence(HEADING))
        .isEqualTo("Frank Weber looked at the records of “" + HEADING + "”");
    assertThat(new Notice(Notice.Kind.EMERGENCY, Role.FAMILY, DOCTOR, "Dr. Emma Urgent").sentence(null))
        .isEqualTo("Emergency access: Dr. Emma Urgent opened your treatment with Dr. Claire Dubois in an emergency");
    assertThat(new Notice(Notice.Kind.EMERGENCY_ALLOWED, Role.PATIENT, DOCTOR, null).sentence(HEADING))
        .isEqualTo("Emergency access was allowed for “" + HEADING + "”");
  }

  @Test
  void untilTheCoverIsKnownTheTreatmentIsNamedByItsDoctor() {
    assertThat(new Notice(Notice.Kind.OPENED, Role.PATIENT, DOCTOR, null).sentence(null))
        .isEqualTo("Your treatment with Dr. Claire Dubois was opened");
    assertThat(new Notice(Notice.Kind.OPENED, Role.FAMILY, DOCTOR, null).sentence(null))
        .isEqualTo("Dr. Claire Dubois invited you to a treatment");
    assertThat(new Notice(Notice.Kind.DISPENSING, Role.PATIENT, DOCTOR, "Paula Pharma").sentence(null))
        .isEqualTo("Paula Pharma recorded the dispensing in your treatment with Dr. Claire Dubois");
    assertThat(new Notice(Notice.Kind.INSURANCE, Role.PATIENT, DOCTOR, "Ivo Insurer").sentence(null))
        .isEqualTo("Ivo Insurer recorded an insurance decision in your treatment with Dr. Claire Dubois");
    // The doctor is the one who did it: "your treatment" is theirs already.
    assertThat(new Notice(Notice.Kind.DIAGNOSIS, Role.PHARMACIST, DOCTOR, null).sentence(null))
        .isEqualTo("Dr. Claire Dubois wrote a diagnosis in your treatment with them");
    assertThat(new Notice(Notice.Kind.DETAILS, Role.PATIENT, DOCTOR, null).sentence(null))
        .isEqualTo("Dr. Claire Dubois added the details of your treatment with them");
    assertThat(new Notice(Notice.Kind.ANSWERED, Role.DOCTOR, DOCTOR, "The patient").sentence(null))
        .isEqualTo("The patient accepted your invitation to a treatment you opened");
  }

  @Test
  void theCoverIsNeverCalledADiagnosisAndNoSentenceSpeaksTheProtocol() {
    for (Role viewer : Role.values()) {
      for (String heading : java.util.Arrays.asList(HEADING, null)) {
        assertThat(new Notice(Notice.Kind.DETAILS, viewer, DOCTOR, null).sentence(heading))
            .doesNotContain("diagnosis").contains("details");
        for (Notice.Kind k : Notice.Kind.values()) {
          String s = new Notice(k, viewer, DOCTOR, "Paula Pharma").sentence(heading);
          for (String word : List.of("txtc", "txtr", "txd", "txm", "txa", "txk", "κ", "index")) {
            assertThat(s).as(k + " for " + viewer).doesNotContainIgnoringCase(word);
          }
        }
      }
    }
  }

  @Test
  void aRecordTypeAndTheCoverRuleGiveTheKind() {
    assertThat(Notice.Kind.of("txd", false)).isEqualTo(Notice.Kind.DIAGNOSIS);
    assertThat(Notice.Kind.of("txd", true)).isEqualTo(Notice.Kind.DETAILS);
    assertThat(Notice.Kind.of("txtc", false)).isEqualTo(Notice.Kind.OPENED);
    assertThat(Notice.Kind.of("txtr", false)).isEqualTo(Notice.Kind.ANSWERED);
    assertThat(Notice.Kind.of("txm", false)).isEqualTo(Notice.Kind.DISPENSING);
    assertThat(Notice.Kind.of("txa", false)).isEqualTo(Notice.Kind.INSURANCE);
    assertThat(Notice.Kind.of("txk", false)).isEqualTo(Notice.Kind.SET_UP);
    assertThat(Notice.Kind.of("withdrawal", false)).isEqualTo(Notice.Kind.OTHER);
    // Members change mid-treatment (issue 16): in plain words for the patient and for the others.
    assertThat(Notice.Kind.of("change", false)).isEqualTo(Notice.Kind.MEMBERS);
    assertThat(Notice.Kind.of("epoch", false)).isEqualTo(Notice.Kind.LET_IN);
    assertThat(new Notice(Notice.Kind.MEMBERS, Role.PATIENT, DOCTOR, null).sentence(null))
        .isEqualTo("You changed who takes part in your treatment with " + DOCTOR);
    assertThat(new Notice(Notice.Kind.MEMBERS, Role.PHARMACIST, DOCTOR, null).sentence(null))
        .isEqualTo("The patient changed who takes part in a treatment with " + DOCTOR + "; open it to see whether you are invited");
    assertThat(new Notice(Notice.Kind.OTHER, Role.PATIENT, DOCTOR, null).sentence(null))
        .isEqualTo("Something new in your treatment with Dr. Claire Dubois");
  }
}
