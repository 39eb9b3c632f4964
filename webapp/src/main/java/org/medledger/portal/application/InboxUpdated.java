package org.medledger.portal.application;

/** Fired (asynchronously) after an inbox row was written for a local account. */
public record InboxUpdated(String username, String recordType, String kappa0Hex) {}
