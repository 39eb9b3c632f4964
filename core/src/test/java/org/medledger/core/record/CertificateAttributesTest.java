package org.medledger.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Fabric CA's attribute JSON, read strictly. */
class CertificateAttributesTest {
  private static java.util.Map<String, String> parse(String json) {
    return CertificateAttributes.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsFabricCasAttributesWithEscapes() {
    // Go's encoding/json escapes <, > and & as \\u003c...; names with accents arrive as UTF-8.
    var m = parse("{\"attrs\":{\"hf.Affiliation\":\"\",\"hf.EnrollmentID\":\"dr-dora-1a2b\",\"hf.Type\":\"client\","
        + "\"medledger.institution\":\"St. Mary \\u0026 Co\",\"medledger.name\":\"Dr. Dóra \\\"D\\\" Weiß\","
        + "\"medledger.role\":\"doctor\"}}");
    assertThat(m).containsEntry("medledger.role", "doctor")
        .containsEntry("medledger.name", "Dr. Dóra \"D\" Weiß")
        .containsEntry("medledger.institution", "St. Mary & Co")
        .containsEntry("hf.Affiliation", "");
    assertThat(parse(" { \"attrs\" : { } } ")).isEmpty();
  }

  @Test
  void anythingElseIsRefusedWithAReason() {
    assertThatThrownBy(() -> parse("{\"attrs\":{\"a\":\"1\",\"a\":\"2\"}}")).hasMessageContaining("appears twice");
    assertThatThrownBy(() -> parse("{\"attrs\":{\"a\":1}}")).hasMessageContaining("is not a string");
    assertThatThrownBy(() -> parse("{\"other\":{}}")).hasMessageContaining("only member");
    assertThatThrownBy(() -> parse("{\"attrs\":{},\"x\":{}}")).hasMessageContaining("only member");
    assertThatThrownBy(() -> parse("{\"attrs\":{}} x")).hasMessageContaining("after the JSON object");
    assertThatThrownBy(() -> parse("{\"attrs\":{\"a\":\"1\"")).hasMessageContaining("ends");
    assertThatThrownBy(() -> parse("{\"attrs\":{\"a\":\"\\q\"}}")).hasMessageContaining("unknown escape");
    assertThatThrownBy(() -> parse("{\"attrs\":{\"a\":\"x\ny\"}}")).hasMessageContaining("control character");
    assertThatThrownBy(() -> CertificateAttributes.parse(new byte[] {'{', (byte) 0xc3, '}'}))
        .hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> parse("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the certificate's attribute extension is not valid");
  }
}
