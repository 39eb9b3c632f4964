package org.medledger.bench.portal;

/**
 * One measured step of one virtual user: which group, which treatment of the group (0 for the
 * accounts' steps), which account, which step, when it started (ms since the run's start), how
 * long it took until its confirmation was visible, and, when it failed, a short reason.
 */
record Sample(int group, int treatment, String user, String step, long startMs, double millis, String error) {
  boolean ok() {
    return error == null;
  }

  static final String CSV_HEADER = "group,treatment,user,step,start_ms,latency_ms,ok,error";

  String csv() {
    return String.format(java.util.Locale.ROOT, "%d,%d,%s,%s,%d,%.1f,%s,%s", group, treatment, user, step, startMs,
        millis, ok(), error == null ? "" : quote(error));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"").replace('\n', ' ').replace('\r', ' ') + "\"";
  }
}
