package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.medledger.core.record.CertificateAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;

class CertificateAuthorityTest {
  @TempDir Path dir;

  @Test
  void issuedCertificateWorksWithClientIdentityLikeFabricCa() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity doctor = Fixtures.identity(ledger.certificateAuthority("HospitalMSP"),
          "dr-house", "doctor");
      String who = new String(ledger.evaluate(doctor, "whoAmI"), UTF_8);
      String[] p = who.split("\\|");
      assertThat(p[0]).isEqualTo("HospitalMSP");
      assertThat(p[1]).isEqualTo("x509::CN=dr-house, OU=client, O=Hospital::CN=ca.hospital, O=Hospital");
      assertThat(p[2]).isEqualTo("doctor");
      assertThat(p[3]).isEqualTo("dr-house");
      assertThat(p[4]).isEqualTo("CN=dr-house,OU=client,O=Hospital");
      assertThat(p[5]).isEqualTo("HospitalMSP");
      // the role attribute is what the chaincode authorizes by
      LedgerIdentity patient = Fixtures.identity(ledger.certificateAuthority("HospitalMSP"),
          "p-17", "p");
      assertThatThrownBy(() -> ledger.evaluate(patient, "whoAmI"))
          .hasMessage("only a doctor may call whoAmI");
    }
  }

  @Test
  void certificateFromAnUnknownCaIsRefused() {
    EmbeddedCertificateAuthority rogue =
        EmbeddedCertificateAuthority.openOrCreate(dir.resolve("elsewhere"), "HospitalMSP");
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir.resolve("ledger"), new KvContract())) {
      ledger.certificateAuthority("HospitalMSP");
      LedgerIdentity forged = Fixtures.identity(rogue, "dr-fake", "doctor");
      assertThatThrownBy(() -> ledger.submit(forged, "put", "k".getBytes(UTF_8), "v".getBytes(UTF_8)))
          .isInstanceOf(LedgerException.class)
          .hasMessage("certificate not issued by a member organisation")
          .extracting(e -> ((LedgerException) e).kind()).isEqualTo(LedgerException.Kind.REJECTED);
      // an MSP with no CA at all
      LedgerIdentity stranger = Fixtures.identity(
          EmbeddedCertificateAuthority.openOrCreate(dir.resolve("x"), "StrangerMSP"), "s", "doctor");
      assertThatThrownBy(() -> ledger.evaluate(stranger, "whoAmI"))
          .hasMessage("certificate not issued by a member organisation");
      // a real member certificate presented under another MSP id
      LedgerIdentity real = Fixtures.doctor(ledger);
      ledger.certificateAuthority("PharmacyMSP");
      LedgerIdentity wrongMsp = new LedgerIdentity("PharmacyMSP", real.certificate(),
          real.privateKey());
      assertThatThrownBy(() -> ledger.evaluate(wrongMsp, "whoAmI"))
          .hasMessage("certificate not issued by a member organisation");
      assertThat(ledger.height()).isZero();
    }
  }

  @Test
  void privateKeyMustMatchTheCertificate() {
    try (EmbeddedLedger ledger = EmbeddedLedger.open(dir, new KvContract())) {
      LedgerIdentity real = Fixtures.doctor(ledger);
      KeyPair other = Fixtures.p256();
      LedgerIdentity stolenCert = new LedgerIdentity("HospitalMSP", real.certificate(),
          other.getPrivate());
      assertThatThrownBy(() -> ledger.evaluate(stolenCert, "whoAmI"))
          .hasMessage("the private key does not match the certificate");
    }
  }

  @Test
  void caIsPersistedOwnerOnlyAndReloaded() throws Exception {
    Path caDir = dir.resolve("ca-hospital");
    EmbeddedCertificateAuthority ca = EmbeddedCertificateAuthority.openOrCreate(caDir, "HospitalMSP");
    X509Certificate issued = ca.issue("alice", "p", Fixtures.p256().getPublic());
    EmbeddedCertificateAuthority again = EmbeddedCertificateAuthority.openOrCreate(caDir, "HospitalMSP");
    assertThat(again.certificate()).isEqualTo(ca.certificate());
    assertThat(again.issued(issued)).isTrue();
    assertThat(again.issued(again.issue("bob", "doctor", Fixtures.p256().getPublic()))).isTrue();
    assertThat(EmbeddedCertificateAuthority.openOrCreate(dir.resolve("other"), "HospitalMSP")
        .issued(issued)).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        caDir.resolve(EmbeddedCertificateAuthority.KEY_FILE)))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir)))
        .isEqualTo("rwx------");
    assertThat(ca.toString()).doesNotContain("PRIVATE");
    assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=alice,OU=client,O=Hospital");
    assertThat(new String(issued.getExtensionValue("1.2.3.4.5.6.7.8.1"), UTF_8))
        .endsWith("{\"attrs\":{\"hf.EnrollmentID\":\"alice\",\"medledger.role\":\"p\"}}");
  }

  @Test
  void professionalsCarryTheNameAndInstitutionTheCaSignedAndAdministratorsTheAdminUnit() {
    EmbeddedCertificateAuthority ca = EmbeddedCertificateAuthority.openOrCreate(dir, "HospitalMSP");
    X509Certificate doctor = ca.issue("dr-dora-1", "doctor", "Dr. Dóra \"D\" Weiß", "St. Mary's Hospital",
        Fixtures.p256().getPublic());
    assertThat(CertificateAttributes.of(doctor)).containsExactly(
        java.util.Map.entry("hf.EnrollmentID", "dr-dora-1"), java.util.Map.entry("medledger.role", "doctor"),
        java.util.Map.entry("medledger.name", "Dr. Dóra \"D\" Weiß"),
        java.util.Map.entry("medledger.institution", "St. Mary's Hospital"));
    assertThat(CertificateAttributes.of(ca.issue("pat", "patient", Fixtures.p256().getPublic())))
        .doesNotContainKeys("medledger.name", "medledger.institution");
    assertThatThrownBy(() -> ca.issue("x", "doctor", "Dr X", null, Fixtures.p256().getPublic()))
        .hasMessageContaining("both a name and an institution");
    assertThatThrownBy(() -> ca.issue("x", "doctor", " ", "Clinic", Fixtures.p256().getPublic()))
        .hasMessageContaining("must not be blank");

    var admin = ca.administrator("admin");
    assertThat(admin.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=admin,OU=admin,O=Hospital");
    assertThat(ca.issued(admin.certificate())).isTrue();
    assertThat(CertificateAttributes.of(admin.certificate())).doesNotContainKey("medledger.role");
  }

  @Test
  void refusesNonP256KeysAndBadMspIds() throws Exception {
    EmbeddedCertificateAuthority ca = EmbeddedCertificateAuthority.openOrCreate(dir, "HospitalMSP");
    java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertThatThrownBy(() -> ca.issue("a", "p", rsa.generateKeyPair().getPublic()))
        .hasMessageContaining("P-256");
    assertThatThrownBy(() -> EmbeddedCertificateAuthority.openOrCreate(dir, "../evil"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
