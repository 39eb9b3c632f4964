package org.medledger.ledger.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.hyperledger.fabric.shim.ChaincodeStub;

/**
 * Routes a transaction to a contract's {@code @Transaction} method the way the shim's
 * ContractRouter and ContractExecutionService do: {@code createContext}, {@code
 * beforeTransaction}, the method, {@code afterTransaction}; an unknown name goes to {@code
 * unknownTransaction}. Function names may carry the contract namespace ({@code "Name:fn"}).
 */
final class ContractDispatcher {

  /** The outcome of running a function: the response payload, or the refusal message. */
  record Outcome(byte[] payload, String error) {
    boolean ok() {
      return error == null;
    }
  }

  private final ContractInterface contract;
  private final String namespace;
  private final Map<String, Method> functions = new HashMap<>();

  ContractDispatcher(ContractInterface contract) {
    this.contract = contract;
    Class<?> type = contract.getClass();
    Contract annotation = type.getAnnotation(Contract.class);
    this.namespace = annotation == null || annotation.name().isEmpty()
        ? type.getSimpleName() : annotation.name();
    for (Method m : type.getMethods()) {
      Transaction tx = m.getAnnotation(Transaction.class);
      if (tx == null || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Class<?>[] params = m.getParameterTypes();
      if (params.length == 0 || !Context.class.isAssignableFrom(params[0])) {
        throw new IllegalArgumentException("@Transaction method " + m.getName()
            + " must take a Context as its first parameter");
      }
      String name = tx.name().isEmpty() ? m.getName() : tx.name();
      if (functions.put(name, m) != null) {
        throw new IllegalArgumentException("two @Transaction methods are named " + name);
      }
    }
  }

  String namespace() {
    return namespace;
  }

  /** Runs the function named by arg 0 of the stub; never throws for a contract failure. */
  Outcome invoke(ChaincodeStub stub) {
    List<byte[]> args = stub.getArgs();
    if (args.isEmpty()) {
      return new Outcome(null, "Missing function name");
    }
    String function = new String(args.get(0), UTF_8);
    int colon = function.indexOf(':');
    Method method;
    if (colon >= 0 && function.indexOf(':', colon + 1) < 0) {
      method = namespace.equals(function.substring(0, colon))
          ? functions.get(function.substring(colon + 1)) : null;
    } else {
      method = functions.get(function);
    }
    try {
      Context ctx = contract.createContext(stub);
      Object result;
      if (method == null) {
        contract.beforeTransaction(ctx);
        contract.unknownTransaction(ctx);
        result = null;
      } else {
        Object[] params = convert(method, args);
        params[0] = ctx;
        contract.beforeTransaction(ctx);
        result = method.invoke(contract, params);
      }
      contract.afterTransaction(ctx, result);
      return new Outcome(toBytes(result), null);
    } catch (InvocationTargetException e) {
      return new Outcome(null, message(e.getCause()));
    } catch (IllegalAccessException e) {
      return new Outcome(null, "Could not execute contract method " + function);
    } catch (RuntimeException e) {
      return new Outcome(null, message(e));
    }
  }

  private static String message(Throwable t) {
    String m = t == null ? null : t.getMessage();
    return m == null || m.isBlank() ? "Error during contract method execution" : m;
  }

  /** Converts args[1..] to the method's parameters after the Context, like the JSON serializer. */
  private static Object[] convert(Method method, List<byte[]> args) {
    Class<?>[] types = method.getParameterTypes();
    int wanted = types.length - 1;
    if (args.size() - 1 < wanted) {
      throw new IllegalArgumentException("function " + method.getName() + " expects " + wanted
          + " argument(s) but got " + (args.size() - 1));
    }
    Object[] out = new Object[types.length];
    for (int i = 1; i < types.length; i++) {
      String text = new String(args.get(i), UTF_8);
      Class<?> t = types[i];
      try {
        if (t == String.class) {
          out[i] = text;
        } else if (t == int.class || t == Integer.class) {
          out[i] = Integer.parseInt(text.trim());
        } else if (t == long.class || t == Long.class) {
          out[i] = Long.parseLong(text.trim());
        } else if (t == boolean.class || t == Boolean.class) {
          out[i] = Boolean.parseBoolean(text.trim());
        } else if (t == double.class || t == Double.class) {
          out[i] = Double.parseDouble(text.trim());
        } else {
          throw new IllegalArgumentException("parameter type " + t.getSimpleName() + " of "
              + method.getName() + " is not supported by the embedded ledger");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("argument " + i + " of " + method.getName()
            + " is not a number");
      }
    }
    return out;
  }

  private static byte[] toBytes(Object result) {
    if (result == null) {
      return new byte[0];
    }
    if (result instanceof byte[] b) {
      return b.clone();
    }
    return result.toString().getBytes(UTF_8);
  }
}
