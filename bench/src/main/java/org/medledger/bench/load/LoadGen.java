package org.medledger.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.ConsortiumPolicies;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedLedger;
import org.medledger.ledger.fabric.FabricEnrollment;
import org.medledger.ledger.fabric.FabricLedger;
import org.medledger.ledger.scenario.PaperScenario;

/**
 * Open-loop load on Store, as Hyperledger Caliper's fixed-rate controller (arrivals at a fixed
 * rate whether or not earlier Stores have finished; latency counted from the arrival's due time,
 * so a slow system cannot hide its queue) and fixed-backlog controller (a fixed number of Stores
 * outstanding). The rate steps up until latency or failures break. Each step reports Store/s,
 * failures by kind, latency p50/p95/p99, transactions per block, CPU milliseconds per Store of
 * every network process (read from /proc), and the machine's other load.
 *
 * <pre>bench/run [--ledger fabric] load [--workload registration|process|all] [--rates 25,50,100|--start R --factor F]
 *     [--backlog 16,64] [--seconds S] [--p95-limit-ms MS] [--max-failures FRACTION] [--doctors N] [--quick]</pre>
 *
 * <p>Workloads: {@code registration} — every Store is the registration of a doctor the network has
 * never seen (a new identity: the peers validate its certificate chain for the first time; the
 * worst case); {@code process} — returning doctors, registered beforehand and each storing many
 * records, open treatments (txtc) with a patient's fresh consent (the realistic case: a portal's
 * signed-in users). Identities and records are made before a step starts; only Store is timed.
 */
public final class LoadGen {
  static final PrintStream OUT = System.out;

  private final Path out;
  private final Path fabricRun;
  private final SecureRandom random = new SecureRandom();
  // settings
  private List<String> workloads = List.of("registration", "process");
  private double[] rates;
  private double start = 25;
  private double factor = 1.5;
  private double maxRate = 2000;
  private int[] backlogs = new int[0];
  private double seconds = 20;
  private double p95LimitMs = 1000;
  private double maxFailures = 0.01;
  private int doctors = 64;
  private int maxOutstanding = 3000;
  private boolean quick;
  /**
   * Seconds at the first rate before the steps. Round M (docs/benchmarks.md) found that a few
   * seconds leave the client JVM's JIT compiling during the first fast steps, taking CPU from the
   * network: a cold client broke at 100/s where a warmed one held 130/s.
   */
  private double warmup = 30;

  private LoadGen(Path out, Path fabricRun) {
    this.out = out;
    this.fabricRun = fabricRun;
  }

