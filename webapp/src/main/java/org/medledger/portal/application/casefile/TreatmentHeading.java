package org.medledger.portal.application.casefile;

import org.medledger.portal.application.Actor;
import org.medledger.portal.application.TreatmentService.TreatmentView;

/**
 * A treatment's title and its patient's identity, as {@code actor} (a member) may read them.
 *
 * <p>Where they come from is not the case file's business: {@link CoverHeading} reads them from
 * the treatment's encrypted cover; the page and the PDF only use the heading.
 */
public interface TreatmentHeading {
  /**
   * @param actor the reader, already known to be a member (the view was made for them)
   * @param treatment the treatment as the reader sees it
   */
  CaseFile.Heading headingOf(Actor actor, TreatmentView treatment);
}
