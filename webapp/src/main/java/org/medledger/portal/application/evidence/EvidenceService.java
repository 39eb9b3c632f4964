package org.medledger.portal.application.evidence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.protocol.epoch.KeyRing;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.evidence.BundleBuilder;
import org.medledger.evidence.LedgerProof;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.portal.application.Actor;
import org.medledger.portal.application.PortalException;
import org.medledger.portal.application.RecordWords;
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
  @Inject MedLedgerClient client;
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
    Map<String, String> titles = new LinkedHashMap<>();
    for (RecordView r : file.records()) titles.put(r.transactionId(), r.title());
    // Beside the case file's records, the member changes and the epoch records: who took part
    // when is evidence too, and a verifier rebuilds a member's keys of every epoch from them.
    List<String> txIds = new ArrayList<>();
    for (MedLedgerClient.TreatmentEntry e : client.treatment(portal.get(), Bytes.unhex(file.kappa0Hex()))) {
      if (e.type() == RecordType.MEMBER_CHANGE || e.type() == RecordType.KEY_EPOCH) {
        titles.putIfAbsent(e.transactionId(), RecordWords.title(e.type()));
      }
      if (titles.containsKey(e.transactionId())) txIds.add(e.transactionId());
    }
    titles.keySet().stream().filter(id -> !txIds.contains(id)).forEach(txIds::add);
    // The portal's own identity reads the ledger, as for every page; the member was checked above.
    LedgerProof proof = ledger.proof(portal.get(), txIds);
    List<LedgerRecord> inOrder = txIds.stream().map(id -> RecordCodec.parse(BundleBuilder.recordOf(proof, id))).toList();
    List<BundleBuilder.Item> items = new ArrayList<>();
    // The member's keys of every key epoch they hold, read from the same records the verifier
    // reads them from: an added member's bundle shows the records written before they joined.
    try (KeyRing ring = KeyRing.ofTreatment(reader.secret(), Bytes.unhex(file.kappa0Hex()), inOrder).orElse(null)) {
      for (int i = 0; i < txIds.size(); i++) {
        items.add(new BundleBuilder.Item(txIds.get(i), titles.get(txIds.get(i)), content(ring, inOrder.get(i))));
      }
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
  private static byte[] content(KeyRing ring, LedgerRecord r) {
    if (ring == null || !(r instanceof ProcessRecord p)) {
      return null;
    }
    try {
      return ring.read(p);
    } catch (CryptoException | IllegalArgumentException e) {
      return null; // a member the doctor left out of the key, or a record written after the reader left
    }
  }
}
