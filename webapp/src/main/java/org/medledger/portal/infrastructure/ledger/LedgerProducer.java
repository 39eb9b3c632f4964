package org.medledger.portal.infrastructure.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.logging.Logger;
import org.medledger.chaincode.MedLedgerContract;
import org.medledger.ledger.LedgerGateway;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.embedded.EmbeddedLedger;
import org.medledger.portal.config.PortalConfig;

/**
 * Produces the ledger the portal talks to and the organisations' CAs. Embedded mode: the
 * chaincode runs in this process against {@code <data dir>/ledger}, with one CA per
 * organisation under {@code <data dir>/ledger/ca/<MSP>}; the ledger is closed at shutdown.
 */
@ApplicationScoped
public class LedgerProducer {
  private static final Logger LOG = Logger.getLogger(LedgerProducer.class.getName());
  static final List<String> MSPS =
      List.of(Organisations.HOSPITAL, Organisations.PHARMACY, Organisations.INSURER, Organisations.LAW_FIRM);

  @Inject PortalConfig config;

  private volatile EmbeddedLedger embedded;
  private volatile Thread shutdownHook;

  @Produces
  @ApplicationScoped
  LedgerGateway ledger() {
    if (config.ledgerMode() == PortalConfig.LedgerMode.FABRIC) {
      throw new IllegalStateException(
          "medledger.ledger=fabric: the Fabric gateway adapter is not part of this build yet; use embedded");
    }
    EmbeddedLedger l = EmbeddedLedger.open(config.dataDir().resolve("ledger"), new MedLedgerContract());
    for (String msp : MSPS) l.certificateAuthority(msp); // create the four CAs on first start
    LOG.info(() -> "MedLedger embedded ledger open in " + l.directory() + " at height " + l.height());
    embedded = l;
    // Payara Micro's SIGTERM path may skip undeployment: close the ledger (idempotent) anyway.
    shutdownHook = new Thread(l::close, "medledger-ledger-close");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    return l;
  }

  void close(@Disposes LedgerGateway ledger) {
    LOG.info("Closing the MedLedger ledger");
    ledger.close();
    embedded = null;
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
    return (msp, cn, role, key) -> embedded().certificateAuthority(msp).issue(cn, Organisations.roleAttribute(role), key);
  }

  /** A fresh key each start, so no portal secret rests on disk; used for reads and events only. */
  @Produces
  @Portal
  @ApplicationScoped
  PortalIdentity portalIdentity(LedgerGateway ledger) {
    ledger.height();
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

  private EmbeddedLedger embedded() {
    EmbeddedLedger l = embedded;
    if (l == null) throw new IllegalStateException("the embedded ledger is not open");
    return l;
  }
}
