package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.InvalidPasswordException;
import org.medledger.core.crypto.PasswordProfile;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.crypto.WrongPasswordException;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedCertificateAuthority;
import org.medledger.portal.config.PortalConfig;
import org.medledger.portal.infrastructure.crypto.Argon2Pool;
import org.medledger.portal.application.admin.AdminService;
import org.medledger.portal.infrastructure.crypto.CryptoService;
import org.medledger.portal.infrastructure.ledger.CertificateSubject;
import org.medledger.portal.infrastructure.ledger.Organisations;
import org.medledger.portal.infrastructure.persistence.Account;
import org.medledger.portal.infrastructure.persistence.AccountRepository;
import org.medledger.portal.infrastructure.persistence.AccountStatus;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * Accounts: registration (σ, certificate, on-ledger registration for non-pseudonymous roles,
 * recovery kit), unlocking at login (counted by {@link LoginThrottle} before Argon2id runs in the
 * bounded {@link Argon2Pool}), redeeming the recovery kit for a new password, password change
 * and deletion. Passwords reach Argon2id as RFC 8265 OpaqueString enforces them (core's
 * {@code PasswordProfile}, inside {@code PasswordWrap}).
 */
@ApplicationScoped
public class AccountService {
  private static final Logger LOG = Logger.getLogger(AccountService.class.getName());
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,63}");
  private static final String WRONG = "Wrong user name or password.";
  private static final String KIT_MISMATCH = "The user name and the recovery code do not match.";
  /** User names being registered right now (see register). */
  private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> REGISTERING =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Inject AccountRepository accounts;
  @Inject CryptoService crypto;
  @Inject Organisations organisations;
  @Inject MedLedgerClient ledger;
  @Inject PortalConfig config;
  @Inject QrCodes qr;
  @Inject LoginThrottle throttle;
  @Inject Argon2Pool pool;
  @Inject AdminService admin;

  /** What the new user sees once: their index and recovery kit. */
  public record Registered(String username, String indexHex, String recoveryText, String recoveryQrDataUri,
      boolean awaitingApproval) {
    public Registered(String username, String indexHex, String recoveryText, String recoveryQrDataUri) {
      this(username, indexHex, recoveryText, recoveryQrDataUri, false);
    }

    /** The code in its groups, each with its dash, for a display that never breaks inside one. */
    public java.util.List<String> recoveryGroups() {
      String[] g = recoveryText.split("-");
      java.util.List<String> out = new java.util.ArrayList<>();
      for (int i = 0; i < g.length; i++) out.add(i + 1 < g.length ? g[i] + "-" : g[i]);
      return out;
    }

    /** The kit as a text file (a data: URI for the download link; nothing is kept on the server). */
    public String downloadHref() {
      String text = "MedLedger recovery kit\r\n\r\nUser name:       " + username + "\r\nParticipant no.: " + indexHex
          + "\r\nRecovery code:   " + recoveryText + "\r\n\r\n"
          + "Keep this safe and private: it is your key. If you forget your password, choose\r\n"
          + "\"Forgot password?\" on the login page and give your user name and this code to set a\r\n"
          + "new one. Nobody, not even the portal, can recover your key without it.\r\n";
      return "data:text/plain;charset=utf-8," + java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8)
          .replace("+", "%20");
    }
  }

  /** A local account as the pages show it (no secrets). */
  public record AccountView(String username, String displayName, Role role, String institution, String indexHex,
      String mspId, String publicKeyBase64Url, Instant createdAt, Instant lastLogin) {}

  /**
   * Self-registration. A patient or family member is registered at once (pseudonymous, nothing
   * on the ledger). A doctor, pharmacist, insurer or lawyer without an invitation only signs up:
   * σ is created and wrapped, the recovery kit shown, but no certificate exists and nothing is
   * written until the institution's administrator approves ({@link AdminService#approve}); the
   * name and institution typed here are a request, not what the certificate will say.
   */
  public Registered register(String username, String displayName, Role role, String institution, char[] password) {
    String user = checkUsername(username);
    if (displayName == null || displayName.isBlank() || displayName.length() > 128) {
      throw new PortalException("Please give your name (at most 128 characters).");
    }
    if (role == null) throw new PortalException("Please choose a role.");
    String inst = institution == null || institution.isBlank() ? defaultInstitution(role) : institution.trim();
    if (inst.length() > 128) throw new PortalException("The institution name is too long (at most 128 characters).");
    checkNewPassword(password);
    return reserved(user, () -> registerNew(user, displayName.trim(), role, inst, password,
        role.pseudonymous() ? AccountStatus.ACTIVE : AccountStatus.AWAITING));
  }

  /**
   * Registration with an administrator's invitation: the role, display name and institution are
   * the invitation's (what the administrator vouched for), and go into the certificate. The
   * invitation is used up by this registration, or given back if it fails.
   */
  public Registered registerInvited(String invitationCode, String username, char[] password) {
    String user = checkUsername(username);
    checkNewPassword(password);
    admin.offer(invitationCode); // says why an unusable invitation cannot be used, before anything is taken
    return reserved(user, () -> {
      AdminService.Offer offer = admin.claim(invitationCode, user);
      boolean done = false;
      try {
        Registered r = registerNew(user, offer.displayName(), offer.role(), offer.institution(), password, AccountStatus.PENDING);
        done = true;
        return r;
      } finally {
        if (!done) admin.release(invitationCode, user);
      }
    });
  }

  private static String checkUsername(String username) {
    String user = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    if (!USERNAME.matcher(user).matches()) {
      throw new PortalException("The user name must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'.");
    }
    return user;
  }

  private static void checkNewPassword(char[] password) {
    try {
      CryptoService.checkStrength(password);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The password " + e.getMessage() + ".");
    }
  }

  private Registered reserved(String user, java.util.function.Supplier<Registered> work) {
    // One registration per user name at a time: without this, two simultaneous requests both
    // pass the check below, both publish a certificate, and the second insert fails late.
    if (REGISTERING.putIfAbsent(user, Boolean.TRUE) != null) {
      throw new PortalException("The user name '" + user + "' is taken.");
    }
    try {
      if (accounts.usernameTaken(user)) { // pending registrations included
        throw new PortalException("The user name '" + user + "' is taken.");
      }
      return work.get();
    } finally {
      REGISTERING.remove(user);
    }
  }

  /**
   * Registration in an order a crash cannot break: the account (and its wrapped σ) is on disk as
   * PENDING before the ledger write, so the name stays taken and a restart finds it; it becomes
   * ACTIVE, synced to disk, before the user is told "registered". A restart finishes a pending
   * registration the ledger has and rolls back one it has not ({@link PendingRegistrations}).
   * Pseudonymous roles write nothing to the ledger and are ACTIVE at once; a professional's
   * sign-up waiting for approval gets no certificate and writes nothing ({@code status}
   * AWAITING).
   */
  private Registered registerNew(String user, String displayName, Role role, String inst, char[] password,
      AccountStatus status) {
    try (UserSecret sigma = crypto.newSecret()) {
      EcKeyPair signing = sigma.signingKeyPair();
      byte[] vk = signing.publicKey();
      long index = ParticipantIndex.of(vk);
      String indexHex = ParticipantIndex.hex(index);
      if (accounts.indexTaken(indexHex)) {
        throw new PortalException("Index collision, please try again."); // 2^-64: practically never
      }
      String msp = organisations.mspFor(role);
      boolean waiting = status == AccountStatus.AWAITING;
      X509Certificate cert = waiting ? null : organisations.issue(msp, subject(role, indexHex, displayName, inst), signing.toJca());
      Actor actor = waiting ? null : new Actor(user, displayName, role, inst, index, msp, cert, sigma);
      Account a = new Account();
      a.setUsername(user);
      a.setDisplayName(displayName.trim());
      a.setRole(role);
      a.setInstitution(inst);
      a.setMspId(msp);
      a.setIndexHex(indexHex);
      a.setPublicKey(vk);
      a.setCertificatePem(waiting ? "" : EmbeddedCertificateAuthority.pem(cert));
      a.setWrappedSecret(crypto.wrap(sigma, password));
      a.setStatus(status);
      a.setCreatedAt(Instant.now());
      accounts.insert(a);
      accounts.syncToDisk();
      if (status == AccountStatus.PENDING) {
        String tx = storeRegistration(actor, role, index, cert,
            () -> accounts.discardPending(user).ifPresent(accounts::eraseWrappedSecret));
        accounts.complete(user, tx);
        accounts.syncToDisk();
      }
      LOG.info(() -> (waiting ? "Sign-up waiting for approval: " : "Registered ") + role.name().toLowerCase()
          + " account " + user + " (index " + indexHex + ")");
      String payload = crypto.recoveryQrPayload(sigma);
      return new Registered(user, indexHex, crypto.recoveryText(sigma), qr.dataUri(payload, 240), waiting);
    }
  }

  /**
   * The ledger write of a pending registration. If it fails, the ledger is asked whether the
   * registration is there anyway (a Fabric submit can fail after the orderer took it): then the
   * account is completed, else the pending account is rolled back and the user told why.
   */
  private String storeRegistration(Actor actor, Role role, long index, X509Certificate cert, Runnable rollBack) {
    try {
      return ledger.store(actor.identity(), new Registration(role, index, cert.getEncoded())).transactionId();
    } catch (RuntimeException e) { // LedgerException included
      boolean there;
      try {
        there = ledger.participant(actor.identity(), index).isPresent();
      } catch (RuntimeException unknown) {
        there = false;
      }
      if (there) return null;
      rollBack.run();
      if (e instanceof LedgerException le) {
        throw new PortalException("The ledger refused the registration: " + le.getMessage(), le);
      }
      throw e;
    } catch (java.security.cert.CertificateEncodingException e) {
      rollBack.run();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The identity with which {@code x} submits in the treatment of {@code consent}: for a patient
   * or family member named by a blinded key, that key (sk_x' from σ) and a certificate for it
   * from the member CA of the account's organisation, whose subject names only the role and
   * ind_x' (docs/protocol.md §Per-treatment identities); otherwise the account's own identity.
   * Issued when needed (a patient or family member submits once per treatment, the txtr).
   */
  public org.medledger.ledger.LedgerIdentity treatmentIdentity(Actor x, org.medledger.core.record.Consent consent) {
    if (!x.role().pseudonymous()) return x.identity();
    EcKeyPair keys = org.medledger.core.protocol.TreatmentIdentities.memberKeysOrAdded(x.secret(), x.role(), consent);
    byte[] vk = keys.publicKey();
    if (ParticipantIndex.of(vk) == x.index()) return x.identity(); // a consent naming the long-term key
    java.security.KeyPair jca = keys.toJca();
    String cn = Organisations.roleAttribute(x.role()) + "-" + ParticipantIndex.hex(ParticipantIndex.of(vk));
    X509Certificate cert = organisations.issue(x.mspId(), new CertificateSubject(cn, x.role(), null, null), jca);
    return new org.medledger.ledger.LedgerIdentity(x.mspId(), cert, jca.getPrivate());
  }

  /**
   * The patient's withdrawal of a consent she made, signed with her key of that consent (sk_p',
   * docs/protocol.md §Withdrawal); it is submitted under {@link #treatmentIdentity}. Here because
   * σ stays in this package.
   */
  public org.medledger.core.record.Withdrawal withdrawal(Actor patient, org.medledger.core.record.Consent consent) {
    if (patient.role() != Role.PATIENT) throw new PortalException("Only the patient withdraws her consent.");
    try {
      return org.medledger.core.protocol.ConsentWithdrawal.withdraw(patient.secret(), consent);
    } catch (CryptoException e) {
      throw new PortalException("This consent was not made by you.");
    }
  }

  /** The certificate's subject: a professional named as vouched for; a pseudonymous role by role and index only. */
  private static CertificateSubject subject(Role role, String indexHex, String displayName, String institution) {
    return role.pseudonymous()
        ? new CertificateSubject(role.name().toLowerCase(java.util.Locale.ROOT) + "-" + indexHex, role, null, null)
        : new CertificateSubject(displayName, role, displayName, institution);
  }

  /**
   * The first login after an administrator's approval: σ is at hand, so the certificate (with the
   * approved name and institution) is issued and the registration written, in the same
   * crash-safe order as an invited registration. If the ledger refuses, the account stays
   * approved and the next login tries again.
   */
  private Account finishApproved(Account a, UserSecret sigma) {
    String user = a.getUsername();
    EcKeyPair signing = sigma.signingKeyPair();
    X509Certificate cert = organisations.issue(a.getMspId(),
        subject(a.getRole(), a.getIndexHex(), a.getDisplayName(), a.getInstitution()), signing.toJca());
    accounts.certify(user, EmbeddedCertificateAuthority.pem(cert));
    accounts.syncToDisk();
    long index = ParticipantIndex.parse(a.getIndexHex());
    Actor actor = new Actor(user, a.getDisplayName(), a.getRole(), a.getInstitution(), index, a.getMspId(), cert, sigma);
    String tx = storeRegistration(actor, a.getRole(), index, cert, () -> accounts.backToApproved(user));
    accounts.complete(user, tx);
    accounts.syncToDisk();
    LOG.info(() -> "Registered approved " + a.getRole().name().toLowerCase() + " account " + user + " (index " + a.getIndexHex() + ")");
    return accounts.byUsername(user).orElseThrow();
  }

  /** {@link #unlock(String, char[], String)} for in-process callers (no client address). */
  public Actor unlock(String username, char[] password) {
    return unlock(username, password, null);
  }

  /**
   * Unwraps σ with the password: the login. The attempt is counted (account name and client
   * address) before Argon2id runs, in a place of the bounded pool reserved first, so a crowd
   * of attempts is answered "busy" or "try again in N s" without evaluating them. An unknown
   * name is checked against a decoy wrapped secret: the same cost, the same answer.
   *
   * @throws TryLaterException when the pool is full (503) or a delay runs (429)
   * @throws PortalException for a wrong name or password, or a password OpaqueString refuses
   */
  public Actor unlock(String username, char[] password, String clientAddress) {
    String user = accountName(username);
    char[] pw = password == null ? new char[0] : password;
    refuseUnusable(pw, "The password ");
    // Completed accounts, and professional sign-ups (told below whether they may log in yet).
    Optional<Account> found = accounts.anyByUsername(user).filter(a -> a.getStatus() != AccountStatus.PENDING);
    byte[] wrapped = found.map(Account::getWrappedSecret).orElseGet(crypto::decoy);
    UserSecret sigma;
    try (Argon2Pool.Place place = pool.reserve()) {
      LoginThrottle.Ticket ticket = throttle.begin(user, clientAddress);
      try {
        sigma = crypto.unwrap(place, wrapped, pw);
      } catch (WrongPasswordException e) {
        throttle.failed(ticket);
        throw new PortalException(WRONG);
      } catch (RuntimeException e) {
        throttle.failed(ticket);
        throw e;
      }
      if (found.isEmpty()) { // a decoy never opens; kept for clarity
        sigma.close();
        throttle.failed(ticket);
        throw new PortalException(WRONG);
      }
      throttle.succeeded(ticket);
    }
    Account a = found.get();
    if (a.getStatus() == AccountStatus.AWAITING) {
      sigma.close();
      throw new PortalException("Your account is waiting for approval by your institution's administrator."
          + " You can log in once it is approved.");
    }
    if (a.getStatus() == AccountStatus.APPROVED) {
      try {
        a = finishApproved(a, sigma);
      } catch (RuntimeException e) {
        sigma.close();
        throw e;
      }
    }
    accounts.recordSuccess(user);
    return new Actor(a.getUsername(), a.getDisplayName(), a.getRole(), a.getInstitution(),
        ParticipantIndex.parse(a.getIndexHex()), a.getMspId(), certificate(a.getCertificatePem()), sigma);
  }

  /**
   * "Forgot password?": the recovery kit (σ itself) proves the account, and σ is wrapped anew
   * under the new password; every treatment stays readable because σ is unchanged. Counted
   * against the client address like a login, but never delayed by the account's own failures
   * (a stranger's guesses must not keep its owner out), and a redemption clears that delay.
   * An unknown name and someone else's kit get the same answer after the same work.
   */
  public void redeemRecoveryKit(String username, String recoveryCode, char[] newPassword, String clientAddress) {
    String user = accountName(username);
    try {
      CryptoService.checkStrength(newPassword);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The new password " + e.getMessage() + ".");
    }
    UserSecret fromKit;
    try {
      fromKit = crypto.recover(recoveryCode);
    } catch (CryptoException e) {
      throw new PortalException("The recovery code is not valid: " + e.getMessage() + ".");
    }
    try (fromKit) {
      byte[] vk = fromKit.signingKeyPair().publicKey(); // before the lookup: the same work for any name
      Optional<Account> found = accounts.byUsername(user);
      try (Argon2Pool.Place place = pool.reserve()) {
        LoginThrottle.Ticket ticket = throttle.begin(null, clientAddress);
        if (found.isEmpty() || !java.security.MessageDigest.isEqual(found.get().getPublicKey(), vk)) {
          throttle.failed(ticket);
          throw new PortalException(KIT_MISMATCH);
        }
        byte[] rewrapped;
        try {
          rewrapped = crypto.wrap(place, fromKit, newPassword);
        } catch (RuntimeException e) {
          throttle.failed(ticket);
          throw e;
        }
        accounts.replaceWrappedSecret(user, rewrapped);
        throttle.succeeded(ticket);
        throttle.forgetAccount(user);
      }
    }
    LOG.info(() -> "Recovery kit redeemed for account " + user + ": new password set");
  }

  /** The name as accounts are keyed; cut to a key's length so no request grows the throttle's table. */
  private static String accountName(String username) {
    String user = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    return user.length() > 65 ? user.substring(0, 65) : user;
  }

  /** A password OpaqueString refuses (or an empty one) is answered at once, not counted. */
  private static void refuseUnusable(char[] pw, String prefix) {
    try {
      char[] enforced = PasswordProfile.opaqueString(pw);
      java.util.Arrays.fill(enforced, '\0');
    } catch (InvalidPasswordException e) {
      throw new PortalException(prefix + e.getMessage().replaceFirst("^The password ", ""));
    }
  }

  public void changePassword(Actor actor, char[] oldPassword, char[] newPassword) {
    Account a = accounts.byUsername(actor.username()).orElseThrow(() -> new PortalException("The account no longer exists."));
    try {
      CryptoService.checkStrength(newPassword);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The new password " + e.getMessage() + ".");
    }
    byte[] rewrapped;
    try {
      rewrapped = crypto.rewrap(a.getWrappedSecret(), oldPassword, newPassword);
    } catch (WrongPasswordException e) {
      throw new PortalException("The current password is wrong; nothing was changed.");
    }
    accounts.replaceWrappedSecret(actor.username(), rewrapped);
  }

  /** The recovery kit of the unlocked user (shown again on request, after the password). */
  public Registered recoveryKit(Actor actor, char[] password) {
    Account a = accounts.byUsername(actor.username()).orElseThrow(() -> new PortalException("The account no longer exists."));
    refuseUnusable(password == null ? new char[0] : password, "The password ");
    try (UserSecret s = crypto.unwrap(a.getWrappedSecret(), password)) {
      return new Registered(a.getUsername(), a.getIndexHex(), crypto.recoveryText(s), qr.dataUri(crypto.recoveryQrPayload(s), 240));
    } catch (WrongPasswordException e) {
      throw new PortalException("The password is wrong.");
    }
  }

  /** Deletes the account and its wrapped σ: what it could decrypt stays readable by the others. */
  public void delete(Actor actor, char[] password) {
    Account a = accounts.byUsername(actor.username()).orElseThrow(() -> new PortalException("The account no longer exists."));
    refuseUnusable(password == null ? new char[0] : password, "The password ");
    try (UserSecret s = crypto.unwrap(a.getWrappedSecret(), password)) {
      // checked
    } catch (WrongPasswordException e) {
      throw new PortalException("The password is wrong; the account was not deleted.");
    }
    accounts.delete(actor.username());
    accounts.eraseWrappedSecret(a.getIndexHex()); // after the row is gone; a crash between leaves an orphan erased at start
    LOG.info(() -> "Deleted account " + actor.username());
  }

  public Optional<AccountView> view(String username) {
    return accounts.byUsername(username).map(AccountService::view);
  }

  public Optional<AccountView> byIndex(String indexHex) {
    return accounts.byIndex(indexHex).map(AccountService::view);
  }

  public long count() {
    return accounts.count();
  }

  static AccountView view(Account a) {
    return new AccountView(a.getUsername(), a.getDisplayName(), a.getRole(), a.getInstitution(), a.getIndexHex(),
        a.getMspId(), java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(a.getPublicKey()),
        a.getCreatedAt(), a.getLastLogin());
  }

  static String defaultInstitution(Role role) {
    return switch (role) {
      case DOCTOR -> "Hospital";
      case PHARMACIST -> "Pharmacy";
      case INSURER -> "Insurer";
      case LAWYER -> "Law firm";
      case PATIENT, FAMILY -> "Private";
    };
  }

  static X509Certificate certificate(String pem) {
    return EmbeddedCertificateAuthority.parsePem(pem);
  }

  static X509Certificate certificate(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a certificate", e);
    }
  }
}
