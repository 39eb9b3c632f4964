package org.medledger.portal.application.casefile;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.TreatmentService.TreatmentView;
import org.medledger.portal.application.cover.TreatmentCover;

/**
 * The heading from the treatment's cover (docs/protocol.md §Cover), which the view already read
 * with the member's own key: the reason for the visit as title and the patient's name and birth
 * date. A treatment whose doctor has not written the cover yet (or an older one without a cover)
 * is named as the pages name it until then, "Treatment with Dr. Claire Dubois", without a patient.
 */
@ApplicationScoped
public class CoverHeading implements TreatmentHeading {
  @Override
  public CaseFile.Heading headingOf(Actor actor, TreatmentView treatment) {
    TreatmentCover cover = treatment.cover();
    if (cover == null) {
      String doctor = treatment.doctorName();
      return new CaseFile.Heading(doctor.isBlank() ? "Treatment" : "Treatment with " + doctor, Optional.empty());
    }
    return new CaseFile.Heading(cover.title(),
        Optional.of(new CaseFile.Patient(cover.patientName(), Optional.ofNullable(cover.birthDate()))));
  }
}
