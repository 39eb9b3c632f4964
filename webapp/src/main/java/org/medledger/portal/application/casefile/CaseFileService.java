package org.medledger.portal.application.casefile;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.ZoneId;
import org.medledger.core.record.Role;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.application.TreatmentService.MemberView;
import org.medledger.portal.application.TreatmentService.TreatmentView;

/**
 * Makes a treatment's case file for one of its members: the page shows it, the PDF download
 * renders it. Membership is checked by {@link TreatmentService#view}, the same check as every
 * treatment page: anyone else gets a {@link PortalException} and nothing of the treatment.
 */
@ApplicationScoped
public class CaseFileService {
  @Inject TreatmentService treatments;
  @Inject TreatmentHeading headings;

  private final Clock clock = Clock.systemUTC();

  /**
   * @param zone the reader's time zone (the one their browser reports)
   * @throws PortalException not a treatment address, no such treatment, or not a member
   */
  public CaseFile caseFile(Actor reader, String kappa0Hex, ZoneId zone) {
    TreatmentView v = treatments.view(reader, kappa0Hex, true);
    String patient = v.members().stream().filter(m -> m.role() == Role.PATIENT).map(MemberView::name).findFirst()
        .orElse("");
    CaseFile.PrintedBy by = new CaseFile.PrintedBy(reader.displayName(), reader.role().title(), reader.institution());
    return new CaseFile(v.kappa0Hex(), headings.headingOf(reader, v), patient, v.openedAt(), by, clock.instant(), zone,
        v.records());
  }
}
