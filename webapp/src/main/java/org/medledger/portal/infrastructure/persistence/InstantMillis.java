package org.medledger.portal.infrastructure.persistence;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.time.Instant;

/** Stores instants as epoch milliseconds (BIGINT), the same on H2 2.x and PostgreSQL. */
@Converter(autoApply = true)
public class InstantMillis implements AttributeConverter<Instant, Long> {
  @Override
  public Long convertToDatabaseColumn(Instant v) {
    return v == null ? null : v.toEpochMilli();
  }

  @Override
  public Instant convertToEntityAttribute(Long v) {
    return v == null ? null : Instant.ofEpochMilli(v);
  }
}
