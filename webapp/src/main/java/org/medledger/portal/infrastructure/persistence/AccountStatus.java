package org.medledger.portal.infrastructure.persistence;

/**
 * Where a registration stands. PENDING: the account row (and its wrapped σ) is on disk but the
 * ledger may not have the registration yet; it cannot log in, is not looked up, and keeps its
 * user name. ACTIVE: complete. Rows written before this column existed hold null, read as ACTIVE.
 */
public enum AccountStatus {
  PENDING,
  ACTIVE
}
