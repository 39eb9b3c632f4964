package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.medledger.core.crypto.EcKeyPair;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.crypto.WrongPasswordException;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedCertificateAuthority;
import org.medledger.portal.config.PortalConfig;
import org.medledger.portal.infrastructure.crypto.CryptoService;
import org.medledger.portal.infrastructure.ledger.Organisations;
import org.medledger.portal.infrastructure.persistence.Account;
import org.medledger.portal.infrastructure.persistence.AccountRepository;
import org.medledger.portal.infrastructure.persistence.AccountStatus;
import org.medledger.portal.infrastructure.qr.QrCodes;

/**
 * Accounts: registration (σ, certificate, on-ledger registration for non-pseudonymous roles,
 * recovery kit), unlocking at login with a growing delay and a lock after repeated failures,
 * password change and deletion.
 */
@ApplicationScoped
public class AccountService {
  private static final Logger LOG = Logger.getLogger(AccountService.class.getName());
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,63}");
  private static final String WRONG = "Wrong user name or password.";
  /** User names being registered right now (see register). */
  private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> REGISTERING =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Inject AccountRepository accounts;
  @Inject CryptoService crypto;
  @Inject Organisations organisations;
  @Inject MedLedgerClient ledger;
  @Inject PortalConfig config;
  @Inject QrCodes qr;

  /** What the new user sees once: their index and recovery kit. */
  public record Registered(String username, String indexHex, String recoveryText, String recoveryQrDataUri) {}

  /** A local account as the pages show it (no secrets). */
  public record AccountView(String username, String displayName, Role role, String institution, String indexHex,
      String mspId, String publicKeyBase64Url, Instant createdAt, Instant lastLogin) {}

  public Registered register(String username, String displayName, Role role, String institution, char[] password) {
    String user = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    if (!USERNAME.matcher(user).matches()) {
      throw new PortalException("The user name must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'.");
    }
    if (displayName == null || displayName.isBlank() || displayName.length() > 128) {
      throw new PortalException("Please give your name (at most 128 characters).");
    }
    if (role == null) throw new PortalException("Please choose a role.");
    String inst = institution == null || institution.isBlank() ? defaultInstitution(role) : institution.trim();
    if (inst.length() > 128) throw new PortalException("The institution name is too long (at most 128 characters).");
    try {
      CryptoService.checkStrength(password);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The password must have at least " + CryptoService.MIN_PASSWORD_LENGTH + " characters.");
    }
    // One registration per user name at a time: without this, two simultaneous requests both
    // pass the check below, both publish a certificate, and the second insert fails late.
    if (REGISTERING.putIfAbsent(user, Boolean.TRUE) != null) {
      throw new PortalException("The user name '" + user + "' is taken.");
    }
    try {
      if (accounts.usernameTaken(user)) { // pending registrations included
        throw new PortalException("The user name '" + user + "' is taken.");
      }
      return registerNew(user, displayName, role, inst, password);
    } finally {
      REGISTERING.remove(user);
    }
  }

  /**
   * Registration in an order a crash cannot break: the account (and its wrapped σ) is on disk as
   * PENDING before the ledger write, so the name stays taken and a restart finds it; it becomes
   * ACTIVE, synced to disk, before the user is told "registered". A restart finishes a pending
   * registration the ledger has and rolls back one it has not ({@link PendingRegistrations}).
   * Pseudonymous roles write nothing to the ledger and are ACTIVE at once.
   */
  private Registered registerNew(String user, String displayName, Role role, String inst, char[] password) {
    try (UserSecret sigma = crypto.newSecret()) {
      EcKeyPair signing = sigma.signingKeyPair();
      byte[] vk = signing.publicKey();
      long index = ParticipantIndex.of(vk);
      String indexHex = ParticipantIndex.hex(index);
      if (accounts.indexTaken(indexHex)) {
        throw new PortalException("Index collision, please try again."); // 2^-64: practically never
      }
      String msp = organisations.mspFor(role);
      // Pseudonymous roles: the certificate (visible in their transactions) names no person.
      String cn = role.pseudonymous() ? role.name().toLowerCase(java.util.Locale.ROOT) + "-" + indexHex : displayName.trim();
      X509Certificate cert = organisations.issue(msp, cn, role, signing.toJca());
      Actor actor = new Actor(user, displayName.trim(), role, inst, index, msp, cert, sigma);
      Account a = new Account();
      a.setUsername(user);
      a.setDisplayName(displayName.trim());
      a.setRole(role);
      a.setInstitution(inst);
      a.setMspId(msp);
      a.setIndexHex(indexHex);
      a.setPublicKey(vk);
      a.setCertificatePem(EmbeddedCertificateAuthority.pem(cert));
      a.setWrappedSecret(crypto.wrap(sigma, password));
      a.setStatus(role.pseudonymous() ? AccountStatus.ACTIVE : AccountStatus.PENDING);
      a.setCreatedAt(Instant.now());
      accounts.insert(a);
      accounts.syncToDisk();
      if (!role.pseudonymous()) {
        String tx = storeRegistration(actor, role, index, cert);
        accounts.complete(user, tx);
        accounts.syncToDisk();
      }
      LOG.info(() -> "Registered " + role.name().toLowerCase() + " account " + user + " (index " + indexHex + ")");
      String payload = crypto.recoveryQrPayload(sigma);
      return new Registered(user, indexHex, crypto.recoveryText(sigma), qr.dataUri(payload, 240));
    }
  }

  /**
   * The ledger write of a pending registration. If it fails, the ledger is asked whether the
   * registration is there anyway (a Fabric submit can fail after the orderer took it): then the
   * account is completed, else the pending account is rolled back and the user told why.
   */
  private String storeRegistration(Actor actor, Role role, long index, X509Certificate cert) {
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
      accounts.discardPending(actor.username()).ifPresent(accounts::eraseWrappedSecret);
      if (e instanceof LedgerException le) {
        throw new PortalException("The ledger refused the registration: " + le.getMessage(), le);
      }
      throw e;
    } catch (java.security.cert.CertificateEncodingException e) {
      accounts.discardPending(actor.username()).ifPresent(accounts::eraseWrappedSecret);
      throw new IllegalStateException(e);
    }
  }

  /**
   * Unwraps σ with the password. Each failure adds a delay (0.5 s, 1 s, 2 s, 4 s ...); after
   * {@link PortalConfig#maxFailedLogins()} failures the account is locked for a while.
   */
  public Actor unlock(String username, char[] password) {
    String user = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    Optional<Account> found = accounts.byUsername(user);
    if (found.isEmpty() || password == null || password.length == 0) {
      pause(500);
      throw new PortalException(WRONG);
    }
    Account a = found.get();
    Instant now = Instant.now();
    if (a.getLockedUntil() != null && a.getLockedUntil().isAfter(now)) {
      long min = Math.max(1, Duration.between(now, a.getLockedUntil()).toSeconds() / 60 + 1);
      throw new PortalException("Too many wrong passwords: this account is locked for about " + min
          + " more minute" + (min == 1 ? "" : "s") + ".");
    }
    UserSecret sigma;
    try {
      sigma = crypto.unwrap(a.getWrappedSecret(), password);
    } catch (WrongPasswordException e) {
      accounts.recordFailure(user, config.maxFailedLogins(), now.plus(config.lockDuration()));
      int n = a.getFailedLogins() + 1;
      pause(Math.min(8000L, 500L << Math.min(4, n - 1)));
      if (n >= config.maxFailedLogins()) {
        throw new PortalException("Too many wrong passwords: this account is locked for "
            + config.lockDuration().toMinutes() + " minutes.");
      }
      throw new PortalException(WRONG);
    }
    accounts.recordSuccess(user);
    return new Actor(a.getUsername(), a.getDisplayName(), a.getRole(), a.getInstitution(),
        ParticipantIndex.parse(a.getIndexHex()), a.getMspId(), certificate(a.getCertificatePem()), sigma);
  }

  public void changePassword(Actor actor, char[] oldPassword, char[] newPassword) {
    Account a = accounts.byUsername(actor.username()).orElseThrow(() -> new PortalException("The account no longer exists."));
    try {
      CryptoService.checkStrength(newPassword);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The new password must have at least " + CryptoService.MIN_PASSWORD_LENGTH + " characters.");
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
    try (UserSecret s = crypto.unwrap(a.getWrappedSecret(), password)) {
      return new Registered(a.getUsername(), a.getIndexHex(), crypto.recoveryText(s), qr.dataUri(crypto.recoveryQrPayload(s), 240));
    } catch (WrongPasswordException e) {
      throw new PortalException("The password is wrong.");
    }
  }

  /** Deletes the account and its wrapped σ: what it could decrypt stays readable by the others. */
  public void delete(Actor actor, char[] password) {
    Account a = accounts.byUsername(actor.username()).orElseThrow(() -> new PortalException("The account no longer exists."));
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

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
