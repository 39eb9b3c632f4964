package org.medledger.bench.directory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.ConsortiumPolicies;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedLedger;
import org.medledger.ledger.fabric.FabricCaEnrollment;
import org.medledger.ledger.fabric.FabricEnrollment;
import org.medledger.ledger.fabric.FabricLedger;
import org.medledger.ledger.fabric.FabricNetwork;
import org.medledger.ledger.scenario.PaperScenario;

/**
 * The directory's read workload (issue 14, "Reads that scale"): registers professionals, then
 * runs closed-loop directory reads for a fixed time per workload and reports pages per second,
 * latency percentiles and the answer's size, beside one whole-directory ListParticipants.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.medledger.bench.directory.DirectoryReadBench \
 *     [--ledger embedded|fabric] [--fabric-run fabric/run] [--registrations 400,4000] \
 *     [--threads 1,4] [--seconds 10]
 * </pre>
 *
 * On the embedded ledger each size runs on a fresh ledger; on Fabric the registrations are
 * added to whatever the network holds (the count of new ones is printed with the total).
 */
public final class DirectoryReadBench {
  private static final PrintStream OUT = System.out;
  private static final String[][] ORGS = {{"HospitalMSP", "doctor", "St. Mary's Hospital"},
      {"PharmacyMSP", "pharmacist", "Central Pharmacy"}, {"InsurerMSP", "insurer", "Mutual Health Insurance"},
      {"LawFirmMSP", "lawyer", "Weber & Partners"}};
  private static final String[] FIRST = {"Ana", "Ben", "Claire", "David", "Eva", "Frank", "Greta", "Hugo", "Ines",
      "Jonas", "Karin", "Luca", "Mara", "Nils", "Olga", "Paul"};

  private DirectoryReadBench() {}

  public static void main(String[] args) throws Exception {
    String ledger = "embedded";
    Path fabricRun = Path.of("fabric/run");
    int[] sizes = {400, 4000};
    int[] threads = {1, 4};
    int seconds = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--ledger" -> ledger = args[++i];
        case "--fabric-run" -> fabricRun = Path.of(args[++i]);
        case "--registrations" -> sizes = ints(args[++i]);
        case "--threads" -> threads = ints(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("directory bench: unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    OUT.printf("machine: %d cores, load average %s; java %s%n", Runtime.getRuntime().availableProcessors(),
        loadAverage(), System.getProperty("java.version"));
    for (int n : sizes) {
      try (Target t = ledger.equals("fabric") ? Target.fabric(fabricRun) : Target.embedded()) {
        String tag = "Bench" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        long t0 = System.nanoTime();
        register(t, n, tag);
        OUT.printf("%n== %s ledger, %d new registrations (tag %s) in %.1f s; load average %s%n", ledger, n, tag,
            (System.nanoTime() - t0) / 1e9, loadAverage());
        LedgerIdentity reader = t.reader;
        MedLedgerClient c = t.client;
        // The whole directory once, as the portal read it before: size and time of one answer.
        long w0 = System.nanoTime();
        int whole = t.ledger.evaluate(reader, "ListParticipants").length;
        OUT.printf("ListParticipants (whole directory, once): %d bytes in %.1f ms%n", whole, (System.nanoTime() - w0) / 1e6);
        List<String> bookmarks = continuationBookmarks(c, reader);
        for (int k : threads) {
          measureRaw("before: ListParticipants, the whole directory", k, seconds, i ->
              t.ledger.evaluate(reader, "ListParticipants").length);
          measure("first page, every role (20)", k, seconds, i ->
              c.searchParticipants(reader, new MedLedgerClient.DirectorySearch(null, "", "", "", 0), ""), t);
          measure("first page, doctors (20)", k, seconds, i ->
              c.searchParticipants(reader, MedLedgerClient.DirectorySearch.byName(Role.DOCTOR, "", 0), ""), t);
          measure("name prefix (tag + first name), page of 20", k, seconds, i ->
              c.searchParticipants(reader, MedLedgerClient.DirectorySearch.byName(null, tag + " " + FIRST[i % FIRST.length], 0), ""), t);
          measure("continuation pages of 50, every role", k, seconds, i ->
              c.searchParticipants(reader, new MedLedgerClient.DirectorySearch(null, "", "", "", 50),
                  bookmarks.get(i % bookmarks.size())), t);
        }
      }
    }
  }

  /** Bookmarks of the pages of 50 through the first 1,000 entries (the continuation workload). */
  private static List<String> continuationBookmarks(MedLedgerClient c, LedgerIdentity reader) {
    List<String> out = new ArrayList<>();
    String b = "";
    for (int p = 0; p < 20; p++) {
      MedLedgerClient.DirectoryPage page =
          c.searchParticipants(reader, new MedLedgerClient.DirectorySearch(null, "", "", "", 50), b);
      if (!page.more()) break;
      b = page.bookmark();
      out.add(b);
    }
    if (out.isEmpty()) out.add("");
    return out;
  }

  /** Closed loop: {@code k} readers, each issuing the next read when the last returned. */
  private static void measure(String what, int k, int seconds, Function<Integer, MedLedgerClient.DirectoryPage> read,
      Target t) throws Exception {
    run(what, k, seconds, i -> read.apply(i).registrations().size(), t.answerBytes(read.apply(0)), "entries/page");
  }

  /** The same for a read whose answer size is all we know (bytes per answer). */
  private static void measureRaw(String what, int k, int seconds, Function<Integer, Integer> read) throws Exception {
    run(what, k, seconds, read, read.apply(0), "KiB/answer");
  }

  private static void run(String what, int k, int seconds, Function<Integer, Integer> read, int bytes, String unit)
      throws Exception {
    for (int w = 0; w < 20; w++) read.apply(w); // warm-up
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicInteger seq = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(k);
    List<Future<long[]>> parts = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      parts.add(pool.submit(() -> {
        long[] lat = new long[1 << 20];
        int n = 0;
        long entries = 0;
        while (System.nanoTime() < end && n < lat.length - 1) {
          long s = System.nanoTime();
          int size = read.apply(seq.getAndIncrement());
          lat[n++] = System.nanoTime() - s;
          entries += size;
        }
        long[] out = Arrays.copyOf(lat, n + 1);
        out[n] = entries;
        return out;
      }));
    }
    List<Long> all = new ArrayList<>();
    long entries = 0;
    for (Future<long[]> f : parts) {
      long[] r = f.get();
      for (int i = 0; i < r.length - 1; i++) all.add(r[i]);
      entries += r[r.length - 1];
    }
    pool.shutdown();
    all.sort(null);
    double per = all.isEmpty() ? 0 : entries / (double) all.size();
    if (unit.startsWith("KiB")) per /= 1024;
    OUT.printf(Locale.ROOT, "%-48s %2d readers: %7.0f answers/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  "
            + "%6.1f %s  ~%d bytes/answer%n", what, k, all.size() / (double) seconds, pct(all, 50), pct(all, 95),
        pct(all, 99), per, unit, bytes);
  }

