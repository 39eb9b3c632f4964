package org.medledger.chaincode;

import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import org.medledger.core.record.ConsortiumPolicy;
import org.medledger.core.record.RecordFormatException;
import org.medledger.core.record.Role;

/**
 * The consortium policy's argument for Fabric's peer CLI, from the chaincode server jar (so
 * fabric/network.sh needs nothing else):
 *
 * <pre>
 * java -cp medledger-chaincode-*-ccaas.jar org.medledger.chaincode.PolicyTool encode 1 HospitalMSP=doctor LawFirmMSP=lawyer ...
 *     prints the policy record (0x09) in Base64, SetPolicy's argument
 * java -cp ... org.medledger.chaincode.PolicyTool decode BASE64
 *     prints it readably, e.g. the answer of GetPolicy
 * </pre>
 *
 * An organisation that votes but vouches for nobody is written {@code RegulatorMSP=}; several
 * roles {@code ClinicMSP=doctor,pharmacist}.
 */
public final class PolicyTool {
  private PolicyTool() {}

  public static void main(String[] args) {
    try {
      System.out.println(run(args));
    } catch (IllegalArgumentException e) {
      System.err.println("PolicyTool: " + e.getMessage());
      System.exit(2);
    }
  }

  static String run(String... args) {
    if (args.length >= 3 && args[0].equals("encode")) {
      long version;
      try {
        version = Long.parseLong(args[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the version must be a number, not '" + args[1] + "'");
      }
      TreeMap<String, Set<Role>> m = new TreeMap<>();
      for (int i = 2; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("'" + args[i] + "' is not MSP=role[,role...]");
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : args[i].substring(eq + 1).split(",")) if (!r.isBlank()) roles.add(Role.fromName(r.trim()));
        if (m.put(args[i].substring(0, eq), roles) != null) {
          throw new IllegalArgumentException(args[i].substring(0, eq) + " is named twice");
        }
      }
      return Base64.getEncoder().encodeToString(new ConsortiumPolicy(version, m).encode());
    }
    if (args.length == 2 && args[0].equals("decode")) {
      try {
        return ConsortiumPolicy.parse(Base64.getDecoder().decode(args[1].trim())).toString();
      } catch (RecordFormatException e) {
        throw new IllegalArgumentException("not a policy record: " + e.getMessage());
      }
    }
    throw new IllegalArgumentException("usage: PolicyTool encode VERSION MSP=role[,role...] ... | decode BASE64");
  }
}
