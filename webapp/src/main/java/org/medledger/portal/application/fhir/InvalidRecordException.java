package org.medledger.portal.application.fhir;

import org.medledger.portal.application.PortalException;

/** A structured record that is not stored: {@code field} is the form field or FHIR element at fault. */
public class InvalidRecordException extends PortalException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public InvalidRecordException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
