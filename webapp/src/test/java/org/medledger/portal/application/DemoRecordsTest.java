package org.medledger.portal.application;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;
import org.medledger.core.record.RecordContent;
import org.medledger.portal.application.fhir.Authoring;
import org.medledger.portal.infrastructure.fhir.FhirResources;

/**
 * Every resource the demo writes passes HAPI's full validator (the R4 schemas and the profile
 * validator with the base profiles' invariants and bindings), and so does the treatment's export.
 * The demo's records come from the seeder itself ({@link DemoSeeder#finishedTreatment()}), so a
 * change to the demo is checked here.
 */
class DemoRecordsTest {
  private static final FhirResources FHIR = new FhirResources();
  private static final Instant AT = Instant.parse("2026-03-14T09:30:00Z");

  @Test
  void everyResourceTheDemoWritesIsValidFhirR4AndSoIsItsExport() {
    List<FhirResources.ExportedRecord> stored = new ArrayList<>();
    int n = 0;
    for (DemoSeeder.DemoRecord r : DemoSeeder.finishedTreatment()) {
      Authoring a = new Authoring("8f3a2b1c4d5e6f70", "Alice Martin", "0123456789abcd" + n, "Someone", "Somewhere", r.writer(), AT);
      RecordContent c = FHIR.build(r.form(), a); // refuses anything the validator calls an error
      assertThat(c.isFhirR4()).as("record %d is structured", n).isTrue();
      // what is stored, parsed back as another program would, passes again
      IBaseResource back = FHIR.parse(new String(c.body(), StandardCharsets.UTF_8));
      FHIR.validate(back);
      stored.add(new FhirResources.ExportedRecord(String.format("%064x", n), c, a.authorId(), a.authorName(), AT.plusSeconds(n)));
      n++;
    }
    assertThat(n).isEqualTo(7);
    // the cover as the doctor writes it first (the demo's family member under some index)
    org.medledger.core.record.Cover cover = new org.medledger.core.record.Cover(DemoSeeder.COVER.title(), DemoSeeder.COVER.patientName(),
        DemoSeeder.COVER.birthDate(), java.util.Map.of(0x1234567890abcdefL, DemoSeeder.COVER.familyNames().get(0)));
    RecordContent coverContent = FHIR.cover(cover);
    FHIR.validate(FHIR.parse(new String(coverContent.body(), StandardCharsets.UTF_8)));
    assertThat(FHIR.coverOf(coverContent)).contains(cover);
    String export = FHIR.bundle("ab".repeat(32), "8f3a2b1c4d5e6f70", "Alice Martin", LocalDate.of(1984, 6, 12), stored, AT);
    FHIR.validate(FHIR.parse(export));
  }
}
