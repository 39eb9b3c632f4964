package org.medledger.bench.portal;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

/**
 * The portal under load, through HTTP: N virtual users run concurrently, each a treatment group
 * of six accounts driving real (headless) Chromium pages, so every request is the pages' own
 * traffic (JSF view state, PrimeFaces scripts, the notification websocket). Per step: count,
 * p50/p95/p99/max latency and errors; portal.csv (every sample), portal-summary.csv, and
 * portal.png/.svg (p50 and p95 per step).
 *
 * <pre>bench/run [--out DIR] portal [--url http://127.0.0.1:8080] [--users N] [--treatments M] [--fast-argon2] ...</pre>
 */
public final class PortalLoad {
  private static final PrintStream OUT = System.out;
  private static final String USAGE = """
      usage: bench/run [--out DIR] portal [options]
        --url URL          a running portal on this machine (127.0.0.1/localhost only); default: start one
                           (Payara Micro + the WAR from webapp/target, temporary data directory, free port)
        --users N          concurrent virtual users, each a treatment group of six accounts (default 2); alias --groups
        --treatments M     whole flows per group, one after the other, with the same accounts (default 1)
        --fast-argon2      the portal we start uses medledger.argon2=fast (default: production RFC 9106, ~0.5 s a login)
        --paste            the doctor pastes the consent text (default: uploads the QR code picture)
        --timeout S        the longest wait of one step, seconds (default 60)
        --max-minutes X    the whole run stops by itself after X minutes (default 20)
        --stagger S        seconds between the starts of two groups (default 0)
        --warmup           first one unmeasured group (JIT, pools, caches of a freshly started portal)
        --out DIR          results: portal.csv, portal-summary.csv, portal.png/.svg, screenshots/ of failures
        --war F, --payara-micro F, --chromium F   (defaults: webapp/target/medledger-webapp.war,
                           webapp/target/payara-micro.jar, /usr/bin/chromium)
        --keep-data        keep the started portal's data directory
        --admin NAME:PW    the administrator of the portal given with --url (it invites the professionals);
                           a portal this run starts gets one from its setup code
      build the portal first: %s""".formatted(PortalServer.BUILD_HINT);

  private PortalLoad() {}

