package org.medledger.portal.application.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The chaincode's refusals of emergency access, as the doctor reads them: no rule number, no index. */
class EmergencyWordsTest {
  @Test
  void theLimitsAreSaidInWords() {
    assertThat(EmergencyService.plain("R13: doctor 1a2b3c4d5e6f7081 has asked for emergency access 3 times in the last 24 "
        + "hours; the limit is 3"))
        .isEqualTo("You have asked for emergency access 3 times in the last 24 hours, the most allowed. "
            + "Please contact the patient's doctors.")
        .doesNotContain("1a2b3c4d5e6f7081");
    assertThat(EmergencyService.plain("R13: this treatment was opened in an emergency 3 times in the last 24 hours; the limit is 3"))
        .startsWith("This treatment was opened in an emergency 3 times");
    assertThat(EmergencyService.plain("R13: the patient has not allowed emergency access to this treatment"))
        .isEqualTo("The patient has not allowed emergency access to this treatment.");
  }
}
