package org.medledger.portal.application.fhir;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.medledger.core.record.RecordContent;
import org.medledger.core.record.Role;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.application.TreatmentService.MemberView;
import org.medledger.portal.application.TreatmentService.RecordView;
import org.medledger.portal.application.TreatmentService.TreatmentView;
import org.medledger.portal.infrastructure.fhir.FhirResources;

/**
 * Structured records (FHIR R4) in a treatment: the page's forms become resources, validated
 * before they are encrypted; the treatment's records become one Bundle for its members
 * (docs/portal.md "The treatment page", docs/protocol.md §Content of a record).
 */
@ApplicationScoped
public class ClinicalRecords {
  @Inject TreatmentService treatments;
  @Inject FhirResources fhir;

  private final Clock clock = Clock.systemUTC();

  /**
   * Stores the form as the writer's next record: its resource, or, when the chosen kind's
   * fields are all empty, the note alone as text (as records were before).
   *
   * @throws InvalidRecordException naming the field at fault; nothing is stored
   */
  public void write(Actor writer, String kappa0Hex, ClinicalForm form) {
    if (form.structuredEmpty()) {
      treatments.write(writer, kappa0Hex, form.getNote());
      return;
    }
    TreatmentView v = treatments.view(writer, kappa0Hex, false);
    treatments.write(writer, kappa0Hex, fhir.build(form, authoring(writer, v)));
  }

  /**
   * Stores a resource written by other health software (JSON): parsed strictly and validated;
   * the portal keeps it as the writer's record.
   */
  public void importResource(Actor writer, String kappa0Hex, String json) {
    treatments.write(writer, kappa0Hex, fhir.importJson(json));
  }

  /** The treatment as a FHIR Bundle (JSON), for one of its members; anyone else gets a PortalException. */
  public String bundle(Actor reader, String kappa0Hex) {
    TreatmentView v = treatments.view(reader, kappa0Hex, false);
    List<FhirResources.ExportedRecord> out = new ArrayList<>();
    for (RecordView r : v.records()) {
      if (r.content() == null || r.cover() || !r.readable()) continue;
      out.add(new FhirResources.ExportedRecord(r.kappaHex(), r.content(), r.senderHex(), r.senderName(), r.time()));
    }
    MemberView patient = patient(v);
    var c = v.cover();
    return c == null
        ? fhir.bundle(v.kappa0Hex(), patient.indexHex(), null, null, null, java.util.Map.of(), out, clock.instant())
        : fhir.bundle(v.kappa0Hex(), patient.indexHex(), c.patientName(), c.birthDate(), c.title(), c.family(), out, clock.instant());
  }

  /**
   * The file attached by record {@code kappaHex} of the treatment, for one of its members;
   * empty when that record holds no file. Anyone else gets a PortalException.
   */
  public java.util.Optional<AttachedFile> attachment(Actor reader, String kappa0Hex, String kappaHex) {
    TreatmentView v = treatments.view(reader, kappa0Hex, false);
    for (RecordView r : v.records()) {
      if (r.content() != null && r.readable() && r.kappaHex().equalsIgnoreCase(kappaHex == null ? "" : kappaHex)) {
        return fhir.attachmentOf(r.content());
      }
    }
    return java.util.Optional.empty();
  }

  /** A record's content as people read it (the timeline, the case file and its PDF). */
  public Readable read(RecordContent c) {
    return fhir.read(c);
  }

  private Authoring authoring(Actor writer, TreatmentView v) {
    MemberView me = v.members().stream().filter(MemberView::me).findFirst().orElseThrow();
    MemberView patient = patient(v);
    return new Authoring(patient.indexHex(), v.cover() != null ? v.cover().patientName() : null, me.indexHex(),
        writer.displayName(), writer.institution(), writer.role(), clock.instant());
  }

  private static MemberView patient(TreatmentView v) {
    return v.members().stream().filter(m -> m.role() == Role.PATIENT).findFirst().orElseThrow();
  }
}
