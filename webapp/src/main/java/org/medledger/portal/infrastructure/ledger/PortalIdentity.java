package org.medledger.portal.infrastructure.ledger;

import org.medledger.ledger.LedgerIdentity;

/** Holder of the portal's identity (a class, so the application-scoped bean can be proxied). */
public class PortalIdentity {
  private final LedgerIdentity identity;

  protected PortalIdentity() {
    this.identity = null;
  }

  public PortalIdentity(LedgerIdentity identity) {
    this.identity = identity;
  }

  public LedgerIdentity get() {
    return identity;
  }
}
