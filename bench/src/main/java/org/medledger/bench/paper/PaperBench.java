package org.medledger.bench.paper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.Registration;
import org.medledger.ledger.ConsortiumPolicies;
import org.medledger.core.record.Role;
import org.medledger.ledger.ChaincodeEvent;
import org.medledger.ledger.InMemoryCheckpoint;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.fabric.FabricCaEnrollment;
import org.medledger.ledger.fabric.FabricEnrollment;
import org.medledger.ledger.fabric.FabricLedger;
import org.medledger.ledger.fabric.FabricNetwork;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedLedger;
import org.medledger.ledger.scenario.PaperScenario;
import org.medledger.ledger.scenario.PaperScenario.Participant;

/**
 * Reproduces the paper's evaluation on our system: Fig. 1 (sizes and counts of proposals and
 * events for 2–5 participants), Fig. 2 (time per patient, whole process and ledger part, for
 * 20–200 patients, sequential and concurrent), and Store throughput. Writes CSV and charts.
 *
 * <pre>bench/run [--ledger embedded] [--out bench/results] [--quick] [fig1|fig2|throughput|all]</pre>
 */
public final class PaperBench {
  static final PrintStream OUT = System.out;

  private final Path out;
  private final boolean quick;
  /** Run directory of a Fabric network (fabric/network.sh up), or null for the embedded ledger. */
  private final Path fabric;
  private final SecureRandom random = new SecureRandom();

  PaperBench(Path out, boolean quick, Path fabric) {
    this.out = out;
    this.quick = quick;
    this.fabric = fabric;
  }

