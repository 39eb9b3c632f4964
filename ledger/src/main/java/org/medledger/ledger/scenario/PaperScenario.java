package org.medledger.ledger.scenario;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.SiffKey;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;

/**
 * The paper's diagnosis-and-treatment process driven through a real ledger: registration,
 * txtc, txtr, key building, txd, txm, txa, and reading back. One driver for the scenario tests
 * (embedded and Fabric: one scenario, two ledgers), the benchmarks and the portal's demo data.
 * Time spent inside ledger calls is measured separately from the whole process (Fig. 2).
 */
public final class PaperScenario {

  /** How a participant gets a certificate: the embedded CA, or Fabric CA enrollment. */
  @FunctionalInterface
  public interface Enrollment {
    /**
     * A certificate of {@code mspId} for the key; {@code displayName} and {@code institution} are
     * the attributes medledger.name and medledger.institution the CA signs for a professional
     * (R3 requires them), both null for patients and family.
     */
    LedgerIdentity enroll(String name, Role role, String mspId, KeyPair signingKeys, String displayName,
        String institution);

    /** As above; a professional's display name is {@code name}, the institution the organisation's name. */
    default LedgerIdentity enroll(String name, Role role, String mspId, KeyPair signingKeys) {
      return role.pseudonymous() ? enroll(name, role, mspId, signingKeys, null, null)
          : enroll(name, role, mspId, signingKeys, name, institutionOf(mspId));
    }

    /** "HospitalMSP" → "Hospital". */
    static String institutionOf(String mspId) {
      return mspId.endsWith("MSP") && mspId.length() > 3 ? mspId.substring(0, mspId.length() - 3) : mspId;
    }
  }

  /** A participant as a client holds them: σ (in memory), identity, ind_x. */
  public static final class Participant {
    private final String name;
    private final Role role;
    private final UserSecret secret;
    private final LedgerIdentity identity;
    private final byte[] publicKey;
    private final long index;

    Participant(String name, Role role, UserSecret secret, LedgerIdentity identity) {
      this.name = name;
      this.role = role;
      this.secret = secret;
      this.identity = identity;
      this.publicKey = secret.signingKeyPair().publicKey();
      this.index = ParticipantIndex.of(publicKey);
    }

    public String name() {
      return name;
    }

    public Role role() {
      return role;
    }

    public UserSecret secret() {
      return secret;
    }

    public LedgerIdentity identity() {
      return identity;
    }

    public long index() {
      return index;
    }

    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public String toString() {
      return role.symbol() + ":" + name + "(" + ParticipantIndex.hex(index) + ")";
    }
  }

  /** Who takes part in one treatment. */
  public record Selection(
      Participant patient, Participant doctor, List<Participant> family, List<Participant> pharmacists,
      List<Participant> insurers, List<Participant> lawyers) {
    public List<Participant> responders() {
      List<Participant> out = new ArrayList<>();
      out.add(patient);
      out.addAll(family);
      out.addAll(insurers);
      out.addAll(lawyers);
      out.addAll(pharmacists);
      return out;
    }
  }

  /** The outcome of one run: κ0, the tag, every stored record, and where the time went. */
  public record Treatment(
      byte[] kappa0, SiffTag tag, List<MedLedgerClient.Stored> stored, long totalNanos, long ledgerNanos,
      int proposals, long proposalBytes) {
    public String kappa0Hex() {
      return Bytes.hex(kappa0);
    }
  }

