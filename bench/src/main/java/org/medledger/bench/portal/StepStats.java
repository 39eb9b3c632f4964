package org.medledger.bench.portal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Per step: count of successful samples, errors, and nearest-rank percentiles of the successful ones. */
record StepStats(String step, int count, int errors, double p50, double p95, double p99, double max, double mean) {

  static final String CSV_HEADER = "step,count,errors,p50_ms,p95_ms,p99_ms,max_ms,mean_ms";

  /** The steps in the order they first occurred. */
  static List<StepStats> of(List<Sample> samples) {
    Map<String, List<Sample>> byStep = new LinkedHashMap<>();
    for (Sample s : samples) byStep.computeIfAbsent(s.step(), k -> new ArrayList<>()).add(s);
    List<StepStats> out = new ArrayList<>();
    for (Map.Entry<String, List<Sample>> e : byStep.entrySet()) {
      double[] ok = e.getValue().stream().filter(Sample::ok).mapToDouble(Sample::millis).sorted().toArray();
      int errors = (int) e.getValue().stream().filter(s -> !s.ok()).count();
      out.add(new StepStats(e.getKey(), ok.length, errors, pct(ok, 50), pct(ok, 95), pct(ok, 99),
          ok.length == 0 ? Double.NaN : ok[ok.length - 1], Arrays.stream(ok).average().orElse(Double.NaN)));
    }
    return out;
  }

  /** Nearest rank, as in PaperBench. NaN when there is no sample. */
  static double pct(double[] sorted, int p) {
    if (sorted.length == 0) return Double.NaN;
    return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
  }

  String csv() {
    return String.format(Locale.ROOT, "%s,%d,%d,%s,%s,%s,%s,%s", step, count, errors, num(p50), num(p95), num(p99),
        num(max), num(mean));
  }

  String row() {
    return String.format(Locale.ROOT, "%-20s %6d %9s %9s %9s %9s %7d", step, count, ms(p50), ms(p95), ms(p99), ms(max),
        errors);
  }

  static String header() {
    return String.format(Locale.ROOT, "%-20s %6s %9s %9s %9s %9s %7s", "step", "count", "p50 ms", "p95 ms", "p99 ms",
        "max ms", "errors");
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }
}
