package org.medledger.portal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.annotation.Resource;
import jakarta.inject.Inject;
import java.io.File;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.medledger.core.crypto.PasswordWrap;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.crypto.WrongPasswordException;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.AnswerForger;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.Card;
import org.medledger.portal.application.PendingRegistrations;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.infrastructure.ledger.CertificateSubject;
import org.medledger.portal.infrastructure.ledger.Organisations;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.application.admin.AdminService;
import org.medledger.portal.infrastructure.persistence.Account;
import org.medledger.portal.infrastructure.persistence.AccountRepository;
import org.medledger.portal.infrastructure.persistence.AccountStatus;
import org.medledger.portal.application.InboxService;
import org.medledger.portal.application.InboxUpdated;
import org.medledger.portal.application.KeyBuilder;
import org.medledger.portal.application.SignedInDoctors;
import org.medledger.portal.application.TreatmentService;
import org.medledger.portal.application.cover.CoverRequest;
import org.medledger.portal.application.cover.Covers;
import org.medledger.portal.application.cover.ScanPreview;
import org.medledger.portal.application.cover.TreatmentCover;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TryLaterException;
import org.medledger.portal.infrastructure.crypto.Argon2Pool;
import org.medledger.portal.config.PortalConfig;
import org.medledger.portal.infrastructure.crypto.CryptoService;
import org.medledger.portal.infrastructure.ledger.LedgerEventSubscriber;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * The CDI services inside Payara Micro, in one deployment (the packaged WAR plus this test):
 * the crypto beans, the ledger wiring (a Store through the producer's ledger) and the path from
 * a ledger event to the inbox and the async event that feeds the push.
 */
@ExtendWith(ArquillianExtension.class)
class PortalServicesIT {
  @Deployment
  static WebArchive deployment() {
    File war = new File(System.getProperty("medledger.war", "target/medledger-webapp.war"));
    return ShrinkWrap.createFromZipFile(WebArchive.class, war).addClasses(PortalServicesIT.class, InboxProbe.class, AnswerForger.class)
        .addAsLibraries(jarOf(org.assertj.core.api.Assertions.class), jarOf(net.bytebuddy.ByteBuddy.class));
  }

  /** The jar a test-classpath class comes from (AssertJ runs inside the server too). */
  private static File jarOf(Class<?> c) {
    try {
      return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Inject CryptoService crypto;
  @Inject QrCodes qr;
  @Inject LedgerGateway ledger;
  @Inject MedLedgerClient client;
  @Inject @Portal PortalIdentity portal;
  @Inject AccountService accounts;
  @Inject TreatmentService treatments;
  @Inject InboxService inbox;
  @Inject InboxProbe probe;
  @Inject LedgerEventSubscriber subscriber;
  @Inject Argon2Pool argon2;
  @Inject PortalConfig config;
  @Inject AccountRepository repository;
  @Inject PendingRegistrations pendingRegistrations;
  @Inject Organisations organisations;

  @Inject AdminService admins;
  @Inject DirectoryService directory;
  @Inject SignedInDoctors signedIn;
  @Inject KeyBuilder keys;
  @Inject org.medledger.portal.application.consent.ConsentService consents;
  @Inject Covers covers;
  @Inject org.medledger.portal.application.notify.TreatmentNames names;
  @Inject org.medledger.portal.application.evidence.EvidenceService evidence;
  @Inject org.medledger.portal.application.fhir.ClinicalRecords clinical;
  @Inject org.medledger.portal.infrastructure.fhir.FhirResources fhir;
  @Inject org.medledger.portal.application.membership.MembershipService membership;
  @Inject org.medledger.portal.application.access.AccessLogService accessLog;
  @Inject org.medledger.portal.application.emergency.EmergencyService emergency;
  @Resource(lookup = "java:app/jdbc/medledger") javax.sql.DataSource dataSource;

  private static final String ADMIN = "it-admin";
  private static final String ADMIN_PW = "administrator password";

  /** This deployment's administrator, created once with a setup code as an operator would. */
  private static volatile boolean adminReady;

  private void administrator() {
    if (adminReady) return;
    try {
      admins.createFirstAdministrator(admins.newSetupCode(), ADMIN, ADMIN_PW.toCharArray());
    } catch (PortalException alreadyThere) {
      // created by an earlier test class run in this server
    }
    adminReady = true;
  }

  /** A professional admitted the way the portal admits them: the administrator's invitation. */
  private AccountService.Registered invited(String user, String name, Role role, String institution, char[] password) {
    administrator();
    AdminService.IssuedInvitation i = admins.invite(ADMIN, role, name, institution);
    return accounts.registerInvited(i.code(), user, password);
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void cryptoBeansWrapUnwrapAndRecover() throws Exception {
    try (UserSecret s = crypto.newSecret()) {
      byte[] wrapped = crypto.wrap(s, "a good password".toCharArray());
      try (UserSecret back = crypto.unwrap(wrapped, "a good password".toCharArray())) {
        assertThat(back.signingKeyPair().publicKey()).isEqualTo(s.signingKeyPair().publicKey());
      }
      assertThatThrownBy(() -> crypto.unwrap(wrapped, "the wrong one".toCharArray())).isInstanceOf(WrongPasswordException.class);
      byte[] rewrapped = crypto.rewrap(wrapped, "a good password".toCharArray(), "another password".toCharArray());
      try (UserSecret back = crypto.unwrap(rewrapped, "another password".toCharArray());
          UserSecret kit = crypto.recover(crypto.recoveryText(s))) {
        assertThat(back.signingKeyPair().publicKey()).isEqualTo(s.signingKeyPair().publicKey());
        assertThat(kit.signingKeyPair().publicKey()).isEqualTo(s.signingKeyPair().publicKey());
      }
    }
    String text = "medledger-card:1:test";
    byte[] png = qr.png(text, 200);
    assertThat(qr.decode(png)).isEqualTo(text);
    assertThatThrownBy(() -> qr.decode("not an image".getBytes())).isInstanceOf(QrCodes.UnreadableException.class);
  }

  @Test
  void registeringADoctorStoresItsCertificateThroughTheProducersLedger() {
    long height = ledger.height();
    String user = unique("doc");
    AccountService.Registered r = invited(user, "Dr. Test", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    assertThat(ledger.height()).isGreaterThan(height);
    var reg = client.participant(portal.get(), ParticipantIndex.parse(r.indexHex()));
    assertThat(reg).isPresent();
    assertThat(reg.get().role()).isEqualTo(Role.DOCTOR);
    assertThat(r.recoveryText()).startsWith("MLRK1-");
    // Pseudonymous roles are not published.
    AccountService.Registered p = accounts.register(unique("pat"), "Pat", Role.PATIENT, null, "password123".toCharArray());
    assertThat(client.participant(portal.get(), ParticipantIndex.parse(p.indexHex()))).isEmpty();
  }

  // ------------------------------------------------------------------ vouching (issue 12, part 1)

  /**
   * The finding: a self-registered "doctor" under a listed doctor's name and institution got a
   * certificate and a second, identical directory entry. Now the sign-up only waits for the
   * administrator: nothing on the ledger, no login, one entry.
   */
  @Test
  void anImpostorDoctorUnderAListedNameIsNotAdmitted() {
    String name = "Dr. " + unique("Same");
    invited(unique("doc"), name, Role.DOCTOR, "St. Mary's Hospital", "password123".toCharArray());
    long height = ledger.height();
    String imp = unique("imp");
    AccountService.Registered impostor =
        accounts.register(imp, name, Role.DOCTOR, "St. Mary's Hospital", "password123".toCharArray());
    assertThat(impostor.awaitingApproval()).isTrue();
    assertThat(client.participant(portal.get(), ParticipantIndex.parse(impostor.indexHex())))
        .as("the impostor's registration on the ledger").isEmpty();
    assertThat(ledger.height()).as("ledger height after the impostor's attempt").isEqualTo(height);
    assertThat(directory.search(Role.DOCTOR, name)).as("directory entries named " + name).hasSize(1);
    assertThatThrownBy(() -> accounts.unlock(imp, "password123".toCharArray()))
        .hasMessage("Your account is waiting for approval by your institution's administrator. You can log in once it is approved.");
    assertThat(admins.waiting()).anySatisfy(w -> assertThat(w.username()).isEqualTo(imp));
    admins.refuse(ADMIN, imp);
    assertThat(repository.usernameTaken(imp)).isFalse();
    assertThat(secrets(impostor.indexHex())).as("a refused sign-up's wrapped secret").isFalse();
  }

  /** An invited doctor appears once, with the certificate's name and institution and a key fingerprint. */
  @Test
  void anInvitedDoctorAppearsOnceWithTheVouchedInstitutionAndAFingerprint() throws Exception {
    String name = "Dr. " + unique("Invited");
    AccountService.Registered r = invited(unique("doc"), name, Role.DOCTOR, "St. Vouched Hospital", "password123".toCharArray());
    List<DirectoryService.Participant> found = directory.search(Role.DOCTOR, name);
    assertThat(found).hasSize(1);
    DirectoryService.Participant p = found.get(0);
    assertThat(p.indexHex()).isEqualTo(r.indexHex());
    assertThat(p.institution()).isEqualTo("St. Vouched Hospital");
    assertThat(p.vouched()).isTrue();
    assertThat(p.fingerprint()).matches("[0-9a-f]{4}( [0-9a-f]{4}){3}");
    assertThat(p.label()).contains(name, "St. Vouched Hospital", p.fingerprint());
    var reg = client.participant(portal.get(), ParticipantIndex.parse(r.indexHex())).orElseThrow();
    var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(reg.certificateDer()));
    assertThat(org.medledger.core.record.CertificateAttributes.of(cert))
        .containsEntry("medledger.role", "doctor").containsEntry("medledger.name", name)
        .containsEntry("medledger.institution", "St. Vouched Hospital");
    // A namesake at another institution is told apart by institution and fingerprint.
    invited(unique("doc"), name, Role.DOCTOR, "Other Clinic", "password123".toCharArray());
    List<DirectoryService.Participant> both = directory.search(Role.DOCTOR, name);
    assertThat(both).hasSize(2);
    assertThat(both).extracting(DirectoryService.Participant::fingerprint).doesNotHaveDuplicates();
    assertThat(both).extracting(DirectoryService.Participant::institution).containsExactlyInAnyOrder("St. Vouched Hospital", "Other Clinic");
  }

  /** An invitation is used once; an expired or withdrawn one says so and admits nobody. */
  @Test
  void anInvitationWorksOnceAndAnExpiredOrWithdrawnOneSaysSo() throws Exception {
    administrator();
    AdminService.IssuedInvitation i = admins.invite(ADMIN, Role.PHARMACIST, "Pia " + unique("Once"), "Central Pharmacy");
    assertThat(admins.offer(i.code()).displayName()).isEqualTo(i.displayName());
    accounts.registerInvited(i.code(), unique("pha"), "password123".toCharArray());
    assertThatThrownBy(() -> accounts.registerInvited(i.code(), unique("pha"), "password123".toCharArray()))
        .isInstanceOf(PortalException.class).hasMessageContaining("already been used");
    assertThatThrownBy(() -> admins.offer(i.code() + "x")).hasMessageContaining("not valid");

    AdminService.IssuedInvitation old = admins.invite(ADMIN, Role.INSURER, "Ivo " + unique("Late"), "Mutual");
    try (var c = dataSource.getConnection();
        var st = c.prepareStatement("UPDATE ml_invitation SET expiresAt = ? WHERE displayName = ?")) {
      st.setLong(1, java.time.Instant.now().minusSeconds(60).toEpochMilli()); // as if a week had passed
      st.setString(2, old.displayName());
      assertThat(st.executeUpdate()).isEqualTo(1);
    }
    String late = unique("ins");
    assertThatThrownBy(() -> accounts.registerInvited(old.code(), late, "password123".toCharArray()))
        .isInstanceOf(PortalException.class).hasMessageContaining("This invitation expired on");
    assertThat(repository.usernameTaken(late)).isFalse();

    AdminService.IssuedInvitation gone = admins.invite(ADMIN, Role.LAWYER, "Lea " + unique("Gone"), "Weber & Partners");
    admins.withdraw(ADMIN, admins.invitations().stream().filter(v -> v.displayName().equals(gone.displayName()))
        .findFirst().orElseThrow().reference());
    assertThatThrownBy(() -> accounts.registerInvited(gone.code(), unique("law"), "password123".toCharArray()))
        .hasMessageContaining("withdrawn");
    // Patients are not invited.
    assertThatThrownBy(() -> admins.invite(ADMIN, Role.PATIENT, "Pat", "Private")).isInstanceOf(PortalException.class);
  }

  /**
   * Approval: a professional's sign-up waits; the administrator approves it with the name and
   * institution they confirmed (not the typed ones); the next login issues the certificate with
   * those and writes the registration.
   */
  @Test
  void anApprovedSignUpIsRegisteredAtItsNextLoginWithTheNameTheAdministratorConfirmed() {
    administrator();
    String user = unique("doc");
    AccountService.Registered r = accounts.register(user, "Dr. Typed", Role.DOCTOR, "Typed Hospital", "password123".toCharArray());
    assertThat(r.awaitingApproval()).isTrue();
    assertThatThrownBy(() -> admins.approve(ADMIN, unique("nobody"), "X", "Y")).hasMessageContaining("no sign-up");
    String vouched = "Dr. " + unique("Approved");
    admins.approve(ADMIN, user, vouched, "St. Approved Hospital");
    assertThat(client.participant(portal.get(), ParticipantIndex.parse(r.indexHex()))).as("before the login").isEmpty();
    try (Actor a = accounts.unlock(user, "password123".toCharArray())) {
      assertThat(a.displayName()).isEqualTo(vouched);
      assertThat(a.institution()).isEqualTo("St. Approved Hospital");
    }
    List<DirectoryService.Participant> found = directory.search(Role.DOCTOR, vouched);
    assertThat(found).singleElement().satisfies(p -> {
      assertThat(p.indexHex()).isEqualTo(r.indexHex());
      assertThat(p.institution()).isEqualTo("St. Approved Hospital");
    });
    assertThat(directory.search(null, "Typed Hospital")).noneMatch(p -> p.indexHex().equals(r.indexHex()));
    try (Actor again = accounts.unlock(user, "password123".toCharArray())) { // an ordinary login now
      assertThat(again.indexHex()).isEqualTo(r.indexHex());
    }
  }

  /** The setup code creates one administrator, once; the administrator's password is checked. */
  @Test
  void theSetupCodeWorksOnce() {
    String code = admins.newSetupCode();
    String first = unique("adm");
    admins.createFirstAdministrator(code.toLowerCase(java.util.Locale.ROOT).replace("-", " "), first, "first admin password".toCharArray());
    assertThatThrownBy(() -> admins.createFirstAdministrator(code, unique("adm"), "second admin password".toCharArray()))
        .isInstanceOf(PortalException.class).hasMessageContaining("not valid or has already been used");
    assertThat(admins.login(first, "first admin password".toCharArray(), "192.0.2.200")).isEqualTo(first);
    assertThatThrownBy(() -> admins.login(first, "wrong password".toCharArray(), "192.0.2.200"))
        .hasMessage("Wrong administrator name or password.");
    // A newer code replaces an older one that was never used.
    String unused = admins.newSetupCode();
    String newer = admins.newSetupCode();
    assertThatThrownBy(() -> admins.createFirstAdministrator(unused, unique("adm"), "third admin password".toCharArray()))
        .hasMessageContaining("not valid");
    admins.createFirstAdministrator(newer, unique("adm"), "third admin password".toCharArray());
  }

  @Test
  void aLedgerEventReachesTheInboxOfEveryLocalRecipientAndFiresTheAsyncEvent() throws Exception {
    String pu = unique("pat"), du = unique("doc"), fu = unique("fam");
    accounts.register(pu, "Pat", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Inbox", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    accounts.register(fu, "Fam", Role.FAMILY, null, "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray())) {
      byte[] fk = Base64.getUrlDecoder().decode(accounts.view(fu).orElseThrow().publicKeyBase64Url());
      String card = new Card(Role.FAMILY, ParticipantIndex.of(fk), fk).text();
      TreatmentService.ConsentView c = treatments.consent(patient, card, doctor.indexHex(), List.of(), List.of(), List.of());
      String k = treatments.open(doctor, c.text());
      for (String u : List.of(pu, du, fu)) {
        await(() -> inbox.treatments(u).contains(k), "txtc in the inbox of " + u);
      }
      await(() -> probe.seen().stream().filter(e -> e.kappa0Hex().equals(k)).map(InboxUpdated::username).distinct().count() == 3,
          "three async InboxUpdated events");
      assertThat(inbox.unread(pu)).isGreaterThanOrEqualTo(1);
      assertThat(subscriber.health().healthy()).isTrue();
      assertThat(subscriber.health().handled()).isPositive();
      // A treatment the caller is not part of is refused.
      try (Actor other = accounts.unlock(fu, "password123".toCharArray())) {
        assertThat(treatments.view(other, k, false).myRole()).isEqualTo(Role.FAMILY);
      }
      String stranger = unique("doc");
      invited(stranger, "Dr. Stranger", Role.DOCTOR, "Elsewhere", "password123".toCharArray());
      try (Actor s = accounts.unlock(stranger, "password123".toCharArray())) {
        assertThatThrownBy(() -> treatments.view(s, k, false)).hasMessageContaining("not a participant");
      }
    }
  }

  /**
   * Issue 13, the consent's life: the patient's portal lists the consents no doctor opened yet;
   * she withdraws one and the doctor's scan of it is refused in plain words, with the date; a
   * consent scanned twice, or twice at the same moment, opens one treatment and the second scan
   * leads to it; an opened consent leaves the list and can no longer be withdrawn.
   */
  @Test
  void aWithdrawnConsentOpensNothingAndASecondScanOpensTheSameTreatment() throws Exception {
    String pu = unique("pat"), du = unique("doc");
    accounts.register(pu, "Pat", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Twice", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray())) {
      TreatmentService.ConsentView first = treatments.consent(patient, null, doctor.indexHex(), List.of(), List.of(), List.of());
      TreatmentService.ConsentView second = treatments.consent(patient, null, doctor.indexHex(), List.of(), List.of(), List.of());
      assertThat(consents.waiting(patient)).hasSize(2).allSatisfy(w -> {
        assertThat(w.doctorName()).isEqualTo("Dr. Twice");
        assertThat(w.qrDataUri()).startsWith("data:image/png;base64,");
      });
      String firstId = consents.waiting(patient).stream().filter(w -> w.text().equals(first.text())).findFirst()
          .orElseThrow().consentIdHex();
      long height = ledger.height();
      consents.withdraw(patient, firstId);
      consents.withdraw(patient, firstId); // twice is fine
      assertThat(ledger.height()).isEqualTo(height + 1);
      assertThat(consents.waiting(patient)).extracting(org.medledger.portal.application.consent.ConsentService.Waiting::text)
          .containsExactly(second.text());
      assertThatThrownBy(() -> treatments.open(doctor, first.text()))
          .isInstanceOf(org.medledger.portal.application.consent.ConsentWithdrawnException.class)
          .hasMessageStartingWith("The patient withdrew this consent on ")
          .hasMessageNotContainingAny("R4", "txtc", "withdrawal");
      // Someone else cannot withdraw her consent from this portal.
      String other = unique("pat");
      accounts.register(other, "Other", Role.PATIENT, null, "password123".toCharArray());
      String secondId = consents.waiting(patient).get(0).consentIdHex();
      try (Actor o = accounts.unlock(other, "password123".toCharArray())) {
        assertThatThrownBy(() -> consents.withdraw(o, secondId)).isInstanceOf(PortalException.class)
            .hasMessage("You have no such consent.");
      }

      // Two scans at the same moment: one treatment; the loser lands on it too.
      java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
      List<String> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
      try {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<?>> scans = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
          scans.add(two.submit(() -> {
            go.await();
            try {
              opened.add(treatments.open(doctor, second.text()));
            } catch (org.medledger.portal.application.consent.ConsentAlreadyOpenedException again) {
              opened.add(again.kappa0Hex());
            }
            return null;
          }));
        }
        go.countDown();
        for (var f : scans) f.get(120, java.util.concurrent.TimeUnit.SECONDS);
      } finally {
        two.shutdownNow();
      }
      assertThat(opened).hasSize(2);
      assertThat(opened.get(0)).isEqualTo(opened.get(1));
      String k = opened.get(0);
      assertThat(client.treatment(portal.get(), org.medledger.core.crypto.Bytes.unhex(k)))
          .filteredOn(e -> e.type() == org.medledger.core.record.RecordType.TXTC).hasSize(1);
      // A later scan goes to the same treatment.
      assertThatThrownBy(() -> treatments.open(doctor, second.text()))
          .isInstanceOfSatisfying(org.medledger.portal.application.consent.ConsentAlreadyOpenedException.class,
              e -> assertThat(e.kappa0Hex()).isEqualTo(k));
      assertThat(consents.waiting(patient)).isEmpty();
      assertThatThrownBy(() -> consents.withdraw(patient, secondId)).isInstanceOf(PortalException.class)
          .hasMessage("Dr. Twice has already opened a treatment with this consent; it can no longer be withdrawn.");
    }
  }

  /**
   * Issue 12, part 4: two treatments of one patient with one family member, read from the
   * embedded ledger as a consortium member would (records, the submitters' certificates and the
   * block files): no key, index or certificate of the patient or the family member is common to
   * both, and their long-term keys and indexes are nowhere in the ledger's files. Both treatments
   * still reach both inboxes and read normally.
   */
  @Test
  void twoTreatmentsOfOnePatientAndFamilyMemberShareNoIdentityOnTheLedger() throws Exception {
    String pu = unique("pat"), du = unique("doc"), fu = unique("fam");
    accounts.register(pu, "Pat Twice", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Twice", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    accounts.register(fu, "Fam Twice", Role.FAMILY, null, "password123".toCharArray());
    byte[] vkP = Base64.getUrlDecoder().decode(accounts.view(pu).orElseThrow().publicKeyBase64Url());
    byte[] vkR = Base64.getUrlDecoder().decode(accounts.view(fu).orElseThrow().publicKeyBase64Url());
    List<String> kappas = new java.util.ArrayList<>();
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor family = accounts.unlock(fu, "password123".toCharArray())) {
      String card = new Card(Role.FAMILY, ParticipantIndex.of(vkR), vkR).text();
      for (int n = 1; n <= 2; n++) {
        TreatmentService.ConsentView c = treatments.consent(patient, card, doctor.indexHex(), List.of(), List.of(), List.of());
        String k = treatments.open(doctor, c.text());
        await(() -> inbox.treatments(pu).contains(k) && inbox.treatments(fu).contains(k), "treatment " + k + " in both inboxes");
        treatments.respond(patient, k);
        treatments.respond(family, k);
        treatments.write(doctor, k, "Record of treatment " + n + ".");
        await(() -> inbox.items(pu, 100).stream().anyMatch(i -> i.kappa0Hex().equals(k) && i.recordType().equals("txd")),
            "the txd of " + k + " in the patient's inbox");
        kappas.add(k);
      }
      for (String k : kappas) {
        assertThat(treatments.view(patient, k, false).myRole()).isEqualTo(Role.PATIENT);
        assertThat(treatments.view(family, k, false).records()).anySatisfy(r -> assertThat(r.text()).startsWith("Record of treatment"));
      }
    }
    // What a consortium member reads: each treatment's records and its submitters' certificates.
    List<byte[]> material = new java.util.ArrayList<>();
    List<List<byte[]>> identities = new java.util.ArrayList<>();
    for (String k : kappas) {
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      List<byte[]> ids = new java.util.ArrayList<>();
      for (MedLedgerClient.TreatmentEntry e : client.treatment(portal.get(), org.medledger.core.crypto.Bytes.unhex(k))) {
        var r = client.getRecord(portal.get(), org.medledger.core.crypto.Bytes.unhex(e.kappaHex())).orElseThrow();
        all.writeBytes(org.medledger.core.record.RecordCodec.encode(r));
        var cert = org.medledger.ledger.embedded.EmbeddedCertificateAuthority.parsePem(
            ledger.transaction(portal.get(), e.transactionId()).orElseThrow().creatorCertificatePem());
        all.writeBytes(cert.getEncoded());
        if (r instanceof org.medledger.core.record.Txtc t) {
          ids.add(t.consent().patientKey());
          ids.add(org.medledger.core.crypto.Bytes.u64(t.consent().patientIndex()));
          ids.add(t.consent().familyKeys().get(0));
          ids.add(org.medledger.core.crypto.Bytes.u64(ParticipantIndex.of(t.consent().familyKeys().get(0))));
        }
        if (r instanceof org.medledger.core.record.Txtr) {
          ids.add(cert.getEncoded()); // the whole certificate, and the parts that would link:
          ids.add(cert.getSubjectX500Principal().getEncoded());
          ids.add(cert.getSerialNumber().toByteArray());
          ids.add(cert.getExtensionValue("2.5.29.14")); // subject key identifier
        }
      }
      material.add(all.toByteArray());
      identities.add(ids);
    }
    assertThat(identities.get(0)).hasSize(4 + 2 * 4);
    for (byte[] id : identities.get(0)) {
      assertThat(indexOf(material.get(1), id)).as("%s of the first treatment in the second", org.medledger.core.crypto.Bytes.hex(id))
          .isNegative();
    }
    for (byte[] id : identities.get(1)) {
      assertThat(indexOf(material.get(0), id)).as("%s of the second treatment in the first", org.medledger.core.crypto.Bytes.hex(id))
          .isNegative();
    }
    // The long-term keys and indexes are in no record, no certificate and no file of the ledger.
    java.io.ByteArrayOutputStream files = new java.io.ByteArrayOutputStream();
    try (var walk = java.nio.file.Files.walk(config.dataDir().resolve("ledger"))) {
      for (java.nio.file.Path f : walk.filter(java.nio.file.Files::isRegularFile).toList()) {
        files.writeBytes(java.nio.file.Files.readAllBytes(f));
      }
    }
    byte[] blocks = files.toByteArray();
    assertThat(blocks.length).isPositive();
    for (byte[] lt : List.of(vkP, vkR, org.medledger.core.crypto.Bytes.u64(ParticipantIndex.of(vkP)),
        org.medledger.core.crypto.Bytes.u64(ParticipantIndex.of(vkR)))) {
      String hex = org.medledger.core.crypto.Bytes.hex(lt);
      assertThat(indexOf(material.get(0), lt)).as("long-term %s in the first treatment", hex).isNegative();
      assertThat(indexOf(material.get(1), lt)).as("long-term %s in the second treatment", hex).isNegative();
      assertThat(indexOf(blocks, lt)).as("long-term %s in the ledger's files", hex).isNegative();
      assertThat(new String(blocks, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(hex)
          .doesNotContain(pu).doesNotContain(fu);
    }
  }

  /**
   * Issue 13, people not hashes: the patient's title, name, birth date and family names reach
   * the doctor (before the treatment is opened), the patient at once, and every member once the
   * key is built — without anybody clicking — and nobody else; the ledger holds them encrypted only.
   */
  @Test
  void aTreatmentsCoverNamesItsPeopleForItsMembersOnly() throws Exception {
    String pu = unique("pat"), fu = unique("fam"), du = unique("doc"), mu = unique("pha"), ou = unique("out"), od = unique("odo");
    String s = pu.substring(4);
    String title = "Chest pain " + s, anna = "Anna Example " + s, ben = "Ben Example " + s;
    accounts.register(pu, "Anna E.", Role.PATIENT, null, "password123".toCharArray());
    accounts.register(fu, "Ben E.", Role.FAMILY, null, "password123".toCharArray());
    invited(du, "Dr. Cover " + s, Role.DOCTOR, "Cover Hospital", "password123".toCharArray());
    invited(mu, "Pia Pharma " + s, Role.PHARMACIST, "Cover Pharmacy", "password123".toCharArray());
    invited(ou, "Otto Outside " + s, Role.PHARMACIST, "Other Pharmacy", "password123".toCharArray());
    invited(od, "Dr. Other " + s, Role.DOCTOR, "Other Hospital", "password123".toCharArray());
    byte[] vkR = Base64.getUrlDecoder().decode(accounts.view(fu).orElseThrow().publicKeyBase64Url());
    String card = new Card(Role.FAMILY, ParticipantIndex.of(vkR), vkR).text();
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor family = accounts.unlock(fu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray());
        Actor outsider = accounts.unlock(ou, "password123".toCharArray());
        Actor otherDoctor = accounts.unlock(od, "password123".toCharArray())) {
      // Bad input names its field; nothing is sealed.
      assertThatThrownBy(() -> treatments.consent(patient, new CoverRequest(" ", anna, null, List.of(ben)), card,
          doctor.indexHex(), List.of(), List.of(), List.of())).hasMessage("Reason for the visit is required.");
      assertThatThrownBy(() -> treatments.consent(patient, new CoverRequest(title, anna, null, List.of()), card,
          doctor.indexHex(), List.of(), List.of(), List.of())).hasMessageContaining("one name per family member");
      assertThatThrownBy(() -> treatments.consent(patient, new CoverRequest("x".repeat(121), anna, null, List.of(ben)), card,
          doctor.indexHex(), List.of(), List.of(), List.of())).hasMessageContaining("Reason for the visit is 121 bytes long");

      TreatmentService.ConsentView c = treatments.consent(patient, new CoverRequest(title, anna,
          java.time.LocalDate.of(1980, 3, 3), List.of(ben)), card, doctor.indexHex(), List.of(pharmacist.indexHex()),
          List.of(), List.of());
      assertThat(c.text()).contains(".");
      assertThat(qr.decode(Base64.getDecoder().decode(c.qrDataUri().substring(c.qrDataUri().indexOf(',') + 1))))
          .as("the QR code with the sealed cover scans").isEqualTo(c.text());

      // The doctor sees who and what before opening; another doctor is refused.
      ScanPreview preview = covers.preview(doctor, c.text());
      assertThat(preview.cover().heading()).isEqualTo(title + " — " + anna);
      assertThat(preview.cover().patientLine()).isEqualTo(anna + ", born 3 March 1980");
      assertThat(preview.participants()).contains(ben + " (family member or legal agent)",
          "Pia Pharma " + s + ", Cover Pharmacy (pharmacist)");
      assertThatThrownBy(() -> covers.preview(otherDoctor, c.text())).hasMessageContaining("names another doctor");
      String k = treatments.open(doctor, c.text());

      // Before the key: the patient and the doctor read their own copies; the others are told it will come.
      assertThat(treatments.view(patient, k, false).heading()).isEqualTo(title + " — " + anna);
      assertThat(treatments.view(doctor, k, false).heading()).isEqualTo(title + " — " + anna);
      TreatmentService.TreatmentView early = treatments.view(pharmacist, k, false);
      assertThat(early.cover()).isNull();
      assertThat(early.heading()).isEqualTo("Treatment with Dr. Cover " + s);
      assertThat(early.coverPending()).contains("appear here once Dr. Cover " + s);
      assertThat(early.members()).extracting(TreatmentService.MemberView::name)
          .contains("The patient", "A family member").noneMatch(n -> n.matches("(Patient|Family) [0-9a-f]{6}"));

      // Everyone answers; the key is built the moment the last answer arrives (the doctor is logged in).
      signedIn.add(doctor);
      try {
        for (Actor a : List.of(patient, family, pharmacist)) treatments.respond(a, k);
        await(() -> treatments.view(pharmacist, k, false).cover() != null, "the cover for the pharmacist");
      } finally {
        signedIn.remove(doctor);
      }
      for (Actor a : List.of(doctor, pharmacist, family, patient)) {
        TreatmentService.TreatmentView v = treatments.view(a, k, false);
        assertThat(v.heading()).as(a.username()).isEqualTo(title + " — " + anna);
        assertThat(v.cover().onLedger()).isTrue();
        assertThat(v.cover().birthDate()).isEqualTo(java.time.LocalDate.of(1980, 3, 3));
        assertThat(v.records()).filteredOn(TreatmentService.RecordView::cover).singleElement()
            .satisfies(r -> assertThat(r.title()).isEqualTo("Treatment details"))
            .satisfies(r -> assertThat(r.text()).contains(title).contains(ben));
        assertThat(v.status()).isEqualTo("Key ready, no record yet");
        if (a != patient) assertThat(v.members()).extracting(TreatmentService.MemberView::name).contains(anna);
        if (a != family) assertThat(v.members()).extracting(TreatmentService.MemberView::name).contains(ben);
        assertThat(treatments.summary(a, k).orElseThrow().title()).isEqualTo(title + " — " + anna);
        assertThat(covers.of(a, k)).get().extracting(TreatmentCover::patientName).isEqualTo(anna);
      }
      // The cover is no diagnosis: the doctor is still asked to write one, the pharmacist not yet to dispense.
      assertThat(treatments.todo(doctor, k)).hasValueSatisfying(t -> assertThat(t).contains("first diagnosis"));
      assertThat(treatments.todo(pharmacist, k)).isEmpty();
      treatments.write(doctor, k, "Diagnosis: stable angina.");
      assertThat(treatments.view(family, k, false).records()).filteredOn(r -> r.text().equals("Diagnosis: stable angina."))
          .singleElement().satisfies(r -> assertThat(r.sequence()).isEqualTo(1));
      assertThatThrownBy(() -> treatments.write(doctor, k, "ML\u0001\nnot text")).hasMessageContaining("control characters");

      // Nobody else reads it.
      assertThat(covers.of(outsider, k)).isEmpty();
      assertThat(covers.of(otherDoctor, k)).isEmpty();
      assertThatThrownBy(() -> treatments.view(outsider, k, false)).hasMessageContaining("not a participant");

      // In an emergency another doctor reads it under the cover's heading, the cover not shown as a
      // record (a FHIR cover once showed as a record under the heading "Treatment").
      emergency.allow(patient, k);
      var urgent = emergency.breakGlass(otherDoctor, k, 1);
      assertThat(urgent.heading()).isEqualTo(title + " — " + anna);
      assertThat(urgent.patientLine()).isEqualTo("Patient: " + anna + ", born 3 March 1980");
      assertThat(urgent.records()).extracting(org.medledger.portal.application.emergency.EmergencyService.Line::text)
          .containsExactly("Diagnosis: stable angina.");

      // The evidence bundle (issue 15): a member downloads it, the standalone verifier accepts it
      // without a secret and with the member's password; an outsider gets nothing.
      byte[] zip = evidence.export(family, k, java.time.ZoneId.of("Europe/Berlin"), java.time.Instant::toString, true);
      org.medledger.evidence.Bundle bundle = org.medledger.evidence.Bundle.read(zip);
      assertThat(org.medledger.evidence.BundleVerifier.verify(bundle, null).problems()).isEmpty();
      assertThat(org.medledger.evidence.BundleVerifier.verify(bundle,
          org.medledger.evidence.BundleVerifier.secretFromPassword(bundle, "password123".toCharArray())).problems()).isEmpty();
      assertThat(new String(bundle.entry("case-file.pdf"), 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
      assertThat(new String(bundle.entry(org.medledger.evidence.Bundle.MANIFEST), java.nio.charset.StandardCharsets.UTF_8))
          .contains("\"title\": \"Diagnosis\"", "\"title\": \"Treatment details\"", "\"kind\": \"embedded\"");
      // the cover, written as its FHIR form (a typed message: Patient, EpisodeOfCare, RelatedPerson)
      assertThat(bundle.names()).anyMatch(n -> n.endsWith(".typed") && new String(bundle.entry(n), java.nio.charset.StandardCharsets.UTF_8)
              .contains("\"EpisodeOfCare\"") && new String(bundle.entry(n), java.nio.charset.StandardCharsets.UTF_8).contains(ben))
          .anyMatch(n -> n.startsWith("content/") && java.util.Arrays.equals(bundle.entry(n),
              "Diagnosis: stable angina.".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(org.medledger.evidence.Bundle.read(evidence.export(pharmacist, k, java.time.ZoneId.of("UTC"),
          java.time.Instant::toString, false)).manifest()).doesNotContainKey("passwordWrap");
      assertThatThrownBy(() -> evidence.export(outsider, k, java.time.ZoneId.of("UTC"), java.time.Instant::toString, false))
          .isInstanceOf(org.medledger.portal.application.PortalException.class);

      // The ledger holds the title and the names encrypted only: in no record and no file.
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      for (MedLedgerClient.TreatmentEntry e : client.treatment(portal.get(), org.medledger.core.crypto.Bytes.unhex(k))) {
        all.writeBytes(org.medledger.core.record.RecordCodec.encode(
            client.getRecord(portal.get(), org.medledger.core.crypto.Bytes.unhex(e.kappaHex())).orElseThrow()));
      }
      java.io.ByteArrayOutputStream files = new java.io.ByteArrayOutputStream();
      try (var walk = java.nio.file.Files.walk(config.dataDir().resolve("ledger"))) {
        for (java.nio.file.Path f : walk.filter(java.nio.file.Files::isRegularFile).toList()) {
          files.writeBytes(java.nio.file.Files.readAllBytes(f));
        }
      }
      for (String secret : List.of(title, anna, ben, "Chest pain")) {
        byte[] utf8 = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(indexOf(all.toByteArray(), utf8)).as("'%s' in the treatment's records", secret).isNegative();
        assertThat(indexOf(files.toByteArray(), utf8)).as("'%s' in the ledger's files", secret).isNegative();
      }
    }
  }

  /**
   * Issue 13, notifications: each says who did what in which treatment — the treatment by the
   * title its members read with their own key, by its doctor until they know it; the doctor's
   * first record (the cover) is announced as the treatment's details, not as a diagnosis; the
   * push says the same to its one user only; and the consent's summary names the family members
   * as the patient typed them.
   */
  @Test
  void notificationsSayWhoDidWhatInWhichTreatment() throws Exception {
    String pu = unique("pat"), fu = unique("fam"), du = unique("doc"), mu = unique("pha"), ou = unique("out");
    String s = pu.substring(4);
    String title = "Acute pain " + s, alice = "Alice Martin " + s, ben = "Ben Martin " + s;
    String dr = "Dr. Notice " + s, pia = "Pia Notice " + s;
    String heading = "“" + title + " — " + alice + "”";
    accounts.register(pu, "Alice M.", Role.PATIENT, null, "password123".toCharArray());
    accounts.register(fu, "Ben M.", Role.FAMILY, null, "password123".toCharArray());
    invited(du, dr, Role.DOCTOR, "Notice Hospital", "password123".toCharArray());
    invited(mu, pia, Role.PHARMACIST, "Notice Pharmacy", "password123".toCharArray());
    invited(ou, "Otto Notice " + s, Role.PHARMACIST, "Other Pharmacy", "password123".toCharArray());
    byte[] vkR = Base64.getUrlDecoder().decode(accounts.view(fu).orElseThrow().publicKeyBase64Url());
    String card = new Card(Role.FAMILY, ParticipantIndex.of(vkR), vkR).text();
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor family = accounts.unlock(fu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray());
        Actor outsider = accounts.unlock(ou, "password123".toCharArray())) {
      TreatmentService.ConsentView c = treatments.consent(patient, new CoverRequest(title, alice, null, List.of(ben)), card,
          doctor.indexHex(), List.of(pharmacist.indexHex()), List.of(), List.of());
      // The summary after "Create" names her family member as she typed him.
      assertThat(c.summary()).contains("Family member or legal agent: " + ben).noneMatch(l -> l.contains("A family member"));
      String k = treatments.open(doctor, c.text());

      // Before the key: the pharmacist cannot read the cover yet; the patient reads her own copy.
      await(() -> inbox.items(pharmacist, 30).stream().anyMatch(i -> i.kappa0Hex().equals(k)), "the invitation");
      assertThat(inbox.items(pharmacist, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
          .containsExactly(dr + " invited you to a treatment");
      await(() -> inbox.items(patient, 30).stream().anyMatch(i -> i.kappa0Hex().equals(k)), "the opening for the patient");
      assertThat(inbox.items(patient, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
          .containsExactly("Your treatment with " + dr + " was opened: " + heading);

      signedIn.add(doctor);
      try {
        for (Actor a : List.of(patient, family, pharmacist)) treatments.respond(a, k);
        await(() -> treatments.view(pharmacist, k, false).cover() != null, "the cover on the ledger");
      } finally {
        signedIn.remove(doctor);
      }
      treatments.write(doctor, k, "Diagnosis: appendicitis.");
      treatments.write(pharmacist, k, "Dispensed: antibiotics.");
      await(() -> inbox.items(patient, 30).stream().filter(i -> i.kappa0Hex().equals(k)).count() == 4,
          "opening, details, diagnosis and dispensing for the patient");
      assertThat(inbox.items(patient, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
          .containsExactlyInAnyOrder("Your treatment with " + dr + " was opened: " + heading,
              dr + " added the treatment's details: " + heading,
              dr + " wrote a diagnosis in " + heading,
              pia + " recorded the dispensing in " + heading);
      assertThat(inbox.items(pharmacist, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
          .contains(dr + " invited you to a treatment: " + heading, dr + " wrote a diagnosis in " + heading)
          .filteredOn(t -> t.contains("diagnosis")).hasSize(1);
      await(() -> inbox.items(doctor, 30).stream().filter(i -> i.kappa0Hex().equals(k) && i.recordType().equals("txtr"))
          .count() == 3, "three answers for the doctor");
      assertThat(inbox.items(doctor, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
          .contains("You opened a treatment: " + heading, "The patient accepted your invitation to " + heading,
              pia + " accepted your invitation to " + heading,
              "The family member or legal agent accepted your invitation to " + heading);
      assertThat(inbox.items(family, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
          .contains(dr + " invited you to a treatment: " + heading);
      assertThat(inbox.items(outsider, 30)).noneMatch(i -> i.kappa0Hex().equals(k));

      // The push: the same sentence, the title as that user's own pages read it, and nobody else's.
      await(() -> probe.seen().stream().anyMatch(e -> e.kappa0Hex().equals(k) && e.username().equals(pu)
          && e.recordType().equals("txm")), "the dispensing's push event for the patient");
      InboxUpdated dispensed = probe.seen().stream().filter(e -> e.kappa0Hex().equals(k) && e.username().equals(pu)
          && e.recordType().equals("txm")).findFirst().orElseThrow();
      assertThat(dispensed.recordKappaHex()).isNotBlank();
      assertThat(inbox.sentence(dispensed)).isEqualTo(pia + " recorded the dispensing in " + heading);
      List<InboxUpdated> diagnoses = probe.seen().stream().filter(e -> e.kappa0Hex().equals(k) && e.username().equals(pu)
          && e.recordType().equals("txd")).toList();
      assertThat(diagnoses).hasSize(2).extracting(inbox::sentence)
          .containsExactlyInAnyOrder(dr + " added the treatment's details: " + heading, dr + " wrote a diagnosis in " + heading);
      // A user who never read the cover (or logged out since) is told by the doctor's name only.
      InboxUpdated forOutsider = new InboxUpdated(ou, "txm", k, dispensed.recordKappaHex());
      assertThat(inbox.sentence(forOutsider)).isEqualTo(pia + " recorded the dispensing in your treatment with " + dr)
          .doesNotContain(title).doesNotContain(alice);
      names.forget(pu);
      assertThat(inbox.sentence(dispensed)).isEqualTo(pia + " recorded the dispensing in your treatment with " + dr);
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  /**
   * Issue 12, part 2: an answer the doctor cannot open does not block the treatment. The doctor's
   * page names the member in plain words; the member sees their answer could not be read and sends
   * it again (a replacement), after which the key is built; or the doctor continues without them,
   * who is told and can then neither read nor write in that treatment.
   */
  @Test
  void anUnreadableAnswerIsNamedReplacedOrLeftOut() throws Exception {
    String pu = unique("pat"), du = unique("doc"), mu = unique("pha");
    accounts.register(pu, "Pat", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Keys", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    String anna = "Anna Apotheke " + mu.substring(4);
    invited(mu, anna, Role.PHARMACIST, "Test Pharmacy", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray())) {
      String unreadable = anna + "'s answer could not be read. You can wait for a corrected answer or continue without "
          + anna + ".";
      for (boolean replace : List.of(true, false)) {
        TreatmentService.ConsentView c = treatments.consent(patient, null, doctor.indexHex(), List.of(pharmacist.indexHex()),
            List.of(), List.of());
        String k = treatments.open(doctor, c.text());
        Txtc txtc = (Txtc) client.getRecord(portal.get(), org.medledger.core.crypto.Bytes.unhex(k)).orElseThrow();
        treatments.respond(patient, k);
        AnswerForger.storeUnreadableAnswer(client, pharmacist, txtc, k);

        TreatmentService.TreatmentView dv = treatments.view(doctor, k, false);
        assertThat(dv.unreadable()).extracting(TreatmentService.MemberView::name).containsExactly(anna);
        assertThat(dv.canBuildKey()).isFalse();
        assertThat(dv.writable()).isNull();
        assertThat(dv.status()).isEqualTo("An answer could not be read");
        assertThat(treatments.unreadableText(dv.unreadable().get(0))).isEqualTo(unreadable);
        assertThatThrownBy(() -> treatments.buildKey(doctor, k)).isInstanceOf(PortalException.class).hasMessage(unreadable);
        TreatmentService.TreatmentView mv = treatments.view(pharmacist, k, false);
        assertThat(mv.myAnswerUnreadable()).isTrue();
        assertThat(mv.canRespond()).isTrue();
        assertThatThrownBy(() -> treatments.write(pharmacist, k, "too early")).isInstanceOf(PortalException.class)
            .hasMessageContaining("not ready yet");

        if (replace) {
          treatments.respond(pharmacist, k); // the replacement (rule R5)
          assertThat(treatments.view(pharmacist, k, false).canRespond()).isFalse();
          assertThatThrownBy(() -> treatments.respond(pharmacist, k)).hasMessageContaining("already accepted");
          dv = treatments.view(doctor, k, false);
          assertThat(dv.unreadable()).isEmpty();
          assertThat(dv.canBuildKey()).isTrue();
          assertThat(dv.records()).extracting(TreatmentService.RecordView::text).contains("sent their answer again");
          treatments.buildKey(doctor, k);
          treatments.write(doctor, k, "Diagnosis after a corrected answer.");
          treatments.write(pharmacist, k, "Dispensed.");
          assertThat(treatments.view(patient, k, false).records()).extracting(TreatmentService.RecordView::text)
              .contains("Diagnosis after a corrected answer.", "Dispensed.");
          assertThatThrownBy(() -> treatments.buildKeyWithout(doctor, k, List.of(pharmacist.indexHex())))
              .hasMessageContaining("already established");
        } else {
          // the patient's index in this treatment (a per-treatment identity), as the doctor's page lists it
          String patientHere = treatments.view(doctor, k, false).members().stream()
              .filter(m -> m.role() == Role.PATIENT).findFirst().orElseThrow().indexHex();
          assertThatThrownBy(() -> treatments.buildKeyWithout(doctor, k, List.of(patientHere)))
              .hasMessageContaining("patient cannot be left out");
          treatments.buildKeyWithout(doctor, k, List.of(pharmacist.indexHex()));
          await(() -> probe.seen().stream().anyMatch(e -> e.kappa0Hex().equals(k) && e.recordType().equals("txk")
              && e.username().equals(mu)), "the txk event in the left-out pharmacist's inbox");
          treatments.write(doctor, k, "Diagnosis without the pharmacy.");
          TreatmentService.TreatmentView left = treatments.view(pharmacist, k, false);
          assertThat(left.leftOut()).isTrue();
          assertThat(left.status()).isEqualTo("You are not part of this treatment's key");
          assertThat(left.writable()).isNull();
          assertThat(left.canRespond()).isFalse();
          assertThat(left.records()).extracting(TreatmentService.RecordView::text)
              .contains(TreatmentService.LEFT_OUT, "(cannot be decrypted with your key)")
              .doesNotContain("Diagnosis without the pharmacy.");
          assertThatThrownBy(() -> treatments.write(pharmacist, k, "x")).hasMessage(TreatmentService.LEFT_OUT);
          assertThatThrownBy(() -> treatments.respond(pharmacist, k)).hasMessage(TreatmentService.LEFT_OUT);
          TreatmentService.TreatmentView pv = treatments.view(patient, k, false);
          assertThat(pv.records()).extracting(TreatmentService.RecordView::text).contains("Diagnosis without the pharmacy.",
              "The doctor established the treatment key without " + anna + ".");
          assertThat(pv.members()).filteredOn(TreatmentService.MemberView::leftOut)
              .extracting(TreatmentService.MemberView::name).containsExactly(anna);
        }
      }
    }
  }

  /**
   * Issue 12, part 2: before the doctor's first record only the doctor may write (a pharmacist on
   * the doctor's own portal used to pick up the doctor's unpinned key), and the doctor's key,
   * built before an answer was replaced, is built again from the latest answers.
   */
  @Test
  void onlyTheDoctorPinsTheKeyAndTheLatestAnswerCounts() {
    String pu = unique("pat"), du = unique("doc"), mu = unique("pha");
    accounts.register(pu, "Pat", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Pin", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    String bea = "Bea Pharma " + mu.substring(4);
    invited(mu, bea, Role.PHARMACIST, "Test Pharmacy", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray())) {
      TreatmentService.ConsentView c = treatments.consent(patient, null, doctor.indexHex(), List.of(pharmacist.indexHex()),
          List.of(), List.of());
      String k = treatments.open(doctor, c.text());
      treatments.respond(patient, k);
      treatments.respond(pharmacist, k);
      treatments.buildKey(doctor, k); // kept on the doctor's portal, not yet on the ledger
      assertThat(treatments.view(pharmacist, k, false).writable()).isNull();
      assertThatThrownBy(() -> treatments.write(pharmacist, k, "before the doctor")).isInstanceOf(PortalException.class)
          .hasMessageContaining("not ready yet");
      // The pharmacist's answer is replaced by one that does not open: the kept key no longer fits.
      Txtc txtc = (Txtc) client.getRecord(portal.get(), org.medledger.core.crypto.Bytes.unhex(k)).orElseThrow();
      AnswerForger.storeUnreadableAnswer(client, pharmacist, txtc, k);
      assertThatThrownBy(() -> treatments.write(doctor, k, "diagnosis")).isInstanceOf(PortalException.class)
          .hasMessage(bea + "'s answer could not be read. You can wait for a corrected answer or continue without " + bea + ".");
      treatments.respond(pharmacist, k);
      treatments.write(doctor, k, "diagnosis");
      treatments.write(pharmacist, k, "after the doctor");
      assertThat(treatments.view(patient, k, false).records()).extracting(TreatmentService.RecordView::text)
          .contains("diagnosis", "after the doctor");
    }
  }

  /**
   * The doctor's page and the event handler can build one treatment's key at the same moment
   * (the last answer arrives while the doctor opens the page; a browser test's page failed so
   * in CI). Every builder returns, one key is kept and the cover is written once.
   */
  @Test
  void aKeyBuiltFromSeveralThreadsAtOnceIsBuiltOnce() throws Exception {
    String pu = unique("pat"), du = unique("doc"), mu = unique("pha");
    accounts.register(pu, "Pat", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Race", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    invited(mu, "Rita Pharma", Role.PHARMACIST, "Test Pharmacy", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray())) {
      String k = treatments.open(doctor, treatments.consent(patient, new CoverRequest("Race " + pu, "Pat Race", null, List.of()),
          null, doctor.indexHex(), List.of(pharmacist.indexHex()), List.of(), List.of()).text());
      treatments.respond(patient, k);
      treatments.respond(pharmacist, k);
      int builders = 6;
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(builders);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(builders);
      try {
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int i = 0; i < builders; i++) {
          done.add(pool.submit(() -> {
            together.await();
            treatments.buildKey(doctor, k);
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> f : done) f.get(); // any builder's failure fails the test
      } finally {
        pool.shutdownNow();
      }
      assertThat(treatments.view(doctor, k, false).keyReady()).isTrue();
      await(() -> treatments.view(pharmacist, k, false).cover() != null, "the cover for the pharmacist");
      assertThat(treatments.view(patient, k, false).records()).filteredOn(TreatmentService.RecordView::cover).hasSize(1);
      treatments.write(doctor, k, "diagnosis");
      treatments.write(pharmacist, k, "dispensed");
      assertThat(treatments.view(patient, k, false).records()).extracting(TreatmentService.RecordView::text)
          .contains("diagnosis", "dispensed");
    }
  }

  /**
   * Issue 13: the doctor's key is built without the doctor reopening the treatment's page —
   * by the event handler when the last answer arrives while the doctor is logged in (their
   * session's actor in {@link SignedInDoctors}), and otherwise at the doctor's next login. An
   * unreadable answer leaves the treatment as it is and does not stop the handler. The patient
   * is told her treatment was opened, not invited to it.
   */
  @Test
  void theKeyIsBuiltWhenTheLastAnswerArrivesOrAtTheDoctorsNextLogin() throws Exception {
    String pu = unique("pat"), du = unique("doc"), mu = unique("pha");
    accounts.register(pu, "Pat", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Auto", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    invited(mu, "Phil Pharma", Role.PHARMACIST, "Test Pharmacy", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray())) {
      // Logged in: the doctor's session holds the actor.
      signedIn.add(doctor);
      try {
        String k = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(),
            List.of(pharmacist.indexHex()), List.of(), List.of()).text());
        assertThat(treatments.todo(pharmacist, k)).contains("Answer the invitation from Dr. Auto");
        assertThat(treatments.todo(patient, k)).contains("Confirm your treatment with Dr. Auto");
        treatments.respond(patient, k);
        treatments.respond(pharmacist, k);
        await(() -> repository.pendingTag(k).isPresent(), "the key built when the last answer arrived");
        assertThat(treatments.view(doctor, k, false).keyReady()).isTrue();
        assertThat(treatments.todo(doctor, k)).contains("Write the first diagnosis: everyone has answered");
        assertThat(treatments.todo(pharmacist, k)).isEmpty();
        treatments.write(doctor, k, "diagnosis");
        assertThat(treatments.todo(doctor, k)).isEmpty();
        assertThat(treatments.todo(pharmacist, k)).contains("Record the dispensing");
        treatments.write(pharmacist, k, "dispensed");
        assertThat(treatments.todo(pharmacist, k)).isEmpty();
        await(() -> inbox.items(pu, 30).stream().filter(i -> i.kappa0Hex().equals(k)).count() == 3, "three items for the patient");
        assertThat(inbox.items(pu, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
            .containsExactlyInAnyOrder("Your treatment with Dr. Auto was opened",
                "Dr. Auto wrote a diagnosis in your treatment with them",
                "Phil Pharma recorded the dispensing in your treatment with Dr. Auto");
        assertThat(inbox.items(mu, 30)).filteredOn(i -> i.kappa0Hex().equals(k)).extracting(InboxService.Item::title)
            .contains("Dr. Auto invited you to a treatment");

        // An answer that cannot be read: nothing is built, the handler goes on.
        String bad = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(),
            List.of(pharmacist.indexHex()), List.of(), List.of()).text());
        treatments.respond(patient, bad);
        AnswerForger.storeUnreadableAnswer(client, pharmacist,
            (Txtc) client.getRecord(portal.get(), org.medledger.core.crypto.Bytes.unhex(bad)).orElseThrow(), bad);
        long failed = subscriber.failedEvents();
        await(() -> inbox.items(du, 100).stream().filter(i -> i.kappa0Hex().equals(bad) && i.recordType().equals("txtr"))
            .count() == 2, "both answers in the doctor's inbox");
        assertThat(repository.pendingTag(bad)).isEmpty();
        assertThat(subscriber.failedEvents()).isEqualTo(failed);
        assertThat(treatments.view(doctor, bad, false).status()).isEqualTo("An answer could not be read");
      } finally {
        signedIn.remove(doctor);
      }

      // Logged out: the answers wait for the doctor's next login.
      String later = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(),
          List.of(pharmacist.indexHex()), List.of(), List.of()).text());
      treatments.respond(patient, later);
      treatments.respond(pharmacist, later);
      await(() -> inbox.items(du, 100).stream().filter(i -> i.kappa0Hex().equals(later) && i.recordType().equals("txtr"))
          .count() == 2, "both answers in the doctor's inbox");
      assertThat(repository.pendingTag(later)).isEmpty();
      assertThat(keys.atLogin(doctor)).isEqualTo(1);
      assertThat(repository.pendingTag(later)).isPresent();
      treatments.write(doctor, later, "diagnosis");
      treatments.write(pharmacist, later, "dispensed");
    }
  }

  /** Issue 10, item 9: a given-up event moves the checkpoint past it and is counted, in the database. */
  @Test
  void aFailedEventIsRecordedAndTheCheckpointMovesPastIt() {
    String name = unique("it-subscriber");
    assertThat(inbox.failedEvents(name)).isZero();
    inbox.recordFailed(name, new ChaincodeEvent(7, "tx-seven", "medledger", new byte[0]), "java.lang.IllegalStateException");
    assertThat(inbox.checkpointBlock(name)).hasValue(7);
    assertThat(inbox.checkpointTransaction(name)).contains("tx-seven");
    inbox.recordFailed(name, new ChaincodeEvent(9, "tx-nine", "medledger", new byte[0]), "java.lang.OutOfMemoryError");
    assertThat(inbox.failedEvents(name)).isEqualTo(2);
    assertThat(inbox.checkpointTransaction(name)).contains("tx-nine");
  }

  // ------------------------------------------------------------------ logins (issue 10, items 2, 5, 10)

  @Test
  void anUnknownUserCostsOneArgon2EvaluationAndGetsTheWrongPasswordAnswer() {
    String known = unique("pat");
    accounts.register(known, "Pat", Role.PATIENT, null, "password123".toCharArray());
    long before = argon2.evaluations();
    assertThatThrownBy(() -> accounts.unlock(known, "not the password".toCharArray(), "192.0.2.10"))
        .isExactlyInstanceOf(PortalException.class).hasMessage("Wrong user name or password.");
    assertThat(argon2.evaluations() - before).isEqualTo(1);
    assertThatThrownBy(() -> accounts.unlock(unique("nobody"), "not the password".toCharArray(), "192.0.2.10"))
        .isExactlyInstanceOf(PortalException.class).hasMessage("Wrong user name or password.");
    assertThat(argon2.evaluations() - before).as("an unknown name costs an Argon2id evaluation too").isEqualTo(2);
  }

  @Test
  void parallelWrongPasswordsAreCountedBeforeArgon2RunsAndTheRightOneThenWaits() throws Exception {
    String user = unique("pat");
    accounts.register(user, "Pat", Role.PATIENT, null, "password123".toCharArray());
    long before = argon2.evaluations();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(20);
    List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      answers.add(threads.submit(() -> {
        go.await();
        try {
          accounts.unlock(user, ("wrong guess " + n).toCharArray(), null);
          return "logged in";
        } catch (PortalException e) {
          return e.getMessage();
        }
      }));
    }
    go.countDown();
    List<String> messages = new java.util.ArrayList<>();
    for (var f : answers) messages.add(f.get());
    threads.shutdown();
    assertThat(messages).doesNotContain("logged in");
    assertThat(argon2.evaluations() - before).as("Argon2id evaluations of 20 parallel wrong passwords").isLessThanOrEqualTo(4);
    assertThatThrownBy(() -> accounts.unlock(user, "password123".toCharArray(), null))
        .isInstanceOfSatisfying(TryLaterException.class, e -> {
          assertThat(e.status()).isEqualTo(429);
          assertThat(e.retryAfterSeconds()).isPositive();
        }).hasMessageMatching("Too many failed attempts; please try again in \\d+ s\\.");
  }

  @Test
  void oneAddressIsDelayedAcrossAccountNamesWhileOthersLogIn() {
    String user = unique("doc");
    invited(user, "Dr. Address", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    // 30 free failures per address (the default), each under another name: no account delay.
    for (int i = 0; i < 31; i++) {
      assertThatThrownBy(() -> accounts.unlock(unique("guess"), "password123".toCharArray(), "203.0.113.7"))
          .hasMessage("Wrong user name or password.");
    }
    long before = argon2.evaluations();
    assertThatThrownBy(() -> accounts.unlock(user, "password123".toCharArray(), "203.0.113.7"))
        .isInstanceOfSatisfying(TryLaterException.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(argon2.evaluations()).as("a delayed attempt costs no evaluation").isEqualTo(before);
    try (Actor a = accounts.unlock(user, "password123".toCharArray(), "198.51.100.9")) {
      assertThat(a.username()).isEqualTo(user);
    }
  }

  @Test
  void theRecoveryKitSetsANewPasswordEvenWhileDelayedAndEveryRecordStaysReadable() {
    String pu = unique("pat"), du = unique("doc");
    AccountService.Registered kit = accounts.register(pu, "Pat Kit", Role.PATIENT, null, "password123".toCharArray());
    AccountService.Registered otherKit = invited(du, "Dr. Kit", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    String k;
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray())) {
      TreatmentService.ConsentView c = treatments.consent(patient, null, doctor.indexHex(), List.of(), List.of(), List.of());
      k = treatments.open(doctor, c.text());
      treatments.respond(patient, k);
      treatments.buildKey(doctor, k);
      treatments.write(doctor, k, "Diagnosis readable after a recovery.");
    }
    // A stranger's guesses put the account under a delay ...
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> accounts.unlock(pu, "a guess".toCharArray(), "192.0.2.66")).isInstanceOf(PortalException.class);
    }
    assertThatThrownBy(() -> accounts.unlock(pu, "password123".toCharArray(), "192.0.2.67")).isInstanceOf(TryLaterException.class);
    // ... someone else's kit and an unknown name get the same refusal ...
    assertThatThrownBy(() -> accounts.redeemRecoveryKit(pu, otherKit.recoveryText(), "new password 1".toCharArray(), "192.0.2.67"))
        .hasMessage("The user name and the recovery code do not match.");
    assertThatThrownBy(() -> accounts.redeemRecoveryKit(unique("nobody"), kit.recoveryText(), "new password 1".toCharArray(), "192.0.2.67"))
        .hasMessage("The user name and the recovery code do not match.");
    // A typo: the code's first letter changed (replacing given letters changed nothing when the
    // random code had none of them, about one run in forty).
    String text = kit.recoveryText();
    int first = text.indexOf('-') + 1;
    String typo = text.substring(0, first) + (text.charAt(first) == 'A' ? 'B' : 'A') + text.substring(first + 1);
    assertThatThrownBy(() -> accounts.redeemRecoveryKit(pu, typo, "new password 1".toCharArray(), "192.0.2.67"))
        .hasMessageContaining("typo");
    // ... but the owner's kit works at once and ends the delay.
    accounts.redeemRecoveryKit(pu, kit.recoveryText().toLowerCase().replace('-', ' '), "new password 1".toCharArray(), "192.0.2.67");
    assertThatThrownBy(() -> accounts.unlock(pu, "password123".toCharArray(), "192.0.2.67")).hasMessage("Wrong user name or password.");
    try (Actor patient = accounts.unlock(pu, "new password 1".toCharArray(), "192.0.2.67")) {
      TreatmentService.TreatmentView v = treatments.view(patient, k, false);
      assertThat(v.records()).anySatisfy(r -> assertThat(r.text()).isEqualTo("Diagnosis readable after a recovery."));
    }
  }

  @Test
  void aPasswordIsTheSameInEveryUnicodeFormAndRefusedCharactersGetAClearMessage() {
    String user = unique("fam");
    accounts.register(user, "Amélie", Role.FAMILY, null, "Am\u00e9lie caf\u00e9\u00a0bleu".toCharArray()); // NFC, no-break space
    try (Actor a = accounts.unlock(user, "Ame\u0301lie cafe\u0301 bleu".toCharArray(), "192.0.2.80")) { // NFD, plain space
      assertThat(a.username()).isEqualTo(user);
    }
    assertThatThrownBy(() -> accounts.register(unique("fam"), "Bell", Role.FAMILY, null, "pass\u0007word1".toCharArray()))
        .isInstanceOf(PortalException.class)
        .hasMessage("The password contains a control character (U+0007, character 5), which passwords may not contain.");
    assertThatThrownBy(() -> accounts.unlock(user, "pass\u0007word1".toCharArray(), "192.0.2.80"))
        .hasMessage("The password contains a control character (U+0007, character 5), which passwords may not contain.");
  }

  /**
   * Secrets at rest: after a password change no blob anywhere in the data directory (the H2
   * file included) opens with the old password, and after deletion none opens with the last one.
   * The scan reads the files as an attacker with a copy of the directory would.
   */
  @Test
  void aPasswordChangeAndADeletionLeaveNoBlobTheOldPasswordOpens() throws Exception {
    String oldPw = "old " + UUID.randomUUID(), newPw = "new " + UUID.randomUUID();
    String user = unique("doc");
    invited(user, "Dr. Rest", Role.DOCTOR, "Test Hospital", oldPw.toCharArray());
    // Sanity: the scan finds the blob the old password opens (H2 may write it a moment later).
    for (int i = 0; i < 100 && blobsOpenedBy(oldPw) == 0; i++) Thread.sleep(100);
    assertThat(blobsOpenedBy(oldPw)).as("wrapped secrets on disk that the current password opens").isEqualTo(1);
    try (Actor a = accounts.unlock(user, oldPw.toCharArray())) {
      accounts.changePassword(a, oldPw.toCharArray(), newPw.toCharArray());
    }
    assertThat(blobsOpenedBy(oldPw)).as("wrapped secrets on disk that the OLD password still opens").isZero();
    for (int i = 0; i < 100 && blobsOpenedBy(newPw) == 0; i++) Thread.sleep(100);
    assertThat(blobsOpenedBy(newPw)).isEqualTo(1);
    try (Actor a = accounts.unlock(user, newPw.toCharArray())) {
      accounts.delete(a, newPw.toCharArray());
    }
    assertThat(blobsOpenedBy(newPw)).as("wrapped secrets on disk of a deleted account").isZero();
    assertThatThrownBy(() -> accounts.unlock(user, newPw.toCharArray())).isInstanceOf(PortalException.class);
  }

  /**
   * What a start does with registrations a crash left PENDING: one whose registration reached
   * the ledger is completed (it logs in), one whose did not is rolled back (row and secret gone,
   * the name free again). Until then neither logs in and both names are taken.
   */
  @Test
  void aStartCompletesAPendingRegistrationTheLedgerHasAndRollsBackOneItHasNot() throws Exception {
    String pw = "pending " + UUID.randomUUID();
    String onLedger = unique("pend"), notOnLedger = unique("pend");
    try (UserSecret a = crypto.newSecret(); UserSecret b = crypto.newSecret()) {
      Account rowA = pendingAccount(onLedger, a, pw), rowB = pendingAccount(notOnLedger, b, pw);
      String ia = rowA.getIndexHex(), ib = rowB.getIndexHex();
      // the crash came after the first one's ledger write, before the second one's
      var cert = org.medledger.ledger.embedded.EmbeddedCertificateAuthority.parsePem(rowA.getCertificatePem());
      client.store(new org.medledger.ledger.LedgerIdentity(rowA.getMspId(), cert, a.signingKeyPair().toJca().getPrivate()),
          new org.medledger.core.record.Registration(Role.DOCTOR, ParticipantIndex.parse(ia), cert.getEncoded()));
      for (String u : List.of(onLedger, notOnLedger)) {
        assertThatThrownBy(() -> accounts.unlock(u, pw.toCharArray())).as("a pending account logs in").isInstanceOf(PortalException.class);
        assertThatThrownBy(() -> accounts.register(u, "Someone", Role.LAWYER, null, "password123".toCharArray()))
            .as("a pending name is registered again").hasMessageContaining("is taken");
      }
      assertThat(secrets(ib)).isTrue();

      pendingRegistrations.settle();

      try (Actor back = accounts.unlock(onLedger, pw.toCharArray())) {
        assertThat(back.indexHex()).isEqualTo(ia);
      }
      assertThat(repository.usernameTaken(notOnLedger)).isFalse();
      assertThat(secrets(ib)).as("the rolled-back account's wrapped secret").isFalse();
      assertThat(client.participant(portal.get(), ParticipantIndex.parse(ib))).isEmpty();
    }
  }

  private boolean secrets(String indexHex) {
    return java.nio.file.Files.exists(config.dataDir().resolve("secrets").resolve(indexHex + ".wrap"));
  }

  /** A doctor's account row as registerNew leaves it just before the ledger write. */
  private Account pendingAccount(String user, UserSecret sigma, String pw) throws Exception {
    var signing = sigma.signingKeyPair();
    String indexHex = ParticipantIndex.hex(ParticipantIndex.of(signing.publicKey()));
    String msp = organisations.mspFor(Role.DOCTOR);
    var cert = organisations.issue(msp, new CertificateSubject("Dr. Pending", Role.DOCTOR, "Dr. Pending", "Test Hospital"),
        signing.toJca());
    Account a = new Account();
    a.setUsername(user);
    a.setDisplayName("Dr. Pending");
    a.setRole(Role.DOCTOR);
    a.setInstitution("Test Hospital");
    a.setMspId(msp);
    a.setIndexHex(indexHex);
    a.setPublicKey(signing.publicKey());
    a.setCertificatePem(org.medledger.ledger.embedded.EmbeddedCertificateAuthority.pem(cert));
    a.setWrappedSecret(crypto.wrap(sigma, pw.toCharArray()));
    a.setStatus(AccountStatus.PENDING);
    a.setCreatedAt(java.time.Instant.now());
    return repository.insert(a);
  }

  /** Every wrapped-secret-shaped byte run under the data directory that the password opens. */
  private int blobsOpenedBy(String password) throws java.io.IOException {
    byte[] prefix;
    try (UserSecret s = crypto.newSecret()) {
      prefix = java.util.Arrays.copyOf(crypto.wrap(s, "anything at all".toCharArray()), 10); // magic, version, cost
    }
    int opened = 0;
    List<java.nio.file.Path> files;
    try (var walk = java.nio.file.Files.walk(config.dataDir())) {
      files = walk.filter(java.nio.file.Files::isRegularFile).toList();
    }
    for (java.nio.file.Path f : files) {
      byte[] bytes;
      try {
        bytes = java.nio.file.Files.readAllBytes(f);
      } catch (java.io.IOException e) {
        continue; // vanished meanwhile (a temporary file)
      }
      outer:
      for (int i = 0; i + PasswordWrap.WRAPPED_BYTES <= bytes.length; i++) {
        for (int j = 0; j < prefix.length; j++) if (bytes[i + j] != prefix[j]) continue outer;
        try (UserSecret s = crypto.unwrap(java.util.Arrays.copyOfRange(bytes, i, i + PasswordWrap.WRAPPED_BYTES),
            password.toCharArray())) {
          opened++;
        } catch (RuntimeException wrongOrNotABlob) {
          // another account's blob, or bytes that only look like one
        }
      }
    }
    return opened;
  }

  /**
   * Each structured record (docs/protocol.md §Content of a record) is stored through the forms'
   * service, read back by every member in people's words, and is a resource HAPI's validator
   * accepts; an older text record stays readable; a bad form or resource is refused naming its
   * field and nothing is stored; the export is one Bundle for members only.
   */
  @Test
  void structuredRecordsAreStoredValidatedAndReadBackAndExportedAsABundle() throws Exception {
    String pu = unique("pat"), du = unique("doc"), mu = unique("pha"), iu = unique("ins"), ou = unique("out");
    String s = pu.substring(4);
    accounts.register(pu, "Anna F.", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Fhir " + s, Role.DOCTOR, "Fhir Hospital", "password123".toCharArray());
    invited(mu, "Pia Fhir " + s, Role.PHARMACIST, "Fhir Pharmacy", "password123".toCharArray());
    invited(iu, "Ines Fhir " + s, Role.INSURER, "Fhir Insurance", "password123".toCharArray());
    invited(ou, "Otto Fhir " + s, Role.INSURER, "Other Insurance", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor pharmacist = accounts.unlock(mu, "password123".toCharArray());
        Actor insurer = accounts.unlock(iu, "password123".toCharArray());
        Actor outsider = accounts.unlock(ou, "password123".toCharArray())) {
      TreatmentService.ConsentView c = treatments.consent(patient, new CoverRequest("Appendicitis " + s, "Anna Fhir " + s,
          java.time.LocalDate.of(1980, 3, 3), List.of()), null, doctor.indexHex(), List.of(pharmacist.indexHex()),
          List.of(insurer.indexHex()), List.of());
      String k = treatments.open(doctor, c.text());
      for (Actor a : List.of(patient, pharmacist, insurer)) treatments.respond(a, k);
      treatments.buildKey(doctor, k);
      treatments.write(doctor, k, "Admitted in the evening."); // text, as records were before

      var dx = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.DIAGNOSIS);
      dx.setDiagnosisCode("K35.8");
      dx.setNote("Appendectomy on day 1.");
      clinical.write(doctor, k, dx);
      var rx = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.PRESCRIPTION);
      rx.setMedication("J01CA04");
      rx.setDose("1");
      rx.setTimesPerDay("3");
      rx.setDays("7");
      clinical.write(doctor, k, rx);
      var ob = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.OBSERVATION);
      ob.setObservationCode("1988-5");
      ob.setValue("86");
      clinical.write(doctor, k, ob);
      var pr = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.PROCEDURE);
      pr.setProcedureCode("6025007");
      clinical.write(doctor, k, pr);
      var md = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.DISPENSING);
      md.setMedication("J01CA04");
      md.setQuantity("21");
      md.setCharge("12.50");
      clinical.write(pharmacist, k, md);
      var cr = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.DECISION);
      cr.setOutcome("APPROVED");
      cr.setClaimed("1250");
      cr.setCovered("1250");
      clinical.write(insurer, k, cr);
      // A form whose structured fields are all empty stores its note alone, as text.
      var noteOnly = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.DISPENSING);
      noteOnly.setNote("Patient asked about side effects.");
      clinical.write(pharmacist, k, noteOnly);

      // Refused, naming the field; nothing stored.
      int before = treatments.view(patient, k, false).records().size();
      var bad = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.PRESCRIPTION);
      bad.setMedication("J01CA04");
      bad.setDose("-1");
      bad.setTimesPerDay("3");
      bad.setDays("7");
      assertThatThrownBy(() -> clinical.write(doctor, k, bad))
          .isInstanceOfSatisfying(org.medledger.portal.application.fhir.InvalidRecordException.class,
              e -> assertThat(e.field()).isEqualTo("dose"))
          .hasMessageStartingWith("Dose:");
      assertThatThrownBy(() -> clinical.importResource(doctor, k,
          "{\"resourceType\":\"Condition\",\"code\":{\"text\":\"Angina\"}}"))
          .isInstanceOfSatisfying(org.medledger.portal.application.fhir.InvalidRecordException.class,
              e -> assertThat(e.field()).isEqualTo("Condition.subject"))
          .hasMessageContaining("Condition.subject");
      assertThat(treatments.view(patient, k, false).records()).hasSize(before);

      for (Actor reader : List.of(patient, doctor, pharmacist, insurer)) {
        List<TreatmentService.RecordView> recs = treatments.view(reader, k, false).records().stream()
            .filter(r -> r.type().isProcessRecord() && !r.cover()).toList();
        assertThat(recs).extracting(TreatmentService.RecordView::title)
            .containsExactly("Diagnosis", "Diagnosis", "Prescription", "Observation", "Procedure", "Dispensing",
                "Insurance decision", "Dispensing");
        assertThat(recs).extracting(TreatmentService.RecordView::text).containsExactly(
            "Admitted in the evening.",
            "Diagnosis: K35.8 Acute appendicitis, other and unspecified\nNote: Appendectomy on day 1.",
            "Medication: Amoxicillin 500 mg capsule (J01CA04)\nDosage: 1 capsule three times a day for 7 days",
            "C reactive protein: 86 mg/L",
            "Procedure: Laparoscopic appendectomy",
            "Dispensed: Amoxicillin 500 mg capsule (J01CA04)\nQuantity: 21 capsules\nCharge: 12.50 EUR",
            "Decision: Approved\nAmount claimed: 1,250.00 EUR\nAmount covered: 1,250.00 EUR",
            "Patient asked about side effects.");
        assertThat(recs).allSatisfy(r -> assertThat(r.text()).doesNotContain("{", "resourceType"));
        assertThat(recs).extracting(TreatmentService.RecordView::contentType).containsExactly(
            "text/plain;charset=utf-8", "application/fhir+json;fhirVersion=4.0", "application/fhir+json;fhirVersion=4.0",
            "application/fhir+json;fhirVersion=4.0", "application/fhir+json;fhirVersion=4.0",
            "application/fhir+json;fhirVersion=4.0", "application/fhir+json;fhirVersion=4.0", "text/plain;charset=utf-8");
        // HAPI's validator accepts every stored resource, exactly as stored.
        for (TreatmentService.RecordView r : recs) {
          if (r.content().isFhirR4()) fhir.validate(fhir.parse(r.content().text()));
        }
        assertThat(recs.get(1).content().text()).contains("\"subject\"", "Anna Fhir " + s);
      }

      // The export: one Bundle, valid, for members only.
      org.hl7.fhir.r4.model.Bundle b = (org.hl7.fhir.r4.model.Bundle) fhir.parse(clinical.bundle(insurer, k));
      fhir.validate(b);
      assertThat(b.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactly("Patient", "EpisodeOfCare",
          "Communication", "Condition", "MedicationRequest", "Observation", "Procedure", "MedicationDispense", "ChargeItem", "ClaimResponse",
          "Communication");
      assertThat(((org.hl7.fhir.r4.model.Patient) b.getEntryFirstRep().getResource()).getNameFirstRep().getText())
          .isEqualTo("Anna Fhir " + s);
      assertThat(((org.hl7.fhir.r4.model.EpisodeOfCare) b.getEntry().get(1).getResource()).getTypeFirstRep().getText())
          .isEqualTo("Appendicitis " + s);
      assertThatThrownBy(() -> clinical.bundle(outsider, k)).isInstanceOf(PortalException.class);

      // An attachment: its bytes inside the encrypted record, read back by members only.
      byte[] pdf = ("%PDF-1.4\n" + "x".repeat(4000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      var att = new org.medledger.portal.application.fhir.ClinicalForm(org.medledger.portal.application.fhir.Kind.ATTACHMENT);
      att.setAttachment(org.medledger.portal.application.fhir.AttachedFile.of("Report.pdf", pdf));
      clinical.write(doctor, k, att);
      TreatmentService.RecordView attached = treatments.view(insurer, k, false).records().stream()
          .filter(r -> "DocumentReference".equals(r.kind())).findFirst().orElseThrow();
      assertThat(attached.title()).isEqualTo("Attachment");
      assertThat(attached.text()).isEqualTo("Attached: Report.pdf, PDF, 4 KB");
      fhir.validate(fhir.parse(attached.content().text()));
      for (Actor reader : List.of(patient, pharmacist, insurer)) {
        assertThat(clinical.attachment(reader, k, attached.kappaHex())).get().satisfies(f -> {
          assertThat(f.bytes()).isEqualTo(pdf);
          assertThat(f.mediaType()).isEqualTo("application/pdf");
          assertThat(f.name()).isEqualTo("Report.pdf");
        });
      }
      assertThatThrownBy(() -> clinical.attachment(outsider, k, attached.kappaHex())).isInstanceOf(PortalException.class);
      assertThat(clinical.attachment(insurer, k, recsOf(treatments.view(insurer, k, false)).get(1).kappaHex())).isEmpty();
    }
  }

  private static List<TreatmentService.RecordView> recsOf(TreatmentService.TreatmentView v) {
    return v.records().stream().filter(r -> r.type().isProcessRecord() && !r.cover()).toList();
  }

  private static void await(java.util.function.BooleanSupplier ok, String what) throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    while (!ok.getAsBoolean()) {
      if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(100);
    }
  }

  /**
   * Issue 16: the patient adds a family member mid-treatment by the text of their card, as at the
   * start; once she accepts and the doctor's portal lets her in, she reads the whole treatment
   * under its heading, the records written before she joined too.
   */
  @Test
  void aFamilyMemberAddedByHerCardReadsTheWholeTreatment() throws Exception {
    String pu = unique("pat"), du = unique("doc"), fu = unique("fam");
    String patientName = "Paula Added " + pu.substring(3);
    accounts.register(pu, patientName, Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Family", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    accounts.register(fu, "Fiona Added", Role.FAMILY, null, "password123".toCharArray());
    byte[] vkR = Base64.getUrlDecoder().decode(accounts.view(fu).orElseThrow().publicKeyBase64Url());
    byte[] vkD = Base64.getUrlDecoder().decode(accounts.view(du).orElseThrow().publicKeyBase64Url());
    String card = new Card(Role.FAMILY, ParticipantIndex.of(vkR), vkR).text();
    String title = "Knee surgery " + pu.substring(3);
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor family = accounts.unlock(fu, "password123".toCharArray())) {
      String k = treatments.open(doctor, treatments.consent(patient, new CoverRequest(title, patientName, null, List.of()),
          null, doctor.indexHex(), List.of(), List.of(), List.of()).text());
      treatments.respond(patient, k);
      treatments.write(doctor, k, "Before: torn meniscus.");

      // Bad input names what is wrong; nothing is stored.
      assertThatThrownBy(() -> membership.addFamily(patient, k, " ")).hasMessageContaining("card text");
      assertThatThrownBy(() -> membership.addFamily(patient, k, "hello")).hasMessageContaining("not a MedLedger participant card");
      assertThatThrownBy(() -> membership.addFamily(patient, k, new Card(Role.DOCTOR, ParticipantIndex.of(vkD), vkD).text()))
          .hasMessageContaining("not a family member's card");
      assertThatThrownBy(() -> membership.addFamily(doctor, k, card)).hasMessageContaining("Only the patient");
      assertThat(membership.view(patient, k).waiting()).isEmpty();

      membership.addFamily(patient, k, card);
      assertThatThrownBy(() -> membership.addFamily(patient, k, card)).hasMessageContaining("already takes part");
      await(() -> inbox.treatments(fu).contains(k), "the treatment in the added family member's inbox");
      assertThat(treatments.view(family, k, false).canRespond()).isTrue();
      assertThat(treatments.summary(family, k).orElseThrow().status()).isEqualTo("Invitation waiting for you");
      treatments.respond(family, k);
      membership.completeIfReady(doctor, k); // false if the event handler did it already
      treatments.write(doctor, k, "After: physiotherapy twice a week.");

      TreatmentService.TreatmentView v = treatments.view(family, k, false);
      assertThat(v.heading()).isEqualTo(title + " — " + patientName);
      assertThat(treatments.summary(family, k).orElseThrow().title()).isEqualTo(title + " — " + patientName);
      assertThat(covers.of(family, k)).get().extracting(TreatmentCover::patientName).isEqualTo(patientName);
      assertThat(v.records()).extracting(TreatmentService.RecordView::text)
          .contains("Before: torn meniscus.", "After: physiotherapy twice a week.");
      assertThat(v.members()).extracting(TreatmentService.MemberView::name).contains(patientName);
      assertThat(membership.view(patient, k).history()).extracting(m -> m.who() + " " + m.verb())
          .anyMatch(h -> h.startsWith("A family member") && h.contains("joined"));
    }
  }

  /**
   * Issue 16: the access log and emergency access after the patient replaced the pharmacist (a
   * key epoch). The added pharmacist's download is recorded and the patient reads it; the removed
   * one's is refused. A permission given before the change opens what was written until then; given
   * again, the newest key opens everything.
   */
  @Test
  void afterAMemberChangeTheAccessLogAndEmergencyAccessUseTheNewestKey() {
    String pu = unique("pat"), du = unique("doc"), ou = unique("old"), nu = unique("new"), eu = unique("er");
    accounts.register(pu, "Pia", Role.PATIENT, null, "password123".toCharArray());
    invited(du, "Dr. Epoch", Role.DOCTOR, "Test Hospital", "password123".toCharArray());
    invited(ou, "Olga Old " + ou.substring(4), Role.PHARMACIST, "Old Pharmacy", "password123".toCharArray());
    String newName = "Nina New " + nu.substring(4);
    invited(nu, newName, Role.PHARMACIST, "New Pharmacy", "password123".toCharArray());
    invited(eu, "Dr. Urgent " + eu.substring(3), Role.DOCTOR, "City Emergency Service", "password123".toCharArray());
    try (Actor patient = accounts.unlock(pu, "password123".toCharArray());
        Actor doctor = accounts.unlock(du, "password123".toCharArray());
        Actor old = accounts.unlock(ou, "password123".toCharArray());
        Actor fresh = accounts.unlock(nu, "password123".toCharArray());
        Actor er = accounts.unlock(eu, "password123".toCharArray())) {
      String k = treatments.open(doctor, treatments.consent(patient, null, doctor.indexHex(), List.of(old.indexHex()),
          List.of(), List.of()).text());
      treatments.respond(patient, k);
      treatments.respond(old, k);
      treatments.write(doctor, k, "Before the change: diagnosis.");
      emergency.allow(patient, k);
      assertThat(emergency.allowed(k)).isTrue();

      membership.remove(patient, k, old.indexHex());
      membership.add(patient, k, fresh.indexHex());
      treatments.respond(fresh, k);
      membership.completeIfReady(doctor, k); // false if the event handler did it already
      treatments.write(doctor, k, "After the change: diagnosis.");
      assertThat(treatments.view(fresh, k, false).records()).extracting(TreatmentService.RecordView::text)
          .contains("Before the change: diagnosis.", "After the change: diagnosis.");
      assertThat(emergency.permission(k)).isEqualTo(org.medledger.portal.application.emergency.EmergencyService.Permission.EARLIER_KEY);
      // This treatment has no cover: once it is set up, nobody is told the details will appear.
      for (Actor a : List.of(patient, doctor, fresh)) {
        assertThat(treatments.view(a, k, false).coverPending()).as(a.username()).isNull();
      }

      // Evidence bundles across the change, checked by the standalone verifier with each one's
      // password: the added pharmacist's shows and proves every record, the earlier ones too; the
      // removed one's shows what she may read, and says which records her secret cannot open.
      org.medledger.evidence.Bundle added = org.medledger.evidence.Bundle.read(
          evidence.export(fresh, k, java.time.ZoneId.of("UTC"), java.time.Instant::toString, true));
      var addedReport = org.medledger.evidence.BundleVerifier.verify(added,
          org.medledger.evidence.BundleVerifier.secretFromPassword(added, "password123".toCharArray()));
      assertThat(addedReport.problems()).isEmpty();
      assertThat(added.names()).anyMatch(n -> n.startsWith("content/") && java.util.Arrays.equals(added.entry(n),
          "Before the change: diagnosis.".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(addedReport.notes()).anyMatch(n -> n.matches("\\d+ records decrypted with the given secret"))
          .noneMatch(n -> n.contains("cannot open"));
      org.medledger.evidence.Bundle removed = org.medledger.evidence.Bundle.read(
          evidence.export(old, k, java.time.ZoneId.of("UTC"), java.time.Instant::toString, true));
      var removedReport = org.medledger.evidence.BundleVerifier.verify(removed,
          org.medledger.evidence.BundleVerifier.secretFromPassword(removed, "password123".toCharArray()));
      assertThat(removedReport.problems()).isEmpty();
      assertThat(removedReport.notes()).anyMatch(n -> n.contains("1 record of a later key this secret cannot open"));
      assertThat(removed.names()).noneMatch(n -> n.startsWith("content/") && java.util.Arrays.equals(removed.entry(n),
          "After the change: diagnosis.".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

      // The added pharmacist's download is recorded under the newest key; the removed one is refused.
      accessLog.record(fresh, k, org.medledger.core.protocol.AccessLog.What.CASE_FILE_PDF, "");
      assertThatThrownBy(() -> accessLog.record(old, k, org.medledger.core.protocol.AccessLog.What.CASE_FILE_PDF, ""))
          .isInstanceOf(PortalException.class).hasMessageContaining("not a participant");
      assertThat(accessLog.log(patient, treatments.view(patient, k, false)))
          .extracting(org.medledger.portal.application.access.AccessLogService.Entry::sentence)
          .contains(newName + " (pharmacist) downloaded the case file");

      // The permission given before the change opens what was written until then, and no more.
      var before = emergency.breakGlass(er, k, 1);
      assertThat(before.records()).extracting(org.medledger.portal.application.emergency.EmergencyService.Line::text)
          .contains("Before the change: diagnosis.").doesNotContain("After the change: diagnosis.");
      // Given again, with the newest key: everything, the earlier epoch's records through its wrapped key.
      emergency.allow(patient, k);
      assertThat(emergency.allowed(k)).isTrue();
      var now = emergency.read(er, k, "again");
      assertThat(now.records()).extracting(org.medledger.portal.application.emergency.EmergencyService.Line::text)
          .contains("Before the change: diagnosis.", "After the change: diagnosis.");
      // Both readings are in the patient's log, each opened with her keys.
      assertThat(accessLog.log(patient, treatments.view(patient, k, false)))
          .filteredOn(org.medledger.portal.application.access.AccessLogService.Entry::emergency)
          .extracting(org.medledger.portal.application.access.AccessLogService.Entry::did)
          .contains("read the treatment in an emergency", "asked for emergency access")
          .doesNotContain("looked at the treatment (the details cannot be read with your key)");
    }
  }
}