  private static double pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) return 0;
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
  }

  /** Registers {@code n} professionals, a quarter per organisation, with 8 submitters. */
  private static void register(Target t, int n, String tag) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    for (int k = 0; k < n; k++) {
      int i = k;
      KeyPair keys = g.generateKeyPair();
      done.add(pool.submit(() -> {
        String[] org = ORGS[i % 4];
        String name = tag + " " + FIRST[i % FIRST.length] + " " + (i / FIRST.length);
        LedgerIdentity id = t.enrollment.enroll(tag.toLowerCase(Locale.ROOT) + "-" + i, Role.fromName(org[1]), org[0],
            keys, name, org[2]);
        long index = ParticipantIndex.of(P256.encodeCompressed(P256.fromJcaPublicKey(keys.getPublic())));
        try {
          t.client.store(id, new Registration(Role.fromName(org[1]), index, id.certificate().getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
          throw new IllegalStateException(e);
        }
        return null;
      }));
    }
    for (Future<?> f : done) f.get();
    pool.shutdown();
  }

  private static int[] ints(String s) {
    return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The ledger under measurement: a fresh embedded ledger, or the running Fabric network. */
  private static final class Target implements AutoCloseable {
    final LedgerGateway ledger;
    final MedLedgerClient client;
    final PaperScenario.Enrollment enrollment;
    final LedgerIdentity reader;
    private final Path tempDir;

    private Target(LedgerGateway ledger, PaperScenario.Enrollment enrollment, LedgerIdentity reader, Path tempDir) {
      this.ledger = ledger;
      this.client = new MedLedgerClient(ledger);
      this.enrollment = enrollment;
      this.reader = reader;
      this.tempDir = tempDir;
    }

    static Target embedded() throws IOException {
      Path dir = Files.createTempDirectory("medledger-dirbench");
      EmbeddedLedger l = EmbeddedLedger.open(dir, new MedLedgerContract());
      ConsortiumPolicies.writeIfAbsent(l, l.certificateAuthority("HospitalMSP").administrator("admin"),
          ConsortiumPolicy.standard(1));
      PaperScenario.Enrollment e = (name, role, msp, keys, displayName, institution) -> new LedgerIdentity(msp,
          l.certificateAuthority(msp).issue(name, role.name().toLowerCase(Locale.ROOT), displayName, institution,
              keys.getPublic()), keys.getPrivate());
      return new Target(l, e, l.certificateAuthority("HospitalMSP").administrator("reader"), dir);
    }

    static Target fabric(Path run) throws Exception {
      FabricLedger l = FabricLedger.connect(run);
      FabricNetwork n = l.network();
      boolean ca = n.mspIds().stream().allMatch(m -> FabricCaEnrollment.available(n, m));
      PaperScenario.Enrollment e = ca ? new FabricCaEnrollment(n) : new FabricEnrollment(n);
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      LedgerIdentity reader = e.enroll("dirbench-reader-" + System.nanoTime(), Role.PATIENT, "HospitalMSP",
          g.generateKeyPair(), null, null);
      return new Target(l, e, reader, null);
    }

    int answerBytes(MedLedgerClient.DirectoryPage p) {
      int b = 30 + p.bookmark().length();
      for (Registration r : p.registrations()) {
        b += 3 + (org.medledger.core.record.RecordCodec.encode(r).length + 2) / 3 * 4;
      }
      return b;
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
}
