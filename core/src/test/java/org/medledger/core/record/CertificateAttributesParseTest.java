package org.medledger.core.record;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The strict reading of Fabric CA's attribute JSON: what the directory shows as vouched for. */
class CertificateAttributesParseTest {
  @Test
  void readsFabricCaAttributesWithEscapes() {
    String json = "{\"attrs\":{\"hf.Affiliation\":\"\",\"hf.EnrollmentID\":\"dr1\",\"medledger.role\":\"doctor\","
        + "\"medledger.name\":\"Dr. Claire \\\"C.\\\" Dubois\",\"medledger.institution\":\"St. Mary\\u0027s Hospital\"}}";
    assertThat(CertificateAttributes.parse(json.getBytes(UTF_8)))
        .containsEntry("medledger.role", "doctor")
        .containsEntry("medledger.name", "Dr. Claire \"C.\" Dubois")
        .containsEntry("medledger.institution", "St. Mary's Hospital")
        .containsEntry("hf.Affiliation", "");
    assertThat(CertificateAttributes.parse(" { \"attrs\" : { } } ".getBytes(UTF_8))).isEmpty();
  }

  @Test
  void refusesWhatIsNotExactlyOneAttributeObject() {
    for (String bad : new String[] {
        "{\"attrs\":{\"medledger.name\":\"A\",\"medledger.name\":\"B\"}}", // repeated: which one was signed?
        "{\"attrs\":{\"a\":\"b\"}}x",
        "{\"attrs\":{\"a\":1}}",
        "{\"attrs\":{\"a\":\"b\",}}",
        "{\"other\":{}}",
        "{\"attrs\":{\"a\":\"\\u+041\"}}",
        "{\"attrs\":{\"a\":\"b\"}",
        ""}) {
      assertThatThrownBy(() -> CertificateAttributes.parse(bad.getBytes(UTF_8))).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> CertificateAttributes.parse(new byte[] {'{', (byte) 0xff, '}'}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
  }
}
