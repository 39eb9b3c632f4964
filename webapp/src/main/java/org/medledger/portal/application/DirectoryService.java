package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/**
 * The directory: registered (non-pseudonymous) participants as published on the ledger. Each
 * professional's name and institution are read from their certificate (the attributes
 * {@code medledger.name} and {@code medledger.institution} their organisation signed when it
 * vouched for them), never from text anybody typed into a portal; the key fingerprint tells
 * apart two people who share a name.
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
      String fingerprint, boolean vouched) {
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

  public List<Participant> all() {
    List<Participant> out = new ArrayList<>();
    for (Registration r : ledger.participants(portal.get())) out.add(of(r));
    out.sort(java.util.Comparator.comparing((Participant p) -> p.role().code()).thenComparing(Participant::name)
        .thenComparing(Participant::institution).thenComparing(Participant::fingerprint));
    return out;
  }

  public List<Participant> search(Role role, String text) {
    String q = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return all().stream()
        .filter(p -> role == null || p.role() == role)
        .filter(p -> q.isEmpty() || p.name().toLowerCase(Locale.ROOT).contains(q)
            || p.institution().toLowerCase(Locale.ROOT).contains(q)
            || p.organisation().toLowerCase(Locale.ROOT).contains(q) || p.indexHex().contains(q)
            || p.fingerprint().replace(" ", "").contains(q.replace(" ", "")))
        .toList();
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
