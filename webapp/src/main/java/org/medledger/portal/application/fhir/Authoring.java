package org.medledger.portal.application.fhir;

import java.time.Instant;
import org.medledger.core.record.Role;

/**
 * Who a record is about and who writes it, as the resource names them. People are named by
 * their per-treatment index (an identifier only the treatment's members can resolve) and by the
 * name the writer's page shows; the resource travels encrypted like every record.
 *
 * @param patientName the name from the treatment's cover, or null while it is not known
 */
public record Authoring(String patientId, String patientName, String authorId, String authorName, String institution,
    Role role, Instant time) {
  /** The identifier system of a member's per-treatment index (docs/protocol.md §Content of a record). */
  public static final String MEMBER_SYSTEM = "urn:medledger:member";
}
