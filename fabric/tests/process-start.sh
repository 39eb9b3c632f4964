#!/usr/bin/env bash
# Checks network.sh's process handling without Fabric: a node that runs is judged running right
# after its start, also when the caller has job control (every background job is then its own
# process group, so setsid forks and $! is a short-lived parent: the old liveness check said
# "hospital exited" for a healthy peer); a node that exits is judged dead; stop stops it.
#   fabric/tests/process-start.sh          (uses `script` for the job-control case if present)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
  echo 'set -euo pipefail; log() { :; }; die() { echo "DIE: $*"; exit 1; }'
  echo "RUN=$work/run"
  sed -n '/^running() {/,/^}/p; /^alive() {/,/^}/p; /^start_process() {/,/^}/p; /^stop_process() {/,/^}/p' "$HERE/network.sh"
  cat <<'T'
bad=0
for i in $(seq 1 20); do
  start_process n$i /bin/sleep /bin/sleep 60
  alive n$i || { echo "FAIL: n$i judged dead right after its start"; bad=1; }
  pid=$(head -1 "$RUN/pids/n$i.pid")
  stop_process n$i
  if running "$pid"; then echo "FAIL: n$i (pid $pid) still runs after stop"; kill -KILL "$pid"; bad=1; fi
done
start_process quitter /bin/sh /bin/sh -c 'exit 3'
for _ in $(seq 1 50); do alive quitter || break; sleep 0.1; done
if alive quitter; then echo "FAIL: an exited node is judged running"; bad=1; fi
exit $bad
T
} > "$work/harness.sh"

status=0
if bash "$work/harness.sh"; then echo "ok: without job control"; else echo "FAILED: without job control"; status=1; fi
if command -v script >/dev/null; then
  out=$(script -qec "bash -m $work/harness.sh" /dev/null 2>&1) && echo "ok: with job control (setsid forks)" \
    || { echo "$out"; echo "FAILED: with job control (setsid forks)"; status=1; }
else
  echo "skipped: with job control ('script' is not installed)"
fi
exit $status
