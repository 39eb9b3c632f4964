package org.medledger.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of processes from /proc: the network's nodes (named by fabric/network.sh's pid
 * files), this client, and every other process on the machine, so that a measurement says how
 * much of the two cores the network used and how much other work competed with it.
 */
final class ProcCpu {
  /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
  static final double TICKS_PER_SECOND = 100.0;

  /** One reading: CPU ticks per named network process, per other process, and the machine's total. */
  record Sample(long nanos, Map<String, Long> network, Map<Integer, Long> others, Map<Integer, String> otherNames,
      long machineBusy, long machineTotal, String loadavg) {}

  private final Path pidDir;

  /** @param fabricRun the network's run directory, or null (embedded ledger: only the client is named) */
  ProcCpu(Path fabricRun) {
    this.pidDir = fabricRun == null ? null : fabricRun.resolve("pids");
  }

  /** The network's processes by name (orderer, hospital, chaincode-hospital, ca-hospital, ...) and "client". */
  Map<String, Integer> networkPids() {
    Map<String, Integer> pids = new LinkedHashMap<>();
    if (pidDir != null && Files.isDirectory(pidDir)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(pidDir, "*.pid")) {
        List<Path> files = new ArrayList<>();
        s.forEach(files::add);
        files.sort(null);
        for (Path f : files) {
          String name = f.getFileName().toString().replaceFirst("\\.pid$", "");
          try {
            String first = Files.readAllLines(f, StandardCharsets.US_ASCII).get(0).trim();
            pids.put(name, Integer.parseInt(first));
          } catch (IOException | RuntimeException e) {
            // a node that is not running has no usable pid file: not counted
          }
        }
      } catch (IOException e) {
        // no pid directory: nothing to name
      }
    }
    pids.put("client", (int) ProcessHandle.current().pid());
    return pids;
  }

  Sample sample() {
    Map<String, Integer> named = networkPids();
    Map<Integer, String> byPid = new HashMap<>();
    named.forEach((n, p) -> byPid.put(p, n));
    Map<String, Long> network = new LinkedHashMap<>();
    Map<Integer, Long> others = new HashMap<>();
    Map<Integer, String> otherNames = new HashMap<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : s) {
        int pid = Integer.parseInt(p.getFileName().toString());
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
          continue; // exited meanwhile
        }
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(stat.indexOf('(') + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        // fields after ")": state(0) ppid(1) ... utime(11) stime(12)
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        String name = byPid.get(pid);
        if (name != null) {
          network.put(name, ticks);
        } else {
          others.put(pid, ticks);
          otherNames.put(pid, comm + " " + shortCommand(p));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc", e);
    }
    long busy = 0;
    long total = 0;
    String loadavg = "";
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal
      for (int i = 1; i <= 8 && i < f.length; i++) {
        long v = Long.parseLong(f[i]);
        total += v;
        if (i != 4 && i != 5) busy += v;
      }
      String[] l = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      loadavg = l[0] + " " + l[1] + " " + l[2];
    } catch (IOException | RuntimeException e) {
      // not Linux: machine totals unknown
    }
    return new Sample(System.nanoTime(), network, others, otherNames, busy, total, loadavg);
  }

  private static String shortCommand(Path proc) {
    try {
      String cmd = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).replace('\0', ' ').trim();
      // enough to tell one engineer's Maven from another's: the last words, where the goal is
      return cmd.length() > 70 ? "…" + cmd.substring(cmd.length() - 70) : cmd;
    } catch (IOException e) {
      return "";
    }
  }

  /** CPU used between two samples. */
  record Delta(double seconds, Map<String, Double> networkCpuSeconds, double othersCpuSeconds,
      List<String> topOthers, double machineBusyFraction, String loadBefore, String loadAfter) {}

  static Delta delta(Sample a, Sample b) {
    double secs = (b.nanos() - a.nanos()) / 1e9;
    Map<String, Double> net = new LinkedHashMap<>();
    for (var e : b.network().entrySet()) {
      long before = a.network().getOrDefault(e.getKey(), e.getValue());
      net.put(e.getKey(), (e.getValue() - before) / TICKS_PER_SECOND);
    }
    double others = 0;
    List<Map.Entry<Integer, Long>> per = new ArrayList<>();
    for (var e : b.others().entrySet()) {
      Long before = a.others().get(e.getKey());
      // a process that started during the window counts from zero
      long d = e.getValue() - (before == null ? 0 : before);
      if (d <= 0) continue;
      others += d / TICKS_PER_SECOND;
      per.add(Map.entry(e.getKey(), d));
    }
    per.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
    List<String> top = new ArrayList<>();
    for (int i = 0; i < Math.min(3, per.size()); i++) {
      var e = per.get(i);
      top.add(String.format(java.util.Locale.ROOT, "%.2f core: %s", e.getValue() / TICKS_PER_SECOND / secs,
          b.otherNames().get(e.getKey())));
    }
    double busy = b.machineTotal() > a.machineTotal()
        ? (double) (b.machineBusy() - a.machineBusy()) / (b.machineTotal() - a.machineTotal()) : Double.NaN;
    return new Delta(secs, net, others, top, busy, a.loadavg(), b.loadavg());
  }
}
