package org.medledger.ledger;

/** Receives chaincode events in ledger order. An exception stops the subscription. */
@FunctionalInterface
public interface ChaincodeEventListener {
  void onEvent(ChaincodeEvent event) throws Exception;
}
