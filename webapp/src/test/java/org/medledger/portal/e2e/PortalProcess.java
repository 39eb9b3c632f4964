package org.medledger.portal.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The portal started by scripts/portal itself ({@code --no-build}, the WAR and Payara Micro of
 * webapp/target), on a free port and a temp data dir, with the settings given as the
 * environment variables the script documents. The script execs java, so {@link #pid()} is the
 * portal JVM's.
 */
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
    return start(dataDir, Map.of(), List.of());
  }

  /** With extra JVM options (after the defaults, so a -D given here wins). */
  static PortalProcess start(Path dataDir, List<String> jvmOptions) throws IOException, InterruptedException {
    return start(dataDir, Map.of(), jvmOptions);
  }

  /** {@code settings}: further MEDLEDGER_* variables (e.g. the HTTPS ones), over the defaults below. */
  static PortalProcess start(Path dataDir, Map<String, String> settings) throws IOException, InterruptedException {
    return start(dataDir, settings, List.of());
  }

  static PortalProcess start(Path dataDir, Map<String, String> settings, List<String> jvmOptions)
      throws IOException, InterruptedException {
    Path war = Path.of(System.getProperty("medledger.war", "target/medledger-webapp.war")).toAbsolutePath();
    Path micro = Path.of(System.getProperty("medledger.payaraMicro", "target/payara-micro.jar")).toAbsolutePath();
    if (!Files.exists(war) || !Files.exists(micro)) {
      throw new IllegalStateException("run through 'mvn verify' (needs " + war + " and " + micro + ")");
    }
    // webapp/target/… → the repository root, where scripts/portal looks for that same build.
    Path root = war.getParent().getParent().getParent();
    Path script = root.resolve("scripts/portal");
    Files.createDirectories(dataDir);
    int port = freePort();
    Path log = dataDir.resolve("portal.log");
    ProcessBuilder pb = new ProcessBuilder(List.of("bash", script.toString(), "--no-build"))
        .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("MEDLEDGER_")); // the developer's own settings must not leak in
    // The script runs the first 'java' on the PATH: make it this JVM's.
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
    List<String> javaOpts = new java.util.ArrayList<>(List.of("-Xmx768m"));
    javaOpts.addAll(jvmOptions); // the script puts JAVA_OPTS first; a -D here still wins over the environment
    env.put("JAVA_OPTS", String.join(" ", javaOpts));
    env.put("MEDLEDGER_DATA_DIR", dataDir.toString());
    env.put("MEDLEDGER_PORT", Integer.toString(port));
    // H2 by default; -Dmedledger.it.jdbc.url=jdbc:postgresql://... (with .class/.user/.password)
    // runs the same test against PostgreSQL.
    env.put("MEDLEDGER_JDBC_URL", System.getProperty("medledger.it.jdbc.url", "jdbc:h2:file:" + dataDir.resolve("portal-db") + ";WRITE_DELAY=0"));
    env.put("MEDLEDGER_JDBC_CLASS", System.getProperty("medledger.it.jdbc.class", "org.h2.jdbcx.JdbcDataSource"));
    env.put("MEDLEDGER_JDBC_USER", System.getProperty("medledger.it.jdbc.user", "medledger"));
    env.put("MEDLEDGER_JDBC_PASSWORD", System.getProperty("medledger.it.jdbc.password", "medledger"));
    env.put("MEDLEDGER_ARGON2", "fast");
    env.putAll(new HashMap<>(settings));
    PortalProcess p = new PortalProcess(port, dataDir, log, pb.start());
    // generous: on a shared, loaded machine a start has taken over 400 s (a test never asserts on time)
    p.awaitReady(Duration.ofSeconds(600));
    return p;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** The portal JVM's process id (the script exec'd java). */
  long pid() {
    return process.pid();
  }

  private void awaitReady(Duration timeout) throws InterruptedException, IOException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) throw new IllegalStateException("the portal exited; see " + log);
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(url("/login.xhtml")).toURL().openConnection();
        c.setInstanceFollowRedirects(false); // with HTTPS on, plain HTTP answers with a redirect
        c.setConnectTimeout(1000);
        c.setReadTimeout(5000);
        int code = c.getResponseCode();
        if (code == 200 || code == 301) return;
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
