package org.medledger.bench.portal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A portal of our own for the load run, started as the end-to-end test and scripts/portal do:
 * Payara Micro with the WAR from webapp/target, a fresh temporary data directory (H2 inside),
 * a free port on 127.0.0.1. Production Argon2 unless asked otherwise. Stopped and removed at close.
 */
final class PortalServer implements AutoCloseable {
  static final String BUILD_HINT = "./mvnw -q -B -pl webapp -am package -DskipTests";

  final int port;
  final Path dataDir;
  final Path log;
  private final Process process;
  private final boolean keepData;

  private PortalServer(int port, Path dataDir, Path log, Process process, boolean keepData) {
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
    this.process = process;
    this.keepData = keepData;
  }

  /** Starts the portal; {@code log} receives its output. Waits until the login page answers. */
  static PortalServer start(Path war, Path micro, boolean fastArgon2, Path log, boolean keepData, Duration startTimeout)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(war) || !Files.isRegularFile(micro)) {
      throw new IllegalStateException("the portal is not built (needs " + war + " and " + micro + "); build it with: "
          + BUILD_HINT + "   (or point --url at a running portal)");
    }
    Path data = Files.createTempDirectory("medledger-portal-load");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g",
        "-Dmedledger.data.dir=" + data,
        "-Dmedledger.jdbc.url=jdbc:h2:file:" + data.resolve("portal-db") + ";WRITE_DELAY=0",
        "-Dmedledger.jdbc.class=org.h2.jdbcx.JdbcDataSource",
        "-Dmedledger.jdbc.user=medledger",
        "-Dmedledger.jdbc.password=medledger"));
    if (fastArgon2) cmd.add("-Dmedledger.argon2=fast");
    // As scripts/portal: no Hazelcast member (--nohazelcast without --nocluster: the two together
    // start one again), HTTP on loopback only, no /metrics, /health, /openapi.
    // (The listener's address before boot: set after it, the listener now and then never comes back.)
    Path commands = data.resolve("pre-boot.asadmin");
    Path late = data.resolve("post-boot.asadmin");
    Files.write(late, List.of(
        "set-metrics-configuration --enabled=false",
        "set-microprofile-healthcheck-configuration --enabled=false",
        "set-openapi-configuration --enabled=false"));
    Files.write(commands, List.of(
        "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1",
        "set configs.config.server-config.network-config.protocols.protocol.http-listener.http.server-header=false",
        "set configs.config.server-config.network-config.protocols.protocol.http-listener.http.xpowered-by=false"));
    cmd.addAll(List.of("-jar", micro.toString(), "--deploy", war.toString(), "--contextroot", "/",
        "--port", Integer.toString(port), "--nohazelcast", "--prebootcommandfile", commands.toString(),
        "--postbootcommandfile", late.toString()));
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PortalServer server = new PortalServer(port, data, log, p, keepData);
    try {
      server.awaitReady(startTimeout);
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) throw new IllegalStateException("the portal exited; see " + log);
      if (answers(baseUrl())) return;
      Thread.sleep(500);
    }
    throw new IllegalStateException("the portal did not start within " + timeout.toSeconds() + " s; see " + log);
  }

  /** True when the portal at {@code base} serves its login page. */
  static boolean answers(String base) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(base + "/login.xhtml").toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    if (!keepData) {
      try (Stream<Path> s = Files.walk(dataDir)) {
        s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // a leftover temp directory is harmless
      }
    }
  }
}
