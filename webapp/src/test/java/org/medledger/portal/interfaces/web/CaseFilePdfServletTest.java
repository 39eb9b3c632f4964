package org.medledger.portal.interfaces.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The download's name: ASCII for old browsers, the title as typed in filename*, never a header break. */
class CaseFilePdfServletTest {
  @Test
  void theAttachmentIsNamedAfterTheTreatment() {
    assertThat(CaseFilePdfServlet.disposition("Treatment with Dr. Claire Dubois")).isEqualTo(
        "attachment; filename=\"case-file-treatment-with-dr-claire-dubois.pdf\"; "
            + "filename*=UTF-8''Case%20file%20-%20Treatment%20with%20Dr.%20Claire%20Dubois.pdf");
  }

  @Test
  void anyScriptIsKeptInFilenameStarAndNothingBreaksTheHeader() {
    String d = CaseFilePdfServlet.disposition("Łukasz Ødegård 患者\r\nSet-Cookie: x=\"y\"");
    assertThat(d).startsWith("attachment; filename=\"case-file-ukasz-degard-set-cookie-x-y.pdf\"; filename*=UTF-8''Case%20file%20-%20%C5%81ukasz")
        .doesNotContain("\r").doesNotContain("\n").contains("%E6%82%A3%E8%80%85");
    assertThat(CaseFilePdfServlet.disposition("患者")).startsWith("attachment; filename=\"case-file.pdf\"");
  }
}