  /** Entry from PaperBench: {@code bench/run [--ledger fabric] load ...}; returns the exit status. */
  public static int main(Path out, Path fabricRun, boolean quick, String[] args) throws Exception {
    LoadGen g = new LoadGen(out, fabricRun);
    g.quick = quick;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workload" -> g.workloads = args[++i].equals("all") ? List.of("registration", "process")
            : List.of(args[i].split(","));
        case "--rates" -> g.rates = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
        case "--start" -> g.start = Double.parseDouble(args[++i]);
        case "--factor" -> g.factor = Double.parseDouble(args[++i]);
        case "--max-rate" -> g.maxRate = Double.parseDouble(args[++i]);
        case "--backlog" -> g.backlogs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--seconds" -> g.seconds = Double.parseDouble(args[++i]);
        case "--p95-limit-ms" -> g.p95LimitMs = Double.parseDouble(args[++i]);
        case "--max-failures" -> g.maxFailures = Double.parseDouble(args[++i]);
        case "--doctors" -> g.doctors = Integer.parseInt(args[++i]);
        case "--max-outstanding" -> g.maxOutstanding = Integer.parseInt(args[++i]);
        case "--quick" -> g.quick = true;
        case "--warmup" -> g.warmup = Double.parseDouble(args[++i]);
        case "-h", "--help" -> {
          OUT.println("usage: bench/run [--ledger embedded|fabric] [--fabric-run DIR] [--out DIR] load\n"
              + "  [--workload registration|process|all]   registration: new identities (worst case);\n"
              + "                                          process: returning doctors opening treatments\n"
              + "  [--rates R1,R2,...]                     fixed arrival rates (Store/s), in order; or\n"
              + "  [--start R] [--factor F] [--max-rate M] rate steps R, R*F, ... until latency or failures break\n"
              + "  [--backlog N1,N2,...]                   also fixed-backlog runs (N Stores always outstanding)\n"
              + "  [--seconds S]                           arrivals per step (default 20)\n"
              + "  [--warmup S]                            seconds at the first rate before measuring (default 30;\n"
              + "                                          2 with --quick): the JVMs' JIT (client, chaincode servers) warms up\n"
              + "  [--p95-limit-ms MS] [--max-failures X]  what 'breaks' (default 1000 ms, 0.01)\n"
              + "  [--doctors N]                           returning doctors of the process workload (default 64)\n"
              + "  [--quick]                               3 short steps per workload (CI smoke)");
          return 0;
        }
        default -> {
          System.err.println("bench load: unknown option '" + args[i] + "' (--help)");
          return 2;
        }
      }
    }
    if (g.quick) {
      if (g.rates == null) g.rates = new double[] {10, 20, 40};
      g.seconds = Math.min(g.seconds, 4);
      g.warmup = Math.min(g.warmup, 2);
      g.doctors = Math.min(g.doctors, 8);
    }
    return g.run();
  }

  // ------------------------------------------------------------------ the ledger

  private record Target(LedgerGateway ledger, MedLedgerClient client, PaperScenario.Enrollment enrollment,
      AutoCloseable cleanup) {}

  private Target open() throws IOException {
    if (fabricRun != null) {
      FabricLedger l = FabricLedger.connect(fabricRun);
      // The organisations' CA keys sign the benchmark's certificates (the same shape as Fabric
      // CA's): enrolling thousands of identities through Fabric CA would measure the CA.
      return new Target(l, new MedLedgerClient(l), new FabricEnrollment(l.network()), l);
    }
    Path dir = Files.createTempDirectory("medledger-load");
    EmbeddedLedger l = EmbeddedLedger.open(dir, new MedLedgerContract());
    ConsortiumPolicies.writeIfAbsent(l, l.certificateAuthority("HospitalMSP").administrator("admin"),
        ConsortiumPolicy.standard(1));
    PaperScenario.Enrollment e = (name, role, msp, keys, displayName, institution) -> new LedgerIdentity(msp,
        l.certificateAuthority(msp).issue(name, role.name().toLowerCase(Locale.ROOT), displayName, institution,
            keys.getPublic()), keys.getPrivate());
    return new Target(l, new MedLedgerClient(l), e, () -> {
      l.close();
      try (var s = Files.walk(dir)) {
        s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    });
  }

  /** One Store to make: who signs and what. */
  private record Op(LedgerIdentity identity, byte[] value) {}

  /** Makes the Stores of one step (not timed). */
  private interface Workload {
    List<Op> make(int n);
  }

  private Workload registration(Target t) {
    AtomicLong serial = new AtomicLong();
    String run = Long.toString(System.currentTimeMillis(), 36);
    return n -> parallel(n, i -> {
      try (UserSecret s = UserSecret.generate(random)) {
        LedgerIdentity id = t.enrollment().enroll("load-doctor-" + run + "-" + serial.incrementAndGet(), Role.DOCTOR,
            "HospitalMSP", s.signingKeyPair().toJca());
        return new Op(id, RecordCodec.encode(new Registration(Role.DOCTOR,
            ParticipantIndex.of(s.signingKeyPair().publicKey()), id.certificate().getEncoded())));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private Workload process(Target t) throws Exception {
    OUT.printf(Locale.ROOT, "  registering %d returning doctors (not timed)%n", doctors);
    List<UserSecret> secrets = new ArrayList<>();
    List<LedgerIdentity> ids = new ArrayList<>();
    List<Op> regs = new ArrayList<>();
    String run = Long.toString(System.currentTimeMillis(), 36);
    for (int i = 0; i < doctors; i++) {
      UserSecret s = UserSecret.generate(random);
      LedgerIdentity id = t.enrollment().enroll("load-returning-" + run + "-" + i, Role.DOCTOR, "HospitalMSP",
          s.signingKeyPair().toJca());
      secrets.add(s);
      ids.add(id);
      regs.add(new Op(id, RecordCodec.encode(new Registration(Role.DOCTOR,
          ParticipantIndex.of(s.signingKeyPair().publicKey()), id.certificate().getEncoded()))));
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> fs = new ArrayList<>();
    for (Op op : regs) fs.add(pool.submit(() -> t.client().storeRaw(op.identity(), op.value())));
    for (Future<?> f : fs) f.get();
    pool.shutdown();
    List<UserSecret> patients = new ArrayList<>();
    for (int i = 0; i < 32; i++) patients.add(UserSecret.generate(random));
    AtomicInteger next = new AtomicInteger();
    return n -> parallel(n, i -> {
      int d = Math.floorMod(next.getAndIncrement(), doctors);
      UserSecret patient = patients.get(Math.floorMod(i * 7 + d, patients.size()));
      UserSecret doctor = secrets.get(d);
      long doctorIndex = ParticipantIndex.of(doctor.signingKeyPair().publicKey());
      var consent = TreatmentProtocol.consent(patient, List.of(), List.of(), List.of(), List.of(), doctorIndex, random);
      return new Op(ids.get(d), RecordCodec.encode(TreatmentProtocol.open(doctor, consent)));
    });
  }

  private static List<Op> parallel(int n, java.util.function.IntFunction<Op> f) {
    Op[] ops = new Op[n];
    java.util.stream.IntStream.range(0, n).parallel().forEach(i -> ops[i] = f.apply(i));
    return Arrays.asList(ops);
  }

  // ------------------------------------------------------------------ steps

  /** What one step measured. */
  record Result(String workload, String mode, double offered, int arrivals, int ok, Map<String, Integer> failures,
      double storesPerSecond, double p50, double p95, double p99, double perBlock, ProcCpu.Delta cpu) {
    int failed() {
      return failures.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  private int run() throws Exception {
    Files.createDirectories(out);
    ProcCpu proc = new ProcCpu(fabricRun);
    List<Result> all = new ArrayList<>();
    int status = 0;
    try (var closer = new Closer(open())) {
      Target t = closer.t;
      for (String w : workloads) {
        Workload wl = switch (w) {
          case "registration" -> registration(t);
          case "process" -> process(t);
          default -> throw new IllegalArgumentException("unknown workload '" + w + "' (registration, process, all)");
        };
        OUT.printf(Locale.ROOT, "== open-loop Store, workload %s (%s), %.0f s per step, breaks at p95 > %.0f ms or "
            + "failures > %.1f %% or Store/s < 90 %% of the rate%n", w,
            w.equals("registration") ? "new identities" : doctors + " returning doctors", seconds, p95LimitMs,
            maxFailures * 100);
        Result best = null;
        boolean broke = false;
        double rate = rates != null ? rates[0] : start;
        if (warmup > 0) {
          Result r = fixedRate(t, proc, w, rate, wl.make(Math.max(1, (int) Math.round(rate * warmup))));
          OUT.printf(Locale.ROOT, "  warm-up (not counted): %d Stores at %.0f/s, p50 %.0f ms, %d failed%n", r.arrivals,
              rate, r.p50, r.failed());
        }
        for (int step = 0; ; step++) {
          if (rates != null && step >= rates.length) break;
          if (rates != null) rate = rates[step];
          if (rate > maxRate) break;
          int n = Math.max(1, (int) Math.round(rate * seconds));
          List<Op> ops = wl.make(n);
          Result r = fixedRate(t, proc, w, rate, ops);
          all.add(r);
          print(r);
          boolean breaks = r.p95 > p95LimitMs || r.failed() > maxFailures * r.arrivals
              || r.storesPerSecond < 0.9 * rate;
          if (breaks) {
            broke = true;
            break;
          }
          best = r;
          if (rates == null) rate = Math.ceil(rate * factor);
        }
        for (int b : backlogs) {
          List<Op> ops = wl.make(Math.max(b * 4, (int) Math.round((best == null ? 20 : best.storesPerSecond) * seconds)));
          Result r = fixedBacklog(t, proc, w, b, ops);
          all.add(r);
          print(r);
        }
        if (best != null) {
          OUT.printf(Locale.ROOT, "  %s: %s %.0f Store/s at p50 %.0f ms, p95 %.0f ms (offered %.0f/s)%n", w,
              broke ? "saturation:" : "highest rate tried, not saturated:", best.storesPerSecond, best.p50, best.p95,
              best.offered);
        } else {
          OUT.printf(Locale.ROOT, "  %s: even the first rate broke%n", w);
        }
        if (all.stream().noneMatch(r -> r.workload.equals(w) && r.ok > 0)) status = 1; // nothing was stored at all
      }
    }
    write(all);
    return status;
  }

  private Result fixedRate(Target t, ProcCpu proc, String w, double rate, List<Op> ops) throws InterruptedException {
    int n = ops.size();
    long[] latency = new long[n];
    Arrays.fill(latency, -1);
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    Set<Long> blocks = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newCachedThreadPool(daemon());
    Semaphore outstanding = new Semaphore(maxOutstanding);
    long period = (long) (1e9 / rate);
    ProcCpu.Sample before = proc.sample();
    long t0 = System.nanoTime() + 5_000_000;
    AtomicLong lastDone = new AtomicLong(t0);
    for (int i = 0; i < n; i++) {
      long due = t0 + i * period;
      long wait = due - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      if (!outstanding.tryAcquire()) {
        failures.merge("client backlog full (" + maxOutstanding + " outstanding)", 1, Integer::sum);
        continue;
      }
      int k = i;
      pool.execute(() -> {
        try {
          store(t, ops.get(k), due, latency, k, failures, blocks);
        } finally {
          lastDone.accumulateAndGet(System.nanoTime(), Math::max);
          outstanding.release();
        }
      });
    }
    pool.shutdown();
    if (!pool.awaitTermination(180, TimeUnit.SECONDS)) failures.merge("still outstanding after 180 s", 1, Integer::sum);
    ProcCpu.Sample after = proc.sample();
    return result(w, "rate", rate, n, latency, failures, blocks, (lastDone.get() - t0) / 1e9, before, after);
  }

  private Result fixedBacklog(Target t, ProcCpu proc, String w, int backlog, List<Op> ops) throws Exception {
    int n = ops.size();
    long[] latency = new long[n];
    Arrays.fill(latency, -1);
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    Set<Long> blocks = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(backlog, daemon());
    AtomicInteger next = new AtomicInteger();
    ProcCpu.Sample before = proc.sample();
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < backlog; i++) {
      fs.add(pool.submit(() -> {
        for (int k; (k = next.getAndIncrement()) < n; ) store(t, ops.get(k), System.nanoTime(), latency, k, failures, blocks);
      }));
    }
    for (Future<?> f : fs) f.get();
    double secs = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    ProcCpu.Sample after = proc.sample();
    return result(w, "backlog " + backlog, Double.NaN, n, latency, failures, blocks, secs, before, after);
  }

  private static void store(Target t, Op op, long due, long[] latency, int k, Map<String, Integer> failures,
      Set<Long> blocks) {
    try {
      MedLedgerClient.Stored s = t.client().storeRaw(op.identity(), op.value());
      latency[k] = System.nanoTime() - due;
      blocks.add(s.blockNumber());
    } catch (LedgerException e) {
      failures.merge(kind(e), 1, Integer::sum);
    } catch (RuntimeException e) {
      failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
    }
  }

  /** A failure's kind: the ledger's category and what Fabric said, without the ids that make each unique. */
  static String kind(LedgerException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    String why;
    if (m.contains("MVCC_READ_CONFLICT")) why = "MVCC read conflict";
    else if (m.contains("concurrency limit")) why = "gateway concurrency limit";
    else if (m.contains("DEADLINE_EXCEEDED")) why = "deadline exceeded";
    else if (m.contains("UNAVAILABLE")) why = "unavailable";
    else if (m.matches("(?s)^R\\d+:.*")) why = m.substring(0, Math.min(m.length(), 60));
    else why = m.replaceAll("[0-9a-f]{16,}", "…").substring(0, Math.min(m.length(), 60));
    return e.kind() + ": " + why;
  }

  private Result result(String w, String mode, double offered, int n, long[] latency, Map<String, Integer> failures,
      Set<Long> blocks, double secs, ProcCpu.Sample before, ProcCpu.Sample after) {
    long[] ok = Arrays.stream(latency).filter(x -> x >= 0).sorted().toArray();
    return new Result(w, mode, offered, n, ok.length, new TreeMap<>(failures), ok.length / Math.max(secs, 1e-9),
        pct(ok, 50), pct(ok, 95), pct(ok, 99), blocks.isEmpty() ? 0 : (double) ok.length / blocks.size(),
        ProcCpu.delta(before, after));
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) return Double.NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))] / 1e6;
  }

  // ------------------------------------------------------------------ output

  private void print(Result r) {
    OUT.printf(Locale.ROOT, "  %-12s %-11s %6d arrivals: %6.1f Store/s, p50 %6.0f ms, p95 %6.0f ms, p99 %6.0f ms, "
        + "%5.1f tx/block, failures %d%n", r.workload, r.mode.equals("rate") ? String.format(Locale.ROOT, "%.0f/s", r.offered)
            : r.mode, r.arrivals, r.storesPerSecond, r.p50, r.p95, r.p99, r.perBlock, r.failed());
    r.failures.forEach((k, v) -> OUT.printf(Locale.ROOT, "      %5d × %s%n", v, k));
    ProcCpu.Delta c = r.cpu;
    StringBuilder b = new StringBuilder("      CPU ms per Store:");
    double sum = 0;
    for (var e : c.networkCpuSeconds().entrySet()) {
      double ms = e.getValue() * 1000 / Math.max(1, r.ok);
      sum += ms;
      b.append(String.format(Locale.ROOT, " %s %.1f", e.getKey(), ms));
    }
    b.append(String.format(Locale.ROOT, " | all %.1f", sum));
    OUT.println(b);
    OUT.printf(Locale.ROOT, "      machine: %.0f %% busy; other processes %.2f core; loadavg %s -> %s%n",
        c.machineBusyFraction() * 100, c.othersCpuSeconds() / c.seconds(), c.loadBefore(), c.loadAfter());
    for (String s : c.topOthers()) OUT.println("        other: " + s);
  }

  private void write(List<Result> all) throws IOException {
    Set<String> procs = new java.util.LinkedHashSet<>();
    for (Result r : all) procs.addAll(r.cpu.networkCpuSeconds().keySet());
    List<String> rows = new ArrayList<>();
    StringBuilder h = new StringBuilder("workload,mode,offered_per_s,arrivals,ok,failed,stores_per_s,p50_ms,p95_ms,p99_ms,"
        + "tx_per_block,seconds,cpu_ms_per_store_all");
    for (String p : procs) h.append(",cpu_ms_per_store_").append(p);
    h.append(",other_processes_cores,machine_busy,loadavg_before,loadavg_after,failures");
    rows.add(h.toString());
    for (Result r : all) {
      StringBuilder b = new StringBuilder();
      double sum = r.cpu.networkCpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
      b.append(String.format(Locale.ROOT, "%s,%s,%.1f,%d,%d,%d,%.2f,%.1f,%.1f,%.1f,%.2f,%.2f,%.2f", r.workload, r.mode,
          r.offered, r.arrivals, r.ok, r.failed(), r.storesPerSecond, r.p50, r.p95, r.p99, r.perBlock, r.cpu.seconds(),
          sum * 1000 / Math.max(1, r.ok)));
      for (String p : procs) {
        b.append(String.format(Locale.ROOT, ",%.2f", r.cpu.networkCpuSeconds().getOrDefault(p, 0.0) * 1000 / Math.max(1, r.ok)));
      }
      b.append(String.format(Locale.ROOT, ",%.2f,%.2f,%s,%s,\"%s\"", r.cpu.othersCpuSeconds() / r.cpu.seconds(),
          r.cpu.machineBusyFraction(), r.cpu.loadBefore(), r.cpu.loadAfter(), r.failures.toString().replace('"', '\'')));
      rows.add(b.toString());
    }
    Path f = out.resolve("load.csv");
    Files.write(f, rows, StandardCharsets.UTF_8);
    OUT.println("  written " + f);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread th = new Thread(r, "load");
      th.setDaemon(true);
      return th;
    };
  }

  private static final class Closer implements AutoCloseable {
    final Target t;

    Closer(Target t) {
      this.t = t;
    }

    @Override
    public void close() throws Exception {
      t.cleanup().close();
    }
  }
}