  /** Threads for a round's answers: daemon, so a finished benchmark or test exits. */
  private static final Executor RESPONDERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "paper-scenario-answer");
    t.setDaemon(true);
    return t;
  });

  private final MedLedgerClient client;
  private final Enrollment enrollment;
  private final SecureRandom random;
  private long ledgerNanos;

  public PaperScenario(MedLedgerClient client, Enrollment enrollment, SecureRandom random) {
    this.client = client;
    this.enrollment = enrollment;
    this.random = random;
  }

  /** Creates σ, enrolls the signing key and, for non-pseudonymous roles, Stores the registration. */
  public Participant participant(String name, Role role, String mspId) {
    UserSecret sigma = UserSecret.generate(random);
    LedgerIdentity id = enrollment.enroll(name, role, mspId, sigma.signingKeyPair().toJca());
    Participant p = new Participant(name, role, sigma, id);
    if (!role.pseudonymous()) {
      try {
        store(p, new Registration(role, p.index(), id.certificate().getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException("certificate cannot be encoded", e);
      }
    }
    return p;
  }

  /**
   * Runs one whole treatment: consent, txtc, every txtr, key building, then one record by each
   * writer (doctor txd, each pharmacist txm, each insurer txa) with {@code message}.
   */
  public Treatment run(Selection s, byte[] message) {
    long start = System.nanoTime();
    ledgerNanos = 0;
    List<MedLedgerClient.Stored> stored = new ArrayList<>();
    Consent consent = TreatmentProtocol.consent(s.patient().secret(),
        s.family().stream().map(Participant::publicKey).toList(),
        indexes(s.insurers()), indexes(s.lawyers()), indexes(s.pharmacists()), s.doctor().index(), random);
    // The consent crosses from the patient to the doctor as a QR code: encode and parse it.
    consent = RecordCodec.parseConsent(RecordCodec.encodeConsent(consent));
    Txtc txtc = TreatmentProtocol.open(s.doctor().secret(), consent);
    MedLedgerClient.Stored opened = store(s.doctor(), txtc);
    stored.add(opened);
    byte[] kappa0 = opened.kappa();

    // The answers are one round: each participant answers on their own device once the txtc's
    // event reaches them, and no answer depends on another (each writes only its own keys), so
    // they run at once here as they do between people. The round's ledger time is its slowest
    // answer's.
    List<Answered> round = answerAll(s.responders(), kappa0);
    List<Txtr> answers = new ArrayList<>();
    long slowest = 0;
    for (Answered a : round) {
      stored.add(a.stored());
      answers.add(a.txtr());
      slowest = Math.max(slowest, a.ledgerNanos());
    }
    ledgerNanos += slowest;
    Siff.Built built = TreatmentProtocol.buildKey(s.doctor().secret(), txtc, kappa0, answers, random);
    try (SiffKey key = built.key()) {
      stored.add(store(s.doctor(), TreatmentProtocol.write(RecordType.TXD, txtc, kappa0, built.tag(), key,
          s.doctor().index(), 1, message)));
    }
    for (Participant m : s.pharmacists()) stored.add(writeAsMember(m, RecordType.TXM, txtc, kappa0, built.tag(), message));
    for (Participant a : s.insurers()) stored.add(writeAsMember(a, RecordType.TXA, txtc, kappa0, built.tag(), message));
    long bytes = 0;
    for (MedLedgerClient.Stored st : stored) bytes += st.value().length;
    return new Treatment(kappa0, built.tag(), stored, System.nanoTime() - start, ledgerNanos, stored.size(), bytes);
  }

  private record Answered(Txtr txtr, MedLedgerClient.Stored stored, long ledgerNanos) {}

  /** Every responder's answer at once; when one fails, the others are finished first, then its error is thrown. */
  private List<Answered> answerAll(List<Participant> responders, byte[] kappa0) {
    List<CompletableFuture<Answered>> running = new ArrayList<>();
    for (Participant x : responders) running.add(CompletableFuture.supplyAsync(() -> answer(x, kappa0), RESPONDERS));
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    List<Answered> out = new ArrayList<>();
    for (CompletableFuture<Answered> f : running) {
      try {
        out.add(f.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) throw r;
        if (e.getCause() instanceof Error err) throw err;
        throw e;
      }
    }
    return out;
  }

  /** One participant's answer: fetch the txtc by κ0 (as the paper's clients do from the event), answer, Store. */
  private Answered answer(Participant x, byte[] kappa0) {
    long t0 = System.nanoTime();
    Txtc seen = (Txtc) client.getRecord(x.identity(), kappa0).orElseThrow();
    long fetched = System.nanoTime() - t0;
    Txtr t = TreatmentProtocol.respond(x.secret(), x.index(), seen, kappa0);
    long t1 = System.nanoTime();
    MedLedgerClient.Stored st = client.store(x.identity(), t);
    return new Answered(t, st, fetched + System.nanoTime() - t1);
  }

  private MedLedgerClient.Stored writeAsMember(
      Participant w, RecordType type, Txtc txtc, byte[] kappa0, SiffTag tag, byte[] message) {
    try (SiffKey key = TreatmentProtocol.recoverKey(w.secret(), kappa0, tag)) {
      return store(w, TreatmentProtocol.write(type, txtc, kappa0, tag, key, w.index(), 1, message));
    }
  }

  /**
   * What a lawyer, expert or family member does: list the treatment by κ0, Get each process
   * record, decrypt it with nothing but their own σ. Returns the messages in commit order.
   */
  public List<byte[]> readAll(Participant reader, byte[] kappa0) {
    List<byte[]> out = new ArrayList<>();
    for (MedLedgerClient.TreatmentEntry e : client.treatment(reader.identity(), kappa0)) {
      if (!e.type().isProcessRecord()) continue;
      ProcessRecord r = (ProcessRecord) get(reader, Bytes.unhex(e.kappaHex())).orElseThrow();
      out.add(TreatmentProtocol.read(reader.secret(), r));
    }
    return out;
  }

  public MedLedgerClient client() {
    return client;
  }

  private MedLedgerClient.Stored store(Participant who, LedgerRecord r) {
    long t0 = System.nanoTime();
    try {
      return client.store(who.identity(), r);
    } finally {
      ledgerNanos += System.nanoTime() - t0;
    }
  }

  private Optional<LedgerRecord> get(Participant who, byte[] kappa) {
    long t0 = System.nanoTime();
    try {
      return client.getRecord(who.identity(), kappa);
    } finally {
      ledgerNanos += System.nanoTime() - t0;
    }
  }

  private static List<Long> indexes(List<Participant> ps) {
    return ps.stream().map(Participant::index).toList();
  }
}
