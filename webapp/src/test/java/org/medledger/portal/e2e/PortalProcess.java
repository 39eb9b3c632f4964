package org.medledger.portal.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The portal started as scripts/portal does: Payara Micro with the WAR, on a free port and a temp data dir. */
final class PortalProcess implements AutoCloseable {
  final int port;
  final Path dataDir;
  final Path log;
  private final Process process;

  private PortalProcess(int port, Path dataDir, Path log, Process process) {
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
    this.process = process;
  }

  static PortalProcess start(Path dataDir) throws IOException, InterruptedException {
    return start(dataDir, List.of());
  }

  /** With extra JVM options (after the defaults, so a -D given here wins). */
  static PortalProcess start(Path dataDir, List<String> jvmOptions) throws IOException, InterruptedException {
    Path war = Path.of(System.getProperty("medledger.war", "target/medledger-webapp.war")).toAbsolutePath();
    Path micro = Path.of(System.getProperty("medledger.payaraMicro", "target/payara-micro.jar")).toAbsolutePath();
    if (!Files.exists(war) || !Files.exists(micro)) {
      throw new IllegalStateException("run through 'mvn verify' (needs " + war + " and " + micro + ")");
    }
    Files.createDirectories(dataDir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = dataDir.resolve("portal.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx768m",
        "-Dmedledger.data.dir=" + dataDir,
        // H2 by default; -Dmedledger.it.jdbc.url=jdbc:postgresql://... (with .class/.user/.password)
        // runs the same test against PostgreSQL.
        "-Dmedledger.jdbc.url=" + System.getProperty("medledger.it.jdbc.url", "jdbc:h2:file:" + dataDir.resolve("portal-db") + ";WRITE_DELAY=0"),
        "-Dmedledger.jdbc.class=" + System.getProperty("medledger.it.jdbc.class", "org.h2.jdbcx.JdbcDataSource"),
        "-Dmedledger.jdbc.user=" + System.getProperty("medledger.it.jdbc.user", "medledger"),
        "-Dmedledger.jdbc.password=" + System.getProperty("medledger.it.jdbc.password", "medledger"),
        "-Dmedledger.argon2=fast"));
    command.addAll(jvmOptions);
    command.addAll(List.of(
        "-jar", micro.toString(), "--deploy", war.toString(), "--contextroot", "/", "--port", Integer.toString(port),
        "--nocluster", "--nohazelcast"));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    PortalProcess p = new PortalProcess(port, dataDir, log, pb.start());
    p.awaitReady(Duration.ofSeconds(180));
    return p;
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private void awaitReady(Duration timeout) throws InterruptedException, IOException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) throw new IllegalStateException("the portal exited; see " + log);
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(url("/login.xhtml")).toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(5000);
        if (c.getResponseCode() == 200) return;
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(500);
    }
    close();
    throw new IllegalStateException("the portal did not start within " + timeout + "; see " + log);
  }

  /**
   * SIGKILL: the JVM ends at once, without shutdown hooks, undeployment or H2's close; what a
   * crash or {@code kill -9} leaves on disk is what the next start finds.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new IllegalStateException("the portal JVM survived SIGKILL; see " + log);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
