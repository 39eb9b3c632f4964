package org.medledger.portal.infrastructure.persistence;

/**
 * Where a registration stands. AWAITING: a professional's sign-up without an
 * invitation; σ is wrapped and kept, no certificate exists, the institution's administrator has
 * not decided; it cannot log in. APPROVED: the administrator vouched for it (name and
 * institution as they confirmed them); the certificate is issued and the registration written at
 * the owner's next login, the first moment σ is at hand. Then: PENDING: the account row (and its wrapped σ) is on disk but the
 * ledger may not have the registration yet; it cannot log in, is not looked up, and keeps its
 * user name. ACTIVE: complete. Rows written before this column existed hold null, read as ACTIVE.
 */
public enum AccountStatus {
  PENDING,
  ACTIVE,
  AWAITING,
  APPROVED
}
