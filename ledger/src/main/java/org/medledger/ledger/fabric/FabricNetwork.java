package org.medledger.ledger.fabric;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Where a Fabric network is and how to reach it: the channel, the chaincode, and for each
 * organisation (MSP id) its gateway peer, that peer's TLS CA, the organisation's CA certificate
 * and key (to enroll participants without Fabric CA), its Fabric CA if the network runs one,
 * and a service user. Read from the
 * {@code network.properties} that {@code fabric/network.sh up} writes into its run directory.
 */
public final class FabricNetwork {

  /** One organisation's endpoints and files. */
  public record Organisation(
      String mspId, String node, String peerAddress, Path peerTlsCaCert, Path caCert, Path caKey,
      Path userCert, Path userKey, Path adminMsp, Path cliConfig, Optional<String> fabricCaUrl,
      Optional<Path> fabricCaRegistrarSecretFile) {}

  private final String channel;
  private final String chaincode;
  private final Path runDirectory;
  private final Path script;
  private final Path binaries;
  private final String batchTimeout;
  private final String batchMaxMessages;
  private final Map<String, Organisation> organisations;

  private FabricNetwork(Properties p, Path runDirectory) {
    this.channel = required(p, "channel");
    this.chaincode = required(p, "chaincode");
    this.runDirectory = runDirectory;
    this.script = Path.of(required(p, "script"));
    this.binaries = Path.of(required(p, "bin"));
    this.batchTimeout = p.getProperty("batchTimeout", "?");
    this.batchMaxMessages = p.getProperty("batchMaxMessages", "?");
    Map<String, Organisation> orgs = new LinkedHashMap<>();
    for (String key : p.stringPropertyNames().stream().sorted().toList()) {
      if (key.startsWith("org.") && key.endsWith(".node")) {
        String msp = key.substring(4, key.length() - 5);
        String o = "org." + msp + ".";
        orgs.put(msp, new Organisation(msp, required(p, o + "node"), required(p, o + "peer.address"),
            Path.of(required(p, o + "peer.tlsCaCert")), Path.of(required(p, o + "ca.cert")),
            Path.of(required(p, o + "ca.key")), Path.of(required(p, o + "user.cert")),
            Path.of(required(p, o + "user.key")), Path.of(required(p, o + "admin.msp")),
            Path.of(required(p, o + "cli.config")),
            Optional.ofNullable(p.getProperty(o + "fabricCa.url")).map(String::trim),
            Optional.ofNullable(p.getProperty(o + "fabricCa.registrarSecretFile")).map(String::trim).map(Path::of)));
      }
    }
    if (orgs.isEmpty()) {
      throw new IllegalArgumentException("network.properties names no organisation");
    }
    this.organisations = Map.copyOf(orgs);
  }

  /** Reads {@code <runDirectory>/network.properties}. */
  public static FabricNetwork load(Path runDirectory) {
    Path file = runDirectory.resolve("network.properties");
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (is the network up? fabric/network.sh up)", e);
    }
    return new FabricNetwork(p, runDirectory);
  }

  public String channel() {
    return channel;
  }

  public String chaincode() {
    return chaincode;
  }

  public Path runDirectory() {
    return runDirectory;
  }

  /** fabric/network.sh, for tests that stop and start nodes. */
  public Path script() {
    return script;
  }

  /** The directory holding the peer CLI this network was created with. */
  public Path binaries() {
    return binaries;
  }

  public String batchTimeout() {
    return batchTimeout;
  }

  public String batchMaxMessages() {
    return batchMaxMessages;
  }

  public Set<String> mspIds() {
    return organisations.keySet();
  }

  public Organisation organisation(String mspId) {
    Organisation o = organisations.get(Objects.requireNonNull(mspId, "mspId"));
    if (o == null) {
      throw new IllegalArgumentException("no organisation " + mspId + " in this network " + organisations.keySet());
    }
    return o;
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("network.properties lacks " + key);
    }
    return v.trim();
  }
}
