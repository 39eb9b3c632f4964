package org.medledger.ledger.fabric;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Fabric network the integration tests run against: the run directory of
 * {@code fabric/network.sh up}, named by the environment variable MEDLEDGER_FABRIC_NETWORK or
 * the system property medledger.fabric.network. Without it the tests are skipped, unless a
 * network is required (-Dmedledger.fabric.required=true or MEDLEDGER_FABRIC_REQUIRED=true, as
 * .ci/fabric-tier sets): then a missing network or Fabric CA fails the test, because a CI run
 * whose Fabric tests were all skipped would otherwise pass without having checked anything.
 */
public final class FabricTestNetwork {
  public static final String ENV = "MEDLEDGER_FABRIC_NETWORK";
  public static final String PROPERTY = "medledger.fabric.network";
  public static final String REQUIRED_PROPERTY = "medledger.fabric.required";
  public static final String REQUIRED_ENV = "MEDLEDGER_FABRIC_REQUIRED";

  private FabricTestNetwork() {}

  /** Whether Fabric tests must run: then what would skip them fails them instead. */
  public static boolean required() {
    return Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, System.getenv(REQUIRED_ENV)));
  }

  /** A JUnit assumption, or an assertion when Fabric tests are {@linkplain #required() required}. */
  public static void assumeOrFail(boolean condition, String message) {
    if (condition) return;
    if (required()) fail(message + " (Fabric tests are required: " + REQUIRED_PROPERTY + "/" + REQUIRED_ENV + ")");
    assumeTrue(false, message);
  }

  /** The network, or a skipped test (JUnit assumption) when none is configured. */
  public static FabricNetwork require() {
    String dir = System.getProperty(PROPERTY, System.getenv(ENV));
    assumeOrFail(dir != null && !dir.isBlank(),
        "no Fabric network: start one with fabric/network.sh up and set " + ENV + "=<its run directory> (or -D"
            + PROPERTY + "=...) to run the Fabric integration tests");
    Path run = Path.of(dir);
    assumeOrFail(Files.isRegularFile(run.resolve("network.properties")),
        run + "/network.properties is missing: is the network up? (fabric/network.sh up)");
    return FabricNetwork.load(run);
  }

  /** Fabric CA enrollment when the network runs Fabric CAs, otherwise the organisations' CA keys. */
  public static org.medledger.ledger.scenario.PaperScenario.Enrollment enrollment(FabricNetwork n) {
    boolean ca = n.mspIds().stream().allMatch(m -> FabricCaEnrollment.available(n, m));
    return ca ? new FabricCaEnrollment(n) : new FabricEnrollment(n);
  }

  /** Runs {@code fabric/network.sh ARGS}; fails the test if it fails. */
  public static String script(FabricNetwork n, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(n.script().toString());
    cmd.addAll(List.of(args));
    return run(cmd, Map.of("MEDLEDGER_FABRIC_RUN", n.runDirectory().toString()), 120);
  }

  /**
   * {@code peer chaincode query} as {@code mspId}'s admin against {@code mspId}'s own peer: what
   * an organisation sees with Fabric's own tools, without MedLedger's client.
   */
  public static String cliQuery(FabricNetwork n, String mspId, String argsJson) {
    return cli(n, mspId, "chaincode", "query", "-C", n.channel(), "-n", n.chaincode(), "-c", argsJson);
  }

  /** {@code peer ARGS} as {@code mspId}'s admin against {@code mspId}'s own peer. */
  public static String cli(FabricNetwork n, String mspId, String... args) {
    return cliAs(n, mspId, mspId, n.organisation(mspId).adminMsp(), args);
  }

  /**
   * {@code peer ARGS} against {@code peerMspId}'s own peer, signed by the identity in
   * {@code signerMsp} (an MSP directory of {@code signerMspId}: a user, a peer, an orderer).
   */
  public static String cliAs(FabricNetwork n, String peerMspId, String signerMspId, java.nio.file.Path signerMsp,
      String... args) {
    FabricNetwork.Organisation o = n.organisation(peerMspId);
    List<String> cmd = new ArrayList<>();
    cmd.add(n.binaries().resolve("peer").toString());
    cmd.addAll(List.of(args));
    return run(cmd, Map.of(
            "FABRIC_CFG_PATH", o.cliConfig().toString(),
            "CORE_PEER_LOCALMSPID", signerMspId,
            "CORE_PEER_MSPCONFIGPATH", signerMsp.toString(),
            "CORE_PEER_ADDRESS", o.peerAddress(),
            "CORE_PEER_TLS_ENABLED", "true",
            "CORE_PEER_TLS_ROOTCERT_FILE", o.peerTlsCaCert().toString(),
            "FABRIC_LOGGING_SPEC", "warning"), 60);
  }

  private static String run(List<String> cmd, Map<String, String> env, int timeoutSeconds) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " timed out");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", cmd) + " failed (" + p.exitValue() + "):\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