  /** Entry point of {@code bench/run portal}; {@code out} is the directory given before 'portal'. */
  public static void main(Path out, String[] args) throws Exception {
    String url = null;
    int groups = 2;
    int treatments = 1;
    boolean fastArgon2 = false;
    boolean paste = false;
    boolean keepData = false;
    boolean warmup = false;
    long timeoutS = 60;
    double maxMinutes = 20;
    double stagger = 0;
    Path war = Path.of("webapp/target/medledger-webapp.war");
    Path micro = Path.of("webapp/target/payara-micro.jar");
    Path chromium = Path.of("/usr/bin/chromium");
    String admin = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--url" -> url = args[++i].replaceAll("/+$", "");
          case "--users", "--groups" -> groups = Integer.parseInt(args[++i]);
          case "--treatments" -> treatments = Integer.parseInt(args[++i]);
          case "--fast-argon2" -> fastArgon2 = true;
          case "--paste" -> paste = true;
          case "--timeout" -> timeoutS = Long.parseLong(args[++i]);
          case "--max-minutes" -> maxMinutes = Double.parseDouble(args[++i]);
          case "--stagger" -> stagger = Double.parseDouble(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          case "--war" -> war = Path.of(args[++i]);
          case "--payara-micro" -> micro = Path.of(args[++i]);
          case "--chromium" -> chromium = Path.of(args[++i]);
          case "--keep-data" -> keepData = true;
          case "--warmup" -> warmup = true;
          case "--admin" -> admin = args[++i];
          case "-h", "--help" -> {
            OUT.println(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
      if (groups < 1 || treatments < 1 || timeoutS < 1 || maxMinutes <= 0 || stagger < 0) {
        throw new IllegalArgumentException("--users, --treatments, --timeout, --max-minutes must be positive");
      }
      if (url != null) checkLoopback(url);
      if (url != null && (admin == null || !admin.contains(":"))) {
        throw new IllegalArgumentException("--url needs --admin NAME:PASSWORD, the portal's administrator, who invites"
            + " the professionals of each group");
      }
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      System.err.println("bench portal: " + (e instanceof ArrayIndexOutOfBoundsException ? "an option lacks its value"
          : e.getMessage()));
      System.err.println(USAGE);
      System.exit(2);
    }
    if (!Files.isExecutable(chromium)) {
      System.err.println("bench portal: " + chromium + " is missing (apt-get install -y chromium)");
      System.exit(2);
    }
    if (url != null && fastArgon2) {
      OUT.println("note: --fast-argon2 only applies to a portal this run starts; " + url + " keeps its own setting");
    }

    Files.createDirectories(out);
    Path shots = out.resolve("screenshots");
    Files.createDirectories(shots);
    OUT.printf(Locale.ROOT, "== Portal load: %d concurrent group(s) of 6 users x %d treatment(s), %s%n", groups,
        treatments, url != null ? url : "own portal (" + (fastArgon2 ? "fast" : "production") + " Argon2)");
    OUT.println("   load average before: " + loadAverage() + " (" + Runtime.getRuntime().availableProcessors() + " cores)");

    PortalServer server = null;
    Thread stopper = null;
    if (url == null) {
      Path log = out.resolve("portal-server.log");
      OUT.println("   starting the portal (log: " + log + ") ...");
      long t = System.nanoTime();
      try {
        server = PortalServer.start(war.toAbsolutePath(), micro.toAbsolutePath(), fastArgon2, log, keepData,
            Duration.ofSeconds(240));
      } catch (IllegalStateException e) {
        System.err.println("bench portal: " + e.getMessage());
        System.exit(2);
      }
      PortalServer started = server;
      stopper = new Thread(started::close, "portal-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      url = server.baseUrl();
      OUT.printf(Locale.ROOT, "   portal up at %s in %.1f s (data %s)%n", url, (System.nanoTime() - t) / 1e9,
          server.dataDir);
      String adminPw = Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36) + "-bench";
      BenchAdministrator.create(url, log, chromium, "bench-admin", adminPw, timeoutS * 1000);
      admin = "bench-admin:" + adminPw;
      OUT.println("   administrator bench-admin created with the setup code");
    } else if (!PortalServer.answers(url)) {
      System.err.println("bench portal: nothing answers at " + url + "/login.xhtml");
      System.exit(2);
    }

    String adminName = admin.substring(0, admin.indexOf(':'));
    String adminPassword = admin.substring(admin.indexOf(':') + 1);
    List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    long deadline = System.nanoTime() + (long) (maxMinutes * 60e9);
    // user names of this run: lt<time>-<random>-g<group>-<role>, distinct from any other run's
    String runTag = "lt" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss")) + "-"
        + Integer.toString(new java.security.SecureRandom().nextInt(36 * 36 * 36), 36);
    if (warmup) {
      OUT.println("   warm-up: one unmeasured group ...");
      List<Sample> w = Collections.synchronizedList(new ArrayList<>());
      long t = System.nanoTime();
      Thread th = new Thread(new TreatmentGroup(new TreatmentGroup.Settings(url, runTag + "w", 1, timeoutS * 1000,
          deadline, t, paste, chromium, shots, w::add, line -> { }, adminName, adminPassword), 0), "portal-load-warmup");
      th.setDaemon(true);
      th.start();
      th.join((long) (maxMinutes * 60_000) + 3 * timeoutS * 1000);
      OUT.printf(Locale.ROOT, "   warm-up done in %.1f s, %d steps, %d errors%n", (System.nanoTime() - t) / 1e9,
          w.size(), w.stream().filter(x -> !x.ok()).count());
    }
    long start = System.nanoTime();
    TreatmentGroup.Settings settings = new TreatmentGroup.Settings(url, runTag, treatments, timeoutS * 1000, deadline,
        start, paste, chromium, shots, samples::add, line -> {
          synchronized (OUT) {
            OUT.println(line);
          }
        }, adminName, adminPassword);
    AtomicInteger threadNo = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(groups, r -> {
      Thread th = new Thread(r, "portal-load-group-" + threadNo.incrementAndGet());
      th.setDaemon(true);
      return th;
    });
    String loadDuring;
    try {
      for (int g = 1; g <= groups; g++) {
        int group = g;
        long delay = (long) (stagger * 1000 * (g - 1));
        pool.submit(() -> {
          try {
            if (delay > 0) Thread.sleep(delay);
            new TreatmentGroup(settings, group).run();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (Throwable e) {
            samples.add(new Sample(group, 0, "-", "flow:group", 0, 0, "unexpected: " + e));
          }
        });
      }
      pool.shutdown();
      // every step has its own timeout and the deadline stops new steps: this bound is only a backstop
      long waitMs = (long) (maxMinutes * 60_000) + 3 * timeoutS * 1000 + (long) (stagger * 1000 * groups) + 60_000;
      if (!pool.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
        OUT.println("   some groups did not finish in time; reporting what was measured");
        pool.shutdownNow();
      }
      loadDuring = loadAverage();
    } finally {
      if (server != null) {
        OUT.println("   stopping the portal");
        server.close();
        Runtime.getRuntime().removeShutdownHook(stopper);
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    report(out, List.copyOf(samples), groups, treatments, wall, loadDuring, url);
  }

  private static void checkLoopback(String url) {
    String host;
    try {
      host = URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + url);
    }
    if (host == null || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) {
      throw new IllegalArgumentException("--url must point at this machine (127.0.0.1 or localhost), not " + url);
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static void report(Path out, List<Sample> samples, int groups, int treatments, double wall, String load,
      String url) throws IOException {
    List<String> rows = new ArrayList<>();
    rows.add(Sample.CSV_HEADER);
    samples.stream().sorted((a, b) -> Long.compare(a.startMs(), b.startMs())).forEach(x -> rows.add(x.csv()));
    Files.write(out.resolve("portal.csv"), rows, StandardCharsets.UTF_8);

    List<StepStats> stats = StepStats.of(samples.stream().sorted((a, b) -> Long.compare(a.startMs(), b.startMs()))
        .toList());
    // the flow totals last
    List<StepStats> ordered = new ArrayList<>(stats.stream().filter(x -> !meta(x.step())).toList());
    ordered.addAll(stats.stream().filter(x -> meta(x.step())).sorted((a, b) -> b.step().compareTo(a.step())).toList());
    List<String> summary = new ArrayList<>();
    summary.add(StepStats.CSV_HEADER);
    ordered.forEach(x -> summary.add(x.csv()));
    Files.write(out.resolve("portal-summary.csv"), summary, StandardCharsets.UTF_8);

    long errors = samples.stream().filter(x -> !x.ok()).count();
    long flows = samples.stream().filter(x -> x.ok() && x.step().equals("flow:treatment")).count();
    OUT.println();
    OUT.printf(Locale.ROOT, "== Portal load summary: %d group(s) x %d treatment(s) against %s%n", groups, treatments, url);
    OUT.println(StepStats.header());
    for (StepStats x : ordered) {
      if (meta(x.step()) && x == ordered.stream().filter(y -> meta(y.step())).findFirst().orElse(null)) {
        OUT.println("-".repeat(StepStats.header().length()));
      }
      OUT.println(x.row());
    }
    OUT.printf(Locale.ROOT, "%d samples, %d errors; %d of %d treatments completed in %.1f s (%.2f treatments/min); "
        + "load average at the end: %s%n", samples.size(), errors, flows, (long) groups * treatments, wall,
        flows / wall * 60, load);
    if (errors > 0) {
      OUT.println("errors:");
      samples.stream().filter(x -> !x.ok()).forEach(x -> OUT.printf(Locale.ROOT, "  g%d t%d %s %s: %s%n", x.group(),
          x.treatment(), x.user(), x.step(), x.error()));
      OUT.println("screenshots of failed steps: " + out.resolve("screenshots"));
    }
    chart(out, ordered, groups, treatments);
    OUT.println("results: " + out.resolve("portal.csv") + ", portal-summary.csv, portal.png, portal.svg");
  }

  /** Not a request to the portal: the whole flows, and the browser's start. */
  private static boolean meta(String step) {
    return step.startsWith("flow:") || step.equals("browser");
  }

  private static void chart(Path out, List<StepStats> stats, int groups, int treatments) throws IOException {
    List<StepStats> steps = stats.stream().filter(x -> !meta(x.step()) && x.count() > 0).toList();
    if (steps.isEmpty()) return;
    String flow = stats.stream().filter(x -> x.step().equals("flow:treatment") && x.count() > 0)
        .map(x -> String.format(Locale.ROOT, "; whole treatment p50 %.1f s, p95 %.1f s", x.p50() / 1000, x.p95() / 1000))
        .findFirst().orElse("");
    CategoryChart c = new CategoryChartBuilder().width(1000).height(560)
        .title("Portal under load: " + groups + " group(s) x 6 users x " + treatments + " treatment(s)" + flow)
        .xAxisTitle("step").yAxisTitle("ms").build();
    c.getStyler().setXAxisLabelRotation(45);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    List<String> names = steps.stream().map(StepStats::step).toList();
    c.addSeries("p50", names, steps.stream().map(StepStats::p50).toList());
    c.addSeries("p95", names, steps.stream().map(StepStats::p95).toList());
    Path base = out.resolve("portal");
    BitmapEncoder.saveBitmap(c, base.toString(), BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(c, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
  }
}
