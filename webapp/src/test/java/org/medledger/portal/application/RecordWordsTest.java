package org.medledger.portal.application;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.RecordType;

/** Issue 13: record types reach the pages only as people's words, from one bundle. */
class RecordWordsTest {
  private static final List<RecordType> IN_A_TREATMENT =
      List.of(RecordType.TXTC, RecordType.TXTR, RecordType.TXD, RecordType.TXM, RecordType.TXA, RecordType.TXK);

  @Test
  void everyRecordOfATreatmentHasPlainWords() {
    assertThat(RecordWords.title(RecordType.TXTC)).isEqualTo("Treatment opened");
    assertThat(RecordWords.title(RecordType.TXTR)).isEqualTo("Accepted the invitation");
    assertThat(RecordWords.title(RecordType.TXD)).isEqualTo("Diagnosis");
    assertThat(RecordWords.title(RecordType.TXM)).isEqualTo("Dispensing");
    assertThat(RecordWords.title(RecordType.TXA)).isEqualTo("Insurance decision");
    assertThat(RecordWords.title(RecordType.TXK)).isEqualTo("Treatment key ready");
    assertThat(RecordWords.write(RecordType.TXD)).isEqualTo("New diagnosis");
    // The cover (the doctor's txd number 0, docs/protocol.md §Cover) is not a diagnosis.
    assertThat(RecordWords.title(RecordType.COVER)).isEqualTo("Treatment details");
    // A structured record is titled by what it is (docs/protocol.md §Content of a record).
    assertThat(RecordWords.kind("MedicationRequest", RecordType.TXD)).isEqualTo("Prescription");
    assertThat(RecordWords.kind("Condition", RecordType.TXD)).isEqualTo("Diagnosis");
    assertThat(RecordWords.kind("ClaimResponse", RecordType.TXA)).isEqualTo("Insurance decision");
    assertThat(RecordWords.kind("Procedure", RecordType.TXD)).isEqualTo("Procedure");
    assertThat(RecordWords.kind("AllergyIntolerance", RecordType.TXD)).as("no word of its own: the record type's").isEqualTo("Diagnosis");
    for (RecordType t : IN_A_TREATMENT) {
      for (String words : List.of(RecordWords.title(t), RecordWords.notice(t.label()))) {
        assertThat(words).isNotBlank().doesNotContainIgnoringCase(t.label()).doesNotContain("κ");
      }
    }
  }

  @Test
  void anUnknownTypeIsStillWords() {
    assertThat(RecordWords.notice("something-new")).isEqualTo("Something new in a treatment");
    assertThat(RecordWords.title(null)).isEqualTo("Record");
    assertThat(RecordWords.write(null)).isEmpty();
  }

  @Test
  void organisationsAreNamedNotByTheirLedgerId() {
    assertThat(DirectoryService.organisationName("HospitalMSP")).isEqualTo("Hospital");
    assertThat(DirectoryService.organisationName("LawFirmMSP")).isEqualTo("Law firm");
    assertThat(DirectoryService.organisationName("Org1MSP")).isEqualTo("Org1");
    assertThat(DirectoryService.organisationName(null)).isEmpty();
  }
}
