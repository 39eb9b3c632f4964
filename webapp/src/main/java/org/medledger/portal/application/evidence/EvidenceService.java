package org.medledger.portal.application.evidence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.evidence.BundleBuilder;
import org.medledger.evidence.LedgerProof;
import org.medledger.ledger.LedgerGateway;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.TreatmentService.RecordView;
import org.medledger.portal.application.casefile.CaseFile;
import org.medledger.portal.application.casefile.CaseFileService;
import org.medledger.portal.infrastructure.ledger.Portal;
import org.medledger.portal.infrastructure.ledger.PortalIdentity;
import org.medledger.portal.infrastructure.pdf.CaseFilePdf;
import org.medledger.portal.infrastructure.persistence.Account;
import org.medledger.portal.infrastructure.persistence.AccountRepository;

/**
 * The evidence bundle of a treatment (docs/evidence.md), for one of its members: every record
 * as the ledger stores it with the ledger's proof, the member's decrypted reading of each, and
 * the printable case file. Membership is the case file's check ({@link CaseFileService}):
 * anyone else gets a {@link PortalException} and nothing.
 */
@ApplicationScoped
public class EvidenceService {
  @Inject CaseFileService caseFiles;
  @Inject LedgerGateway ledger;
  @Inject @Portal PortalIdentity portal;
  @Inject CaseFilePdf pdf;
  @Inject AccountRepository accounts;

  private final Clock clock = Clock.systemUTC();

  /**
   * @param zone the reader's time zone, for the case file
   * @param when how the case file writes a time
   * @param passwordOpens whether the bundle carries the member's wrapped secret, so that their
   *     password (and not only their recovery kit) lets an expert check decryption; whoever
   *     holds the file can then try passwords against it offline, at Argon2id's cost
   * @return the bundle's ZIP bytes
   * @throws PortalException not a treatment address, no such treatment, or not a member
   */
  public byte[] export(Actor reader, String kappa0Hex, ZoneId zone, Function<Instant, String> when,
      boolean passwordOpens) {
    CaseFile file = caseFiles.caseFile(reader, kappa0Hex, zone);
    List<String> txIds = file.records().stream().map(RecordView::transactionId).toList();
    // The portal's own identity reads the ledger, as for every page; the member was checked above.
    LedgerProof proof = ledger.proof(portal.get(), txIds);
    List<BundleBuilder.Item> items = new ArrayList<>();
    for (RecordView r : file.records()) {
      items.add(new BundleBuilder.Item(r.transactionId(), r.title(), content(reader, proof, r.transactionId())));
    }
    byte[] wrapped = passwordOpens
        ? accounts.byUsername(reader.username()).map(Account::getWrappedSecret).orElse(null) : null;
    BundleBuilder.Exporter by = new BundleBuilder.Exporter(reader.displayName(), reader.role().title(),
        reader.institution());
    return BundleBuilder.build(new BundleBuilder.Export(file.kappa0Hex(), clock.instant(), by, wrapped, proof, items,
        pdf.render(file, when))).toZip();
  }

  /**
   * The message the reader decrypts from the record the ledger holds (exact bytes: text, or
   * the cover's encoding); null for records without one or that the reader cannot open.
   */
  private static byte[] content(Actor reader, LedgerProof proof, String txId) {
    LedgerRecord r = RecordCodec.parse(BundleBuilder.recordOf(proof, txId));
    if (!(r instanceof ProcessRecord p)) {
      return null;
    }
    try {
      return TreatmentProtocol.read(reader.secret(), p);
    } catch (CryptoException | IllegalArgumentException e) {
      return null; // e.g. a member the doctor left out of the key: the bundle shows no content
    }
  }
}
