package org.medledger.portal.application.admin;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.crypto.WrongPasswordException;
import org.medledger.core.record.Role;
import org.medledger.portal.application.LoginThrottle;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.infrastructure.crypto.Argon2Pool;
import org.medledger.portal.infrastructure.crypto.CryptoService;
import org.medledger.portal.infrastructure.persistence.AccountRepository;
import org.medledger.portal.infrastructure.persistence.AdminRepository;
import org.medledger.portal.infrastructure.persistence.Administrator;
import org.medledger.portal.infrastructure.persistence.Invitation;

/**
 * The portal's administrators, who vouch for the professionals of their institution (issue 12,
 * part 1; docs/portal.md, "Administrator and invitations").
 *
 * <p>The first administrator is created with a one-time setup code printed in the log at a
 * start that finds no administrator (stored only as its SHA-256, removed when used). An
 * administrator invites a professional (role, display name and institution bound to a
 * single-use, expiring code) or approves a professional's sign-up; only then does the portal
 * issue the certificate that carries that name and institution, and write the registration.
 *
 * <p>Administrators are not ledger participants: they hold no σ and sign nothing on the
 * ledger, so they can read no treatment; vouching is an act of the organisation (its CA), not a
 * ledger record.
 */
@ApplicationScoped
public class AdminService {
  private static final Logger LOG = Logger.getLogger(AdminService.class.getName());
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,63}");
  /** Crockford's base32 alphabet: no I, L, O, U, easy to read aloud and to type. */
  private static final String CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  /** How long an invitation can be accepted. */
  public static final Duration INVITATION_VALIDITY = Duration.ofDays(7);
  private static final String WRONG = "Wrong administrator name or password.";

  @Inject AdminRepository admins;
  @Inject AccountRepository accounts;
  @Inject CryptoService crypto;
  @Inject Argon2Pool pool;
  @Inject LoginThrottle throttle;
  @Inject org.medledger.portal.config.PortalConfig config;

  /** An invitation as the administrator sees it once: the code is not kept in clear. */
  public record IssuedInvitation(String code, Role role, String displayName, String institution, Instant expiresAt) {}

  /** An invitation in the list (no code: only a short reference). */
  public record InvitationView(String reference, Role role, String displayName, String institution, String createdBy,
      Instant createdAt, Instant expiresAt, String usedBy, String state) {
    public String roleTitle() { return role.title(); }
  }

  /** What an invitation offers, shown on the registration page. */
  public record Offer(Role role, String displayName, String institution, Instant expiresAt) {
    public String roleTitle() { return role.title(); }
  }

  /** A professional's sign-up waiting for a decision. */
  public record SignUp(String username, Role role, String displayName, String institution, Instant createdAt,
      String fingerprint) {
    public String roleTitle() { return role.title(); }
  }

  /** At a start with no administrator: a new setup code, printed where the operator looks. */
  void atStart(@Observes @Priority(1500) @Initialized(ApplicationScoped.class) Object ignored) {
    boolean none = admins.administratorCount() == 0;
    if (!none && !config.adminSetup()) return;
    if (none && config.demo() && accounts.count() == 0) return; // the demo seeder creates the administrator and prints its login
    String code = newSetupCode();
    LOG.warning("\n=== MedLedger administrator setup ===\n"
        + (none ? "  This portal has no administrator yet. Open /administrator.xhtml and create one with\n"
            : "  Asked for (--admin-setup): open /administrator.xhtml?setup=true and create another administrator with\n")
        + "  this one-time setup code:\n\n"
        + "      " + code + "\n\n"
        + "  It works once; a later start that prints a new one makes this one stop working.\n"
        + "=====================================");
  }

  public boolean hasAdministrator() {
    return admins.administratorCount() > 0;
  }

  /** A fresh setup code (any earlier one stops working); only its hash is stored. */
  public String newSetupCode() {
    byte[] r = new byte[15]; // 120 bits, 24 base32 symbols
    crypto.random().nextBytes(r);
    StringBuilder sb = new StringBuilder();
    long acc = 0;
    int bits = 0;
    for (byte b : r) {
      acc = (acc << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        sb.append(CODE_ALPHABET.charAt((int) ((acc >> bits) & 31)));
      }
    }
    String code = String.join("-", sb.substring(0, 6), sb.substring(6, 12), sb.substring(12, 18), sb.substring(18, 24));
    admins.replaceSetupCode(hash(normaliseSetupCode(code)));
    return code;
  }

  /** Creates the first administrator; the setup code is used up whatever happens next. */
  public void createFirstAdministrator(String setupCode, String username, char[] password) {
    String user = checkUsername(username);
    checkPassword(password);
    String h = hash(normaliseSetupCode(setupCode));
    Administrator a = new Administrator();
    a.setUsername(user);
    a.setPasswordCheck(passwordCheck(password));
    a.setCreatedAt(Instant.now());
    boolean created;
    try {
      created = admins.createWithSetupCode(h, a);
    } catch (RuntimeException e) {
      throw new PortalException("The administrator could not be created: the name '" + user + "' may be taken.", e);
    }
    if (!created) {
      throw new PortalException("This setup code is not valid or has already been used. A new one is printed in the"
          + " portal's log at each start while the portal has no administrator.");
    }
    LOG.info(() -> "Administrator " + user + " created with the setup code");
  }

  /**
   * Checks an administrator's password (counted like an account's login, in the bounded
   * Argon2id pool; an unknown name costs the same) and returns the name.
   */
  public String login(String username, char[] password, String clientAddress) {
    String user = username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
    if (user.length() > 64) user = user.substring(0, 64);
    char[] pw = password == null ? new char[0] : password;
    Optional<Administrator> found = admins.administrator(user);
    byte[] check = found.map(Administrator::getPasswordCheck).orElseGet(crypto::decoy);
    try (Argon2Pool.Place place = pool.reserve()) {
      // "admin:" keeps an administrator's failures apart from an account of the same name.
      LoginThrottle.Ticket ticket = throttle.begin("admin:" + user, clientAddress);
      try (UserSecret s = crypto.unwrap(place, check, pw)) {
        if (found.isEmpty()) {
          throttle.failed(ticket);
          throw new PortalException(WRONG);
        }
      } catch (WrongPasswordException e) {
        throttle.failed(ticket);
        throw new PortalException(WRONG);
      } catch (org.medledger.core.crypto.CryptoException e) { // a password OpaqueString refuses
        throttle.failed(ticket);
        throw new PortalException(WRONG);
      }
      throttle.succeeded(ticket);
    }
    admins.recordLogin(user);
    return user;
  }

  /** A new invitation; its code is returned once and kept only as a hash. */
  public IssuedInvitation invite(String admin, Role role, String displayName, String institution) {
    requireAdministrator(admin);
    if (role == null || role.pseudonymous()) {
      throw new PortalException("Invitations are for doctors, pharmacists, insurers and lawyers; patients and family members"
          + " create their own accounts.");
    }
    String name = checkName(displayName, "the professional's name");
    String inst = checkName(institution, "the institution");
    byte[] r = new byte[16];
    crypto.random().nextBytes(r);
    String code = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(r);
    Instant now = Instant.now();
    Invitation i = new Invitation();
    i.setCodeHash(hash(code));
    i.setRole(role);
    i.setDisplayName(name);
    i.setInstitution(inst);
    i.setCreatedBy(admin);
    i.setCreatedAt(now);
    i.setExpiresAt(now.plus(INVITATION_VALIDITY));
    admins.insertInvitation(i);
    LOG.info(() -> "Administrator " + admin + " invited " + name + " (" + inst + ") as " + role.name().toLowerCase(Locale.ROOT));
    return new IssuedInvitation(code, role, name, inst, i.getExpiresAt());
  }

  public List<InvitationView> invitations() {
    Instant now = Instant.now();
    return admins.invitations().stream().map(i -> new InvitationView(i.getCodeHash().substring(0, 8), i.getRole(),
        i.getDisplayName(), i.getInstitution(), i.getCreatedBy(), i.getCreatedAt(), i.getExpiresAt(), i.getUsedBy(),
        i.getUsedBy() != null ? "Accepted by " + i.getUsedBy() : i.isWithdrawn() ? "Withdrawn"
            : i.getExpiresAt().isAfter(now) ? "Open" : "Expired")).toList();
  }

  /** Withdraws an open invitation by its reference (the start of its hash, as listed). */
  public void withdraw(String admin, String reference) {
    requireAdministrator(admin);
    Invitation i = admins.invitations().stream().filter(x -> reference != null && reference.length() >= 8
        && x.getCodeHash().startsWith(reference)).findFirst()
        .orElseThrow(() -> new PortalException("There is no such invitation."));
    if (!admins.withdraw(i.getCodeHash())) throw new PortalException("This invitation has already been accepted.");
  }

  /**
   * What an invitation code offers, or why it cannot be used: unknown, already used,
   * withdrawn or expired, each said plainly.
   */
  public Offer offer(String code) {
    Invitation i = usable(code);
    return new Offer(i.getRole(), i.getDisplayName(), i.getInstitution(), i.getExpiresAt());
  }

  /**
   * Takes the invitation for {@code username} (single use, atomically); returns what it vouches
   * for. {@link #release} gives it back if the registration then fails.
   */
  public Offer claim(String code, String username) {
    Invitation i = usable(code);
    if (!admins.claim(i.getCodeHash(), username, Instant.now())) {
      usable(code); // says why (used meanwhile, withdrawn, expired)
      throw new PortalException("This invitation has already been used.");
    }
    return new Offer(i.getRole(), i.getDisplayName(), i.getInstitution(), i.getExpiresAt());
  }

  public void release(String code, String username) {
    admins.release(hash(code.trim()), username);
  }

  public List<SignUp> waiting() {
    return accounts.awaitingApproval().stream().map(a -> new SignUp(a.getUsername(), a.getRole(), a.getDisplayName(),
        a.getInstitution(), a.getCreatedAt(), org.medledger.portal.application.DirectoryService.fingerprint(a.getPublicKey())))
        .toList();
  }

  /**
   * Approves a waiting sign-up with the name and institution the administrator vouches for
   * (checked against the person, not taken from their form). The certificate is issued at their
   * next login, when their key is at hand.
   */
  public void approve(String admin, String username, String displayName, String institution) {
    requireAdministrator(admin);
    String name = checkName(displayName, "the professional's name");
    String inst = checkName(institution, "the institution");
    if (!accounts.approve(username, name, inst, admin)) {
      throw new PortalException("There is no sign-up of '" + username + "' waiting for approval.");
    }
    LOG.info(() -> "Administrator " + admin + " approved " + username + " (" + name + ", " + inst + ")");
  }

  /** Refuses a waiting sign-up: the account and its wrapped σ are removed. */
  public void refuse(String admin, String username) {
    requireAdministrator(admin);
    Optional<String> index = accounts.refuse(username);
    if (index.isEmpty()) throw new PortalException("There is no sign-up of '" + username + "' waiting for approval.");
    accounts.eraseWrappedSecret(index.get());
    LOG.info(() -> "Administrator " + admin + " refused the sign-up of " + username);
  }

  private Invitation usable(String code) {
    String c = code == null ? "" : code.trim();
    if (c.isEmpty() || c.length() > 64) throw new PortalException(UNKNOWN_INVITATION);
    Invitation i = admins.invitation(hash(c)).orElseThrow(() -> new PortalException(UNKNOWN_INVITATION));
    if (i.getUsedBy() != null) {
      throw new PortalException("This invitation has already been used. Ask your institution's administrator for a new one.");
    }
    if (i.isWithdrawn()) {
      throw new PortalException("This invitation was withdrawn by your institution's administrator.");
    }
    if (!i.getExpiresAt().isAfter(Instant.now())) {
      throw new PortalException("This invitation expired on " + java.time.format.DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'",
          Locale.ENGLISH).withZone(java.time.ZoneOffset.UTC).format(i.getExpiresAt())
          + ". Ask your institution's administrator for a new one.");
    }
    return i;
  }

  private static final String UNKNOWN_INVITATION =
      "This invitation link is not valid. Check that you copied all of it, or ask your institution's administrator for a new one.";

  private void requireAdministrator(String admin) {
    if (admin == null || admins.administrator(admin).isEmpty()) throw new PortalException("Only an administrator can do this.");
  }

  private byte[] passwordCheck(char[] password) {
    try (UserSecret s = crypto.newSecret()) {
      return crypto.wrap(s, password);
    }
  }

  private static String checkUsername(String username) {
    String user = username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
    if (!USERNAME.matcher(user).matches()) {
      throw new PortalException("The administrator name must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'.");
    }
    return user;
  }

  private static void checkPassword(char[] password) {
    try {
      CryptoService.checkStrength(password);
    } catch (IllegalArgumentException e) {
      throw new PortalException("The password " + e.getMessage() + ".");
    }
  }

  static String checkName(String value, String what) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) throw new PortalException("Please give " + what + ".");
    if (v.length() > 128) throw new PortalException("The text for " + what + " is too long (at most 128 characters).");
    if (v.chars().anyMatch(Character::isISOControl)) throw new PortalException("The text for " + what + " holds a control character.");
    return v;
  }

  static String normaliseSetupCode(String code) {
    return code == null ? "" : code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
  }

  static String hash(String code) {
    return Bytes.hex(Hashes.sha256(code.getBytes(StandardCharsets.UTF_8)));
  }
}
