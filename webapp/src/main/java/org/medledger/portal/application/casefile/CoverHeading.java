package org.medledger.portal.application.casefile;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.TreatmentService.TreatmentView;
import org.medledger.portal.application.cover.TreatmentCover;

/**
 * The heading from the treatment's encrypted cover, as the member's view already decrypted it:
 * the reason for the visit and the patient's name and birth date. Until the doctor has written
 * the cover, the name the treatment page gives it ("Treatment with Dr. …") and no patient.
 */
@ApplicationScoped
public class CoverHeading implements TreatmentHeading {
  @Override
  public CaseFile.Heading headingOf(Actor actor, TreatmentView treatment) {
    TreatmentCover cover = treatment.cover();
    if (cover == null) return new CaseFile.Heading(treatment.heading(), Optional.empty());
    return new CaseFile.Heading(cover.title(),
        Optional.of(new CaseFile.Patient(cover.patientName(), Optional.ofNullable(cover.birthDate()))));
  }
}
