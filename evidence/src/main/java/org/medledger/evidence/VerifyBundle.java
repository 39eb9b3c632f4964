package org.medledger.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.RecoveryKit;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.crypto.WrongPasswordException;

/**
 * {@code medledger verify-bundle FILE [--recovery-code CODE | --password-file FILE] [--authority
 * CA.pem]... [--anchor BLOCK:HASH]}: checks an evidence bundle without any server and prints what
 * it checked and every problem. Exit code 0: every check passed; 1: a check failed; 2: wrong
 * usage, or not a readable bundle.
 */
public final class VerifyBundle {
  private VerifyBundle() {}

  static final String USAGE = "usage: medledger verify-bundle FILE [--recovery-code CODE | --password-file FILE]"
      + " [--authority CA.pem]... [--anchor BLOCK:HASH]";

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The command without {@code System.exit}: returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path file = null;
    String code = null;
    Path passwordFile = null;
    List<Path> authorityFiles = new ArrayList<>();
    String anchor = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--authority" -> {
          if (++i == args.length) {
            err.println(USAGE);
            return 2;
          }
          authorityFiles.add(Path.of(args[i]));
        }
        case "--anchor" -> {
          if (++i == args.length || !args[i].matches("\\d+:[0-9a-fA-F]{64}")) {
            err.println("--anchor takes BLOCK:HASH, e.g. 41:3fa9… (64 hex digits)");
            return 2;
          }
          anchor = args[i];
        }
        case "--recovery-code" -> {
          if (++i == args.length) {
            err.println(USAGE);
            return 2;
          }
          code = args[i];
        }
        case "--password-file" -> {
          if (++i == args.length) {
            err.println(USAGE);
            return 2;
          }
          passwordFile = Path.of(args[i]);
        }
        default -> {
          if (file != null || args[i].startsWith("--")) {
            err.println(USAGE);
            return 2;
          }
          file = Path.of(args[i]);
        }
      }
    }
    if (file == null || (code != null && passwordFile != null)) {
      err.println(USAGE);
      return 2;
    }
    UserSecret secret = null;
    try {
      Bundle bundle = Bundle.read(file);
      if (code != null) {
        secret = RecoveryKit.decode(code);
      } else if (passwordFile != null) {
        String pw = Files.readString(passwordFile, UTF_8);
        // a password file written by an editor ends with one line break that is not part of it
        pw = pw.endsWith("\r\n") ? pw.substring(0, pw.length() - 2) : pw.endsWith("\n") ? pw.substring(0, pw.length() - 1) : pw;
        secret = BundleVerifier.secretFromPassword(bundle, pw.toCharArray());
      }
      List<X509Certificate> trusted = new ArrayList<>();
      for (Path f : authorityFiles) {
        X509Certificate c = Verifying.certificate(Files.readAllBytes(f));
        if (c == null) {
          err.println(f + " is not an X.509 certificate (PEM or DER)");
          return 2;
        }
        trusted.add(c);
      }
      BundleVerifier.Trust trust = anchor == null ? new BundleVerifier.Trust(trusted, -1, null)
          : new BundleVerifier.Trust(trusted, Long.parseLong(anchor.substring(0, anchor.indexOf(':'))),
              HexFormat.of().parseHex(anchor.substring(anchor.indexOf(':') + 1)));
      BundleVerifier.Result r = BundleVerifier.verify(bundle, secret, trust);
      out.println("Evidence bundle " + file);
      for (String n : r.notes()) {
        out.println("  " + n);
      }
      if (r.valid()) {
        out.println("VALID: every check passed.");
        if (trusted.isEmpty() && anchor == null) {
          out.println("The certificate authorities and the ledger's certificate above are the bundle's own: compare"
              + " their fingerprints with the ones the organisations publish, or give them with --authority, and the"
              + " head with a block hash written down earlier (--anchor).");
        }
        return 0;
      }
      out.println("NOT VALID: " + r.problems().size() + " check" + (r.problems().size() == 1 ? "" : "s") + " failed:");
      for (String p : r.problems()) {
        out.println("  - " + p);
      }
      return 1;
    } catch (NoSuchFileException e) {
      err.println("no such file: " + e.getFile());
      return 2;
    } catch (IOException e) {
      err.println("cannot read " + file + ": " + e.getMessage());
      return 2;
    } catch (BundleFormatException e) {
      err.println(file + " is not a readable evidence bundle: " + e.getMessage());
      return 2;
    } catch (WrongPasswordException e) {
      err.println("the password is not the exporter's: the bundle was not opened with it");
      return 2;
    } catch (CryptoException e) {
      err.println("the secret cannot be used: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      // a manifest that names something of the wrong kind: say what, never a bare stack trace
      err.println(file + " could not be checked: " + e);
      return 2;
    } finally {
      if (secret != null) {
        secret.close();
      }
    }
  }
}
