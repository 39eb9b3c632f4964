package org.medledger.portal.application.fhir;

/**
 * A record as people read it: {@code title} for the timeline ("Prescription"), {@code text} in
 * lines ("Medication: Amoxicillin 500 mg capsule (J01CA04)"), and {@code kind} the FHIR resource
 * type, or null for text.
 */
public record Readable(String kind, String title, String text) {}
