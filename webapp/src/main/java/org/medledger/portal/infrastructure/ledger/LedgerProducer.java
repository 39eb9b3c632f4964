package org.medledger.portal.infrastructure.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.core.record.ConsortiumPolicy;
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
import org.medledger.portal.config.PortalConfig;

/**
 * Produces the ledger the portal talks to and the organisations' CAs.
 *
 * <p>Embedded mode: the chaincode runs in this process against {@code <data dir>/ledger}, with
 * one CA per organisation under {@code <data dir>/ledger/ca/<MSP>}.
 *
 * <p>Fabric mode: the network that {@code fabric/network.sh} brought up
 * ({@code medledger.fabric.network}); the portal belongs to one organisation
 * ({@code medledger.fabric.org}): it talks to that organisation's peer, reads and subscribes as
 * the organisation's service user, and enrols every account with that organisation's Fabric CA
 * (or, if the network runs none, with the organisation's CA key).
 *
 * <p>The ledger is closed at shutdown.
 */
@ApplicationScoped
public class LedgerProducer {
  private static final Logger LOG = Logger.getLogger(LedgerProducer.class.getName());
  /** How long a portal in Fabric mode asks its peer again at start-up before it gives up. */
  private static final Duration PEER_WAIT = Duration.ofSeconds(120);
  static final List<String> MSPS =
      List.of(Organisations.HOSPITAL, Organisations.PHARMACY, Organisations.INSURER, Organisations.LAW_FIRM);

  @Inject PortalConfig config;

  private volatile EmbeddedLedger embedded;
  private volatile FabricLedger fabric;
  private volatile String fabricMsp;
  private volatile Thread shutdownHook;

  @Produces
  @ApplicationScoped
  LedgerGateway ledger() {
    LedgerGateway l = config.ledgerMode() == PortalConfig.LedgerMode.FABRIC ? openFabric() : openEmbedded();
    // Payara Micro's SIGTERM path may skip undeployment: close the ledger (idempotent) anyway.
    shutdownHook = new Thread(l::close, "medledger-ledger-close");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    return l;
  }

  private EmbeddedLedger openEmbedded() {
    EmbeddedLedger l = EmbeddedLedger.open(config.dataDir().resolve("ledger"), new MedLedgerContract());
    for (String msp : MSPS) l.certificateAuthority(msp); // create the four CAs on first start
    writePolicy(l);
    LOG.info(() -> "MedLedger embedded ledger open in " + l.directory() + " at height " + l.height());
    embedded = l;
    return l;
  }

  /**
   * At the ledger's first start an administrator of the hospital (a fresh OU=admin certificate
   * of its CA, never stored) writes the consortium policy: each organisation vouches for its own
   * profession. Without it R3 admits no professional. A later change needs administrators of a
   * majority of the organisations (rule R9, docs/protocol.md). In Fabric mode network.sh writes it.
   */
  private static void writePolicy(EmbeddedLedger l) {
    ConsortiumPolicy p = ConsortiumPolicies.writeIfAbsent(l,
        l.certificateAuthority(Organisations.HOSPITAL).administrator("admin"), ConsortiumPolicy.standard(1));
    LOG.info(() -> "MedLedger consortium " + p);
  }

