package org.medledger.chaincode;

/** A Store refused by a verification rule; the message names the rule and is shown to users. */
public class RuleViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String rule;

  public RuleViolation(String rule, String message) {
    super(rule + ": " + message);
    this.rule = rule;
  }

  /** The rule's id in docs/protocol.md, e.g. "R4". */
  public String rule() {
    return rule;
  }
}
