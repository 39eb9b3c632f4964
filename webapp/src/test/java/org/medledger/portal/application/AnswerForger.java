package org.medledger.portal.application;

import java.security.SecureRandom;
import org.medledger.core.crypto.Bytes;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.medledger.ledger.MedLedgerClient;

/**
 * Test-only: stores, as a member, an answer whose c_x is random bytes — what a broken or hostile
 * client sends. It goes through the real ledger under the member's own identity (the chaincode
 * accepts it: it cannot open c_x), which is the situation issue 12 says must not block a
 * treatment. In this package because an {@link Actor}'s identity and σ are package-private.
 */
public final class AnswerForger {
  private AnswerForger() {}

  public static void storeUnreadableAnswer(MedLedgerClient ledger, Actor member, Txtc txtc, String kappa0Hex) {
    byte[] kappa0 = Bytes.unhex(kappa0Hex);
    Txtr good = TreatmentProtocol.respond(member.secret(), member.index(), txtc, kappa0);
    byte[] junk = new byte[good.wrappedToken().length];
    new SecureRandom().nextBytes(junk);
    ledger.store(member.identity(), new Txtr(kappa0, member.index(), good.responderKey(), junk));
  }
}
