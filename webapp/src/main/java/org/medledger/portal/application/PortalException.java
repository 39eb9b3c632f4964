package org.medledger.portal.application;

/** A failure the user caused or can act on; its message is shown as is. Nothing was changed. */
public class PortalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PortalException(String message) {
    super(message);
  }

  public PortalException(String message, Throwable cause) {
    super(message, cause);
  }
}