  private FabricLedger openFabric() {
    FabricNetwork network = FabricNetwork.load(config.fabricNetwork());
    String msp = organisation(network, config.fabricOrganisation());
    String peer = network.organisation(msp).peerAddress();
    FabricLedger l;
    long height;
    try {
      // A fresh connection per attempt: a failed one sits in gRPC's growing back-off.
      l = StartupRetry.until(() -> {
        FabricLedger attempt = new FabricLedger(network, FabricEnrollment.serviceUser(network, msp));
        try {
          attempt.height();
          return attempt;
        } catch (RuntimeException e) {
          attempt.close();
          throw e;
        }
      }, PEER_WAIT, Duration.ofSeconds(2), System::nanoTime, StartupRetry::sleep,
          e -> LOG.warning(() -> "the peer of " + msp + " at " + peer + " does not answer yet (" + e.getMessage()
              + "); asking again for up to " + PEER_WAIT.toSeconds() + " s"));
      height = l.height();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot reach the peer of " + msp + " at " + peer
          + " (is the network up? fabric/network.sh status): " + e.getMessage(), e);
    }
    LOG.info(() -> "MedLedger on Fabric: organisation " + msp + ", peer " + network.organisation(msp).peerAddress()
        + ", channel " + network.channel() + " at height " + height + ", certificates from "
        + (FabricCaEnrollment.available(network, msp) ? "its Fabric CA " + network.organisation(msp).fabricCaUrl().get()
            : "its CA key (the network runs no Fabric CA)"));
    fabricMsp = msp;
    fabric = l;
    return l;
  }

  /** {@code hospital}, {@code HospitalMSP}, ... as the network names its organisations. */
  static String organisation(FabricNetwork network, String setting) {
    String s = setting == null ? "" : setting.trim();
    for (String msp : network.mspIds()) {
      if (msp.equalsIgnoreCase(s) || network.organisation(msp).node().equalsIgnoreCase(s)
          || (msp.toLowerCase(Locale.ROOT).equals(s.toLowerCase(Locale.ROOT) + "msp"))) {
        return msp;
      }
    }
    throw new IllegalStateException("medledger.fabric.org '" + s + "' is none of this network's organisations: "
        + network.mspIds().stream().sorted().map(m -> network.organisation(m).node() + " (" + m + ")").toList());
  }

  void close(@Disposes LedgerGateway ledger) {
    LOG.info("Closing the MedLedger ledger");
    ledger.close();
    embedded = null;
    fabric = null;
    Thread hook = shutdownHook;
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }

  @Produces
  MedLedgerClient client(LedgerGateway ledger) {
    return new MedLedgerClient(ledger);
  }

  @Produces
  @ApplicationScoped
  Organisations organisations(LedgerGateway ledger) {
    ledger.height(); // make sure the ledger is open
    FabricLedger f = fabric;
    if (f != null) return fabricOrganisations(f.network(), fabricMsp);
    return new Organisations() {
      @Override
      public String mspFor(Role role) {
        return Organisations.mspOf(role);
      }

      @Override
      public X509Certificate issue(String msp, CertificateSubject subject, KeyPair keys) {
        return embedded().certificateAuthority(msp).issue(subject.commonName(), Organisations.roleAttribute(subject.role()),
            subject.displayName(), subject.institution(), keys.getPublic());
      }
    };
  }

  private static Organisations fabricOrganisations(FabricNetwork network, String msp) {
    PaperScenario.Enrollment enrollment = FabricCaEnrollment.available(network, msp)
        ? new FabricCaEnrollment(network) : new FabricEnrollment(network);
    return new Organisations() {
      @Override
      public String mspFor(Role role) {
        return msp; // every account of this portal, patients and family pseudonymously too
      }

      @Override
      public X509Certificate issue(String mspId, CertificateSubject subject, KeyPair keys) {
        if (!msp.equals(mspId)) {
          throw new IllegalArgumentException("this portal belongs to " + msp + " and cannot enrol with " + mspId);
        }
        return enrollment.enroll(subject.commonName(), subject.role(), msp, keys, subject.displayName(),
            subject.institution()).certificate();
      }
    };
  }

  /**
   * Embedded: a fresh key each start, so no portal secret rests on disk. Fabric: the
   * organisation's service user. Used for reads and events only.
   */
  @Produces
  @Portal
  @ApplicationScoped
  PortalIdentity portalIdentity(LedgerGateway ledger) {
    ledger.height();
    FabricLedger f = fabric;
    if (f != null) return new PortalIdentity(FabricEnrollment.serviceUser(f.network(), fabricMsp));
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      var cert = embedded().certificateAuthority(Organisations.HOSPITAL).issue("portal", "portal", kp.getPublic());
      return new PortalIdentity(new LedgerIdentity(Organisations.HOSPITAL, cert, kp.getPrivate()));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the portal's ledger identity", e);
    }
  }

  /**
   * The embedded ledger's current head, signed by the ledger, for users to keep as an anchor;
   * empty on Fabric (whose peers keep the chain) or while no block is committed. Read-only.
   */
  public java.util.Optional<org.medledger.ledger.embedded.LedgerHead> embeddedHead() {
    EmbeddedLedger l = embedded;
    return l == null ? java.util.Optional.empty() : l.head();
  }

  private EmbeddedLedger embedded() {
    EmbeddedLedger l = embedded;
    if (l == null) throw new IllegalStateException("the embedded ledger is not open");
    return l;
  }
}