  private Ledger newLedger() throws IOException {
    return fabric == null ? Ledger.embedded(random) : Ledger.fabric(fabric, random);
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of("bench/results");
    String ledger = "embedded";
    boolean quick = false;
    Path fabricRun = Path.of(System.getenv().getOrDefault("MEDLEDGER_FABRIC_NETWORK", "fabric/run"));
    List<String> what = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--ledger" -> ledger = args[++i];
        case "--quick" -> quick = true;
        case "--fabric-run" -> fabricRun = Path.of(args[++i]);
        case "portal" -> { // the portal under load through its pages: bench/run portal --help
          org.medledger.bench.portal.PortalLoad.main(out, Arrays.copyOfRange(args, i + 1, args.length));
          return;
        }
        case "load" -> { // open-loop Store load: bench/run [--ledger fabric] load --help
          if (ledger.equals("fabric") && !Files.isRegularFile(fabricRun.resolve("network.properties"))) {
            System.err.println("bench: no Fabric network in " + fabricRun.toAbsolutePath());
            System.exit(2);
          }
          int rc = org.medledger.bench.load.LoadGen.main(out, ledger.equals("fabric") ? fabricRun : null, quick,
              Arrays.copyOfRange(args, i + 1, args.length));
          System.exit(rc);
        }
        case "-h", "--help" -> {
          OUT.println("usage: bench/run [--ledger embedded|fabric] [--fabric-run DIR] [--out DIR] [--quick] "
              + "[fig1|fig2|throughput|all]...   |   bench/run [--ledger ...] load --help   |   bench/run portal --help");
          return;
        }
        default -> what.add(args[i]);
      }
    }
    if (!ledger.equals("embedded") && !ledger.equals("fabric")) {
      System.err.println("bench: unknown ledger '" + ledger + "' (embedded or fabric)");
      System.exit(2);
    }
    if (ledger.equals("fabric") && !Files.isRegularFile(fabricRun.resolve("network.properties"))) {
      System.err.println("bench: no Fabric network in " + fabricRun.toAbsolutePath() + ": start one with "
          + "FABRIC_BIN=... fabric/network.sh up (README, 'Running on a real Fabric network') or name its run "
          + "directory with --fabric-run");
      System.exit(2);
    }
    if (what.isEmpty() || what.contains("all")) what = List.of("fig1", "fig2", "throughput");
    Files.createDirectories(out);
    PaperBench b = new PaperBench(out, quick, ledger.equals("fabric") ? fabricRun : null);
    OUT.println("ledger: " + (ledger.equals("fabric") ? "Fabric network in " + fabricRun.toAbsolutePath() : "embedded"));
    for (String w : what) {
      switch (w) {
        case "fig1" -> b.fig1();
        case "fig2" -> b.fig2();
        case "throughput" -> b.throughput();
        default -> {
          System.err.println("bench: unknown benchmark '" + w + "' (fig1, fig2, throughput, all)");
          System.exit(2);
        }
      }
    }
    OUT.println("results in " + out.toAbsolutePath());
  }

  /**
   * The ledger a measurement runs on: a fresh embedded ledger with its own CAs in a temporary
   * directory, or the running Fabric network (participants enrolled through its Fabric CAs, or
   * its organisations' CA keys when it runs none).
   */
  static final class Ledger implements AutoCloseable {
    final LedgerGateway ledger;
    final MedLedgerClient client;
    final PaperScenario.Enrollment enrollment;
    final PaperScenario scenario;
    private final Path tempDir;

    private Ledger(LedgerGateway ledger, PaperScenario.Enrollment enrollment, Path tempDir, SecureRandom random) {
      this.ledger = ledger;
      this.client = new MedLedgerClient(ledger);
      this.enrollment = enrollment;
      this.scenario = new PaperScenario(client, enrollment, random);
      this.tempDir = tempDir;
    }

    static Ledger embedded(SecureRandom random) throws IOException {
      Path dir = Files.createTempDirectory("medledger-bench");
      EmbeddedLedger l = EmbeddedLedger.open(dir, new MedLedgerContract());
      // as the portal does at first start: the consortium policy before any professional (R3, R9)
      ConsortiumPolicies.writeIfAbsent(l, l.certificateAuthority("HospitalMSP").administrator("admin"),
          ConsortiumPolicy.standard(1));
      return new Ledger(l, (name, role, msp, keys, displayName, institution) -> new LedgerIdentity(msp,
          l.certificateAuthority(msp).issue(name, role.name().toLowerCase(Locale.ROOT), displayName, institution,
              keys.getPublic()),
          keys.getPrivate()), dir, random);
    }

    static Ledger fabric(Path runDirectory, SecureRandom random) {
      FabricLedger l = FabricLedger.connect(runDirectory);
      FabricNetwork n = l.network();
      boolean ca = n.mspIds().stream().allMatch(m -> FabricCaEnrollment.available(n, m));
      return new Ledger(l, ca ? new FabricCaEnrollment(n) : new FabricEnrollment(n), null, random);
    }

    boolean embedded() {
      return tempDir != null;
    }

    @Override
    public void close() throws IOException {
      ledger.close();
      if (tempDir == null) return;
      try (var s = Files.walk(tempDir)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ------------------------------------------------------------------------------ Fig. 1

  /** The selection for n participants, in the order the paper adds them: p, d, m, a, i. */
  static PaperScenario.Selection selection(PaperScenario s, int n, int id) {
    Participant p = s.participant("patient-" + id, Role.PATIENT, "HospitalMSP");
    Participant d = s.participant("doctor-" + id, Role.DOCTOR, "HospitalMSP");
    List<Participant> m = n >= 3 ? List.of(s.participant("pharmacist-" + id, Role.PHARMACIST, "PharmacyMSP")) : List.of();
    List<Participant> a = n >= 4 ? List.of(s.participant("insurer-" + id, Role.INSURER, "InsurerMSP")) : List.of();
    List<Participant> i = n >= 5 ? List.of(s.participant("lawyer-" + id, Role.LAWYER, "LawFirmMSP")) : List.of();
    return new PaperScenario.Selection(p, d, List.of(), m, a, i);
  }

  void fig1() throws Exception {
    OUT.println("== Fig. 1: communication cost per treatment, 2-5 participants");
    List<String> rows = new ArrayList<>();
    rows.add("participants,message_bytes,proposals,avg_proposal_bytes,total_proposal_bytes,events,avg_event_bytes,"
        + "event_deliveries,total_event_bytes");
    List<Fig1Row> results = new ArrayList<>();
    for (int msgSize : new int[] {31, 4096}) {
      for (int n = 2; n <= 5; n++) {
        try (Ledger l = newLedger()) {
          List<ChaincodeEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
          PaperScenario.Selection sel = selection(l.scenario, n, n);
          long from = l.ledger.height();
          var sub = l.ledger.subscribe(sel.doctor().identity(), from, new InMemoryCheckpoint(), events::add);
          byte[] msg = new byte[msgSize];
          random.nextBytes(msg);
          PaperScenario.Treatment t = l.scenario.run(sel, msg);
          waitFor(() -> events.size() >= t.proposals());
          sub.close();
          long eventBytes = 0;
          long deliveries = 0;
          for (ChaincodeEvent e : events) {
            eventBytes += e.payload().length;
            deliveries += RecordCodec.parseEvent(e.payload()).recipients().size();
          }
          Fig1Row r = new Fig1Row(n, msgSize, t.proposals(), t.proposalBytes(), events.size(), eventBytes, deliveries);
          results.add(r);
          rows.add(String.format(Locale.ROOT, "%d,%d,%d,%.1f,%d,%d,%.1f,%d,%d", n, msgSize, r.proposals,
              (double) r.proposalBytes / r.proposals, r.proposalBytes, r.events, (double) r.eventBytes / r.events,
              r.deliveries, r.eventBytes));
          OUT.printf(Locale.ROOT, "  n=%d msg=%dB: %d proposals, avg %.0f B; %d events (%d deliveries), avg %.0f B%n",
              n, msgSize, r.proposals, (double) r.proposalBytes / r.proposals, r.events, r.deliveries,
              (double) r.eventBytes / r.events);
        }
      }
    }
    Files.write(out.resolve("fig1.csv"), rows, StandardCharsets.UTF_8);
    Charts.fig1(out, results);
  }

  record Fig1Row(int participants, int messageBytes, int proposals, long proposalBytes, int events, long eventBytes,
      long deliveries) {}

  // ------------------------------------------------------------------------------ Fig. 2

  void fig2() throws Exception {
    OUT.println("== Fig. 2: time per patient, 3 participants (patient, doctor, pharmacist)");
    // On Fabric a patient takes about a second: fewer points keep the run within minutes.
    int[] counts = fabric != null ? (quick ? new int[] {20} : new int[] {20, 50, 100})
        : quick ? new int[] {20, 40} : new int[] {20, 50, 100, 150, 200};
    List<String> rows = new ArrayList<>();
    rows.add("mode,patients,avg_total_ms,avg_ledger_ms,p50_total_ms,p95_total_ms,wall_s,treatments_per_min");
    List<Fig2Row> results = new ArrayList<>();
    byte[] msg = "diagnosis < 32 bytes".getBytes(StandardCharsets.UTF_8);
    for (String mode : List.of("sequential", "concurrent")) {
      for (int n : counts) {
        try (Ledger l = newLedger()) {
          // The three participants' setup (keys, certificates, registrations) is not timed.
          List<PaperScenario.Selection> sels = new ArrayList<>();
          for (int i = 0; i < n; i++) sels.add(selection(l.scenario, 3, i));
          warmUp(l, msg);
          long[] totals = new long[n];
          long[] ledgerTimes = new long[n];
          long t0 = System.nanoTime();
          if (mode.equals("sequential")) {
            for (int i = 0; i < n; i++) {
              PaperScenario.Treatment t = l.scenario.run(sels.get(i), msg);
              totals[i] = t.totalNanos();
              ledgerTimes[i] = t.ledgerNanos();
              progress(i + 1, n, mode);
            }
          } else {
            int threads = 16;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<PaperScenario.Treatment>> fs = new ArrayList<>();
            AtomicLong done = new AtomicLong();
            for (int i = 0; i < n; i++) {
              PaperScenario.Selection s = sels.get(i);
              // Each concurrent patient needs its own driver: ledger time is counted per driver.
              fs.add(pool.submit(() -> {
                PaperScenario.Treatment t = new PaperScenario(l.client, null, new SecureRandom()).run(s, msg);
                progress((int) done.incrementAndGet(), n, mode);
                return t;
              }));
            }
            for (int i = 0; i < n; i++) {
              PaperScenario.Treatment t = fs.get(i).get();
              totals[i] = t.totalNanos();
              ledgerTimes[i] = t.ledgerNanos();
            }
            pool.shutdown();
          }
          double wall = (System.nanoTime() - t0) / 1e9;
          Fig2Row r = new Fig2Row(mode, n, avgMs(totals), avgMs(ledgerTimes), pctMs(totals, 50), pctMs(totals, 95),
              wall, n / wall * 60);
          results.add(r);
          rows.add(String.format(Locale.ROOT, "%s,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f", mode, n, r.avgTotalMs, r.avgLedgerMs,
              r.p50Ms, r.p95Ms, r.wallSeconds, r.perMinute));
          OUT.printf(Locale.ROOT, "%n  %s n=%d: %.2f ms per patient (ledger %.2f ms), p95 %.2f ms, %.0f treatments/min%n",
              mode, n, r.avgTotalMs, r.avgLedgerMs, r.p95Ms, r.perMinute);
        }
      }
    }
    Files.write(out.resolve("fig2.csv"), rows, StandardCharsets.UTF_8);
    Charts.fig2(out, results);
  }

  record Fig2Row(String mode, int patients, double avgTotalMs, double avgLedgerMs, double p50Ms, double p95Ms,
      double wallSeconds, double perMinute) {}

  private void warmUp(Ledger l, byte[] msg) {
    for (int i = 0; i < 5; i++) l.scenario.run(selection(l.scenario, 3, 100_000 + i), msg);
  }

  // ------------------------------------------------------------------------------ throughput

  void throughput() throws Exception {
    OUT.println("== Store throughput (distinct registrations, concurrent submitters)");
    int n = fabric != null ? (quick ? 100 : 400) : (quick ? 2000 : 10000);
    List<String> rows = new ArrayList<>();
    rows.add("submitters,stores,seconds,stores_per_second");
    List<double[]> points = new ArrayList<>();
    for (int threads : fabric != null ? new int[] {1, 16, 32} : new int[] {1, 4, 16, 64}) {
      try (Ledger l = newLedger()) {
        // Identities and records are made beforehand: only Store is timed.
        List<LedgerIdentity> ids = new ArrayList<>(n);
        List<byte[]> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          try (UserSecret s = UserSecret.generate(random)) {
            var keys = s.signingKeyPair().toJca();
            LedgerIdentity id = l.enrollment.enroll("bench-doctor-" + i + "-" + System.nanoTime(), Role.DOCTOR,
                "HospitalMSP", keys);
            var cert = id.certificate();
            ids.add(id);
            values.add(RecordCodec.encode(new Registration(Role.DOCTOR,
                ParticipantIndex.of(s.signingKeyPair().publicKey()), cert.getEncoded())));
          }
        }
        // Like a portal whose users are already signed in, each identity has been used once
        // (the ledger checks a new identity's certificate and key once): only Store is timed.
        for (LedgerIdentity id : ids) l.client.participant(id, 0L);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong next = new AtomicLong();
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          fs.add(pool.submit(() -> {
            for (int i; (i = (int) next.getAndIncrement()) < n; ) l.client.storeRaw(ids.get(i), values.get(i));
            return null;
          }));
        }
        for (Future<?> f : fs) f.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        rows.add(String.format(Locale.ROOT, "%d,%d,%.3f,%.0f", threads, n, secs, n / secs));
        points.add(new double[] {threads, n / secs});
        OUT.printf(Locale.ROOT, "  %2d submitters: %d Store in %.2f s = %.0f Store/s (height %d)%n", threads, n, secs,
            n / secs, l.ledger.height());
      }
    }
    Files.write(out.resolve("throughput.csv"), rows, StandardCharsets.UTF_8);
    Charts.throughput(out, points);
  }

  // ------------------------------------------------------------------------------ helpers

  private static void progress(int done, int total, String what) {
    if (done == total || done % Math.max(1, total / 10) == 0) {
      OUT.printf(Locale.ROOT, "\r  %s: %d/%d patients", what, done, total);
      OUT.flush();
    }
  }

  private static double avgMs(long[] nanos) {
    return Arrays.stream(nanos).average().orElse(0) / 1e6;
  }

  private static double pctMs(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
  }

  private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!c.getAsBoolean() && System.nanoTime() < end) Thread.sleep(10);
  }
}
