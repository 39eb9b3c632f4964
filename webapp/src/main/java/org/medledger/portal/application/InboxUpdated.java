package org.medledger.portal.application;

/**
 * Fired (asynchronously) after an inbox row was written for a local account: the record's type
 * label, its treatment (κ0) and the record itself (κ), all hex.
 */
public record InboxUpdated(String username, String recordType, String kappa0Hex, String recordKappaHex) {}
