package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.Serializable;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.CertificateAttributes;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * The directory: registered (non-pseudonymous) participants as published on the ledger. Each
 * professional's name and institution are read from their certificate (the attributes
 * {@code medledger.name} and {@code medledger.institution} their organisation signed when it
 * vouched for them), never from text anybody typed into a portal; the key fingerprint tells
 * apart two people who share a name. Read a page at a time from the ledger's directory search
 * (docs/protocol.md §Directory search): never the whole directory, whatever its size.
 */
@ApplicationScoped
public class DirectoryService {
  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;

  /**
   * One registered professional. {@code vouched} is false for a certificate without the name
   * and institution attributes (registered before vouching existed): then the name is the
   * certificate's subject and the institution its organisation.
   */
  public record Participant(Role role, String indexHex, String name, String organisation, String institution,
      String fingerprint, boolean vouched) implements Serializable {
    private static final long serialVersionUID = 1L;

    public String roleTitle() {
      return role.title();
    }

    /** The organisation in people's words ("Law firm", not its ledger id "LawFirmMSP"). */
    public String organisationName() {
      return DirectoryService.organisationName(organisation);
    }

    /** The pickers' text: who, what, where, and the key fingerprint that tells namesakes apart. */
    public String label() {
      return name + " — " + role.title().toLowerCase(Locale.ROOT) + ", " + institution + " (key " + fingerprint + ")";
    }
  }

  /** Entries per page of the directory page and per picker list. */
  public static final int PAGE = 20;
  /** Ledger reads per page at most (a rare filter then shows fewer and offers more). */
  private static final int READS_PER_PAGE = 6;
  private static final java.util.regex.Pattern INDEX = java.util.regex.Pattern.compile("[0-9a-f]{4,16}");

  /**
   * What a reader asks: a role (null: every role) and the text of the search box, a name's
   * beginning or a participant number (at least four of its hex digits), and an institution's
   * beginning. Case and spacing do not matter.
   */
  public record Query(Role role, String text, String institution) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The search box's text as a participant number, if it is one (digits among its hex). */
    String indexPrefix() {
      String t = text == null ? "" : text.replace(" ", "").toLowerCase(Locale.ROOT);
      return INDEX.matcher(t).matches() && t.chars().anyMatch(Character::isDigit) ? t : "";
    }
  }

  /** Where the next page starts: the ledger's bookmark, bound to the search that gave it. */
  public record Cursor(String bookmark) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** One page of the directory; {@code next} is null after the last. */
  public record Page(List<Participant> participants, Cursor next) {}

  /**
   * One page of the directory: doctors first, then pharmacists, insurers and lawyers, by name
   * within a role (the ledger's order). Reads pages of the ledger's directory search until
   * twenty are found or a few reads were made (a rare filter then shows fewer and offers more),
   * never the whole directory; {@code from} is null for the first page.
   */
  public Page page(Query q, Cursor from) {
    String index = q.indexPrefix();
    String name = index.isEmpty() && q.text() != null ? q.text() : "";
    String bookmark = from == null ? "" : from.bookmark();
    List<Participant> out = new ArrayList<>();
    boolean more = true;
    for (int reads = 0; more && out.size() < PAGE && reads < READS_PER_PAGE; reads++) {
      MedLedgerClient.DirectoryPage p;
      try {
        p = ledger.searchParticipants(portal.get(), new MedLedgerClient.DirectorySearch(q.role(), name,
            q.institution(), index, PAGE - out.size()), bookmark);
      } catch (LedgerException e) {
        if (e.kind() == LedgerException.Kind.REJECTED) throw new PortalException(searchMessage(e.getMessage()));
        throw e;
      }
      for (Registration reg : p.registrations()) out.add(of(reg));
      more = p.more();
      bookmark = p.bookmark();
    }
    return new Page(List.copyOf(out), more ? new Cursor(bookmark) : null);
  }

  /** The chaincode's refusal of a search (Q0, Q5) in the page's words. */
  private static String searchMessage(String m) {
    if (m != null && m.contains("Q5: ")) return "The directory could not continue this list; please search again.";
    if (m != null && m.contains("longer than")) return "Please search for at most 100 characters.";
    return "This search cannot be run; please change it.";
  }

  /** The first page of a search: professionals of {@code role} (null: any) whose name or number starts with {@code text}. */
  public List<Participant> search(Role role, String text) {
    return page(new Query(role, text, ""), null).participants();
  }

  public Optional<Participant> byIndex(long index) {
    return ledger.participant(portal.get(), index).map(DirectoryService::of);
  }

  static Participant of(Registration r) {
    X509Certificate cert = AccountService.certificate(r.certificateDer());
    String org = rdn(cert, "O");
    String indexHex = ParticipantIndex.hex(r.index());
    Map<String, String> attrs;
    try {
      attrs = CertificateAttributes.of(cert);
    } catch (IllegalArgumentException e) {
      attrs = Map.of(); // malformed attributes vouch for nothing
    }
    String name = attrs.get(CertificateAttributes.NAME);
    String institution = attrs.get(CertificateAttributes.INSTITUTION);
    boolean vouched = name != null && !name.isBlank() && institution != null && !institution.isBlank();
    byte[] vk = P256.encodeCompressed(P256.fromJcaPublicKey(cert.getPublicKey()));
    return new Participant(r.role(), indexHex, vouched ? name : rdn(cert, "CN"), org,
        vouched ? institution : org + " (not confirmed)", fingerprint(vk), vouched);
  }

  /**
   * A short key fingerprint people can read out and compare: the first 8 bytes of SHA-256 of
   * the compressed public key (33 bytes), as four groups of four hex digits separated by spaces.
   */
  public static String fingerprint(byte[] publicKey) {
    String h = org.medledger.core.crypto.Bytes.hex(org.medledger.core.crypto.Hashes.sha256(publicKey));
    return h.substring(0, 4) + " " + h.substring(4, 8) + " " + h.substring(8, 12) + " " + h.substring(12, 16);
  }

  static String rdn(X509Certificate cert, String type) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase(type)) return rdn.getValue().toString();
      }
    } catch (InvalidNameException e) {
      // fall through
    }
    return "?";
  }

  /**
   * A ledger organisation id in people's words: the Fabric suffix "MSP" dropped and the words
   * split ("LawFirmMSP" becomes "Law firm", "Org1MSP" "Org1").
   */
  public static String organisationName(String mspId) {
    if (mspId == null) return "";
    String s = mspId.endsWith("MSP") && mspId.length() > 3 ? mspId.substring(0, mspId.length() - 3) : mspId;
    s = s.replaceAll("(?<=[a-z])(?=[A-Z])", " ");
    return s.isEmpty() ? s : s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
  }
}
