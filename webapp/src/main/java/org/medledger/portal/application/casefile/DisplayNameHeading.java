package org.medledger.portal.application.casefile;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.TreatmentService.TreatmentView;

/**
 * The heading from what treatments carry today: the name the treatment and dashboard pages give
 * a treatment ("Treatment with Dr. Claire Dubois"; the opening day is shown beside it) and no
 * patient identity, which is not on the ledger yet. To be replaced by the reading of the
 * treatment's encrypted cover (see {@link TreatmentHeading}).
 */
@ApplicationScoped
public class DisplayNameHeading implements TreatmentHeading {
  @Override
  public CaseFile.Heading headingOf(Actor actor, TreatmentView treatment) {
    String doctor = treatment.doctorName();
    return new CaseFile.Heading(doctor.isBlank() ? "Treatment" : "Treatment with " + doctor, Optional.empty());
  }
}
