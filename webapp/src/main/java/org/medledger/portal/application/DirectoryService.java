package org.medledger.portal.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;

/** The directory: registered (non-pseudonymous) participants as published on the ledger. */
@ApplicationScoped
public class DirectoryService {
  @Inject MedLedgerClient ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject AccountService accounts;

  public record Participant(Role role, String indexHex, String name, String organisation, String institution,
      String fingerprint) {
    public String roleTitle() {
      return role.title();
    }

    public String label() {
      return name + " — " + role.title().toLowerCase(Locale.ROOT) + ", " + institution + " (" + indexHex + ")";
    }
  }

  public List<Participant> all() {
    List<Participant> out = new ArrayList<>();
    for (Registration r : ledger.participants(portal.get())) out.add(of(r));
    out.sort(java.util.Comparator.comparing((Participant p) -> p.role().code()).thenComparing(Participant::name));
    return out;
  }

  public List<Participant> search(Role role, String text) {
    String q = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return all().stream()
        .filter(p -> role == null || p.role() == role)
        .filter(p -> q.isEmpty() || p.name().toLowerCase(Locale.ROOT).contains(q)
            || p.institution().toLowerCase(Locale.ROOT).contains(q)
            || p.organisation().toLowerCase(Locale.ROOT).contains(q) || p.indexHex().contains(q))
        .toList();
  }

  public Optional<Participant> byIndex(long index) {
    return ledger.participant(portal.get(), index).map(this::of);
  }

  private Participant of(Registration r) {
    X509Certificate cert = AccountService.certificate(r.certificateDer());
    String cn = rdn(cert, "CN");
    String org = rdn(cert, "O");
    String indexHex = ParticipantIndex.hex(r.index());
    String institution = accounts.byIndex(indexHex).map(AccountService.AccountView::institution).orElse(org);
    byte[] vk = P256.encodeCompressed(P256.fromJcaPublicKey(cert.getPublicKey()));
    return new Participant(r.role(), indexHex, cn, org, institution, fingerprint(vk));
  }

  public static String fingerprint(byte[] publicKey) {
    String h = org.medledger.core.crypto.Bytes.hex(org.medledger.core.crypto.Hashes.sha256(publicKey));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 32; i += 4) {
      if (i > 0) sb.append(':');
      sb.append(h, i, i + 4);
    }
    return sb.toString();
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
}
