#!/usr/bin/env bash
# MedLedger's Hyperledger Fabric 2.5 network as native processes (no Docker):
# one Raft orderer (TLS), one peer in each of HospitalMSP, PharmacyMSP, InsurerMSP and
# LawFirmMSP (LevelDB, gateway, discovery), the channel "medledger", and the Java chaincode
# as a service (the ccaas jar; one server per organisation) under the endorsement policy
# OutOf(3, the four organisations' peers): 3 of 4 organisations, the meaning of MAJORITY
# Endorsement written as one signature policy (docs/fabric.md §Endorsement policy).
#
#   fabric/network.sh build           find or build the Fabric and Fabric CA binaries (nothing else)
#   fabric/network.sh up              create (first time) or restart the network; waits until a query answers
#   fabric/network.sh down            stop exactly the processes it started (data kept)
#   fabric/network.sh status          what runs, block height
#   fabric/network.sh clean           down, then delete the run directory
#   fabric/network.sh stop-node N     stop one node: orderer, hospital, pharmacy, insurer, lawfirm,
#                                     chaincode-<org> (chaincode: all four), ca-<org>
#   fabric/network.sh start-node N    start it again (waits until it is healthy)
#   fabric/network.sh env ORG         print the peer CLI environment of ORG's admin (for eval; only reads)
#   fabric/network.sh policy          the consortium policy in force (who vouches for which profession)
#   fabric/network.sh policy-approve ORG VERSION MSP=role[,role] ...
#                                     ORG's admin proposes or approves that policy; it takes effect
#                                     once admins of a majority of the organisations approved (R9)
#
# Environment:
#   FABRIC_BIN           directory with peer, orderer, configtxgen, osnadmin, cryptogen (2.5.x).
#   FABRIC_SRC           without FABRIC_BIN and the cache: Fabric v2.5.16's source tree (or a
#                        .tar.xz/.tar.gz of one) with vendor/, built offline into the cache.
#                        Without it: go install from the Go module proxy, if that serves Fabric.
#   FABRIC_CA_BIN        directory with fabric-ca-server (1.5.x); default: FABRIC_BIN, the cache,
#                        else built from the fabric-ca v1.5.21 module (go mod download, cgo).
#                        Each organisation gets a Fabric CA (its cryptogen CA key) for enrollment;
#                        FABRIC_CA_BIN=none: no Fabric CA, participants enrolled with the CA keys.
#   MEDLEDGER_FABRIC_CACHE cache root (default ~/.cache/medledger): fabric-2.5.16/bin, fabric-ca-1.5.21/bin
#   MEDLEDGER_FABRIC_RUN run directory (default fabric/run): crypto material, ledgers, logs, pids
#   MEDLEDGER_BATCH_TIMEOUT       orderer BatchTimeout (default 25ms), read at first `up`
#   MEDLEDGER_BATCH_MAX_MESSAGES  orderer MaxMessageCount (default 100), read at first `up`
#   MEDLEDGER_ENDORSEMENT         explicit (default): OutOf(3, four peers); implicit: the channel's
#                                 MAJORITY Endorsement (same rule, slower to evaluate), read at first `up`
#   MEDLEDGER_ACLS                member (default): the per-Store checks (peer/Propose, gateway/CommitStatus,
#                                 the orderer's /Channel/Writers) as signature policies naming the same members;
#                                 default: Fabric's ImplicitMeta Writers/Readers (same rule, slower), read at first `up`
#   MEDLEDGER_FABRIC_PORT_OFFSET  added to every port (default 0), read at first `up`
#   MEDLEDGER_CHAINCODE_JAR       the ccaas jar (default chaincode/target/medledger-chaincode-*-ccaas.jar)
#   JAVA                          java executable for the chaincode server (default: java on PATH)
#   MEDLEDGER_CHAINCODE_JAVA_OPTS  the chaincode servers' JVM options (default below, CC_JAVA_OPTS)
#   MEDLEDGER_CHAINCODE_THREADS   the Java shim's invocation threads per server (TP_CORE/MAX_POOL_SIZE, default 16)
#   MEDLEDGER_FABRIC_LOGGING      FABRIC_LOGGING_SPEC of peers and orderer (default below, LOG_SPEC)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
RUN=${MEDLEDGER_FABRIC_RUN:-$HERE/run}
CHANNEL=medledger
CC_NAME=medledger
CC_LABEL=medledger_1
FABRIC_VERSION=2.5.16
FABRIC_COMMIT=f871cf92a026aba7b12e6f06d71ded3e6e659d71
DOMAIN=medledger.example
ORGS=(hospital pharmacy insurer lawfirm)
# 3 of 4 organisations, each through its peer (OU=peer, NodeOUs): MAJORITY Endorsement spelled out.
# The chaincode servers' JVMs: C1 only (TieredStopAtLevel=1) because on two shared cores the C2
# compiler's work on four fresh servers cost more CPU per Store than the Store itself for the
# first minutes, and the shim's hot path (protobuf, gRPC, one ECDSA check) gains little from C2;
# a small heap with the serial collector (no GC threads competing for the cores). Once warm, the
# tiered compiler (these options without the last two) costs 6-14 % less chaincode CPU per Store,
# after ~35 s more CPU in the first minute: worth it for a long-running network only.
CC_JAVA_OPTS=${MEDLEDGER_CHAINCODE_JAVA_OPTS:--Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1}
# The shim runs at most TP_MAX_POOL_SIZE invocations at once (default 5); each waits on round
# trips to its peer (GetState, PutState), so under load 5 became the queue (docs/benchmarks.md).
CC_THREADS=${MEDLEDGER_CHAINCODE_THREADS:-16}
# Per-transaction INFO lines (every gRPC call, endorsement and gateway step, the orderer's
# broadcast stream ends) are dropped; block commits, Raft and start-up stay in the logs.
LOG_SPEC=${MEDLEDGER_FABRIC_LOGGING:-warning:kvledger=info:nodeCmd=info:orderer.consensus.etcdraft=info:orderer.common.server=info:orderer.common.broadcast=error}
ENDORSEMENT_RULE="OutOf(3,'HospitalMSP.peer','PharmacyMSP.peer','InsurerMSP.peer','LawFirmMSP.peer')"

die() { echo "network.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }

# ---------------------------------------------------------------- settings of this run
# Ports and batch settings are fixed when the run directory is created (they are baked into
# the channel's genesis block), so later commands read them back from run/settings.env.
load_settings() {
  if [[ -f $RUN/settings.env ]]; then
    # shellcheck disable=SC1091
    source "$RUN/settings.env"
  else
    OFF=${MEDLEDGER_FABRIC_PORT_OFFSET:-0}
    BATCH_TIMEOUT=${MEDLEDGER_BATCH_TIMEOUT:-25ms}
    BATCH_MAX=${MEDLEDGER_BATCH_MAX_MESSAGES:-100}
  fi
  ENDORSEMENT=${ENDORSEMENT:-${MEDLEDGER_ENDORSEMENT:-explicit}}
  [[ $ENDORSEMENT == explicit || $ENDORSEMENT == implicit ]] || die "MEDLEDGER_ENDORSEMENT is explicit or implicit, not '$ENDORSEMENT'"
  ORDERER_PORT=$((7050 + OFF)); ORDERER_ADMIN_PORT=$((7053 + OFF)); ORDERER_OPS_PORT=$((8443 + OFF))
  CRYPTO=$RUN/crypto-config
  ORD_ORG=$CRYPTO/ordererOrganizations/orderer.$DOMAIN
  ORD_NODE=$ORD_ORG/orderers/orderer0.orderer.$DOMAIN
  ORDERER_CA=$ORD_ORG/msp/tlscacerts/tlsca.orderer.$DOMAIN-cert.pem
}

save_settings() {
  printf 'OFF=%s\nBATCH_TIMEOUT=%s\nBATCH_MAX=%s\nENDORSEMENT=%s\nSAVED_BIN=%q\nSAVED_CA_BIN=%q\n' "$OFF" "$BATCH_TIMEOUT" "$BATCH_MAX" "$ENDORSEMENT" "$BIN" "$CA_BIN" > "$RUN/settings.env"
}

msp_of() { case $1 in hospital) echo HospitalMSP;; pharmacy) echo PharmacyMSP;; insurer) echo InsurerMSP;; lawfirm) echo LawFirmMSP;; *) die "unknown organisation $1";; esac; }
index_of() { case $1 in hospital) echo 0;; pharmacy) echo 1;; insurer) echo 2;; lawfirm) echo 3;; esac; }
peer_port() { echo $((7051 + 1000 * $(index_of "$1") + OFF)); }
cc_port() { echo $((7052 + 1000 * $(index_of "$1") + OFF)); }
ops_port() { echo $((9444 + $(index_of "$1") + OFF)); }
# Each organisation runs its own chaincode server. (One server for all peers breaks with the Java
# shim 2.5: its connection state is per process, so a peer connecting while another peer's
# transaction is in flight makes the shim drop that transaction's messages.)
ccaas_port() { echo $((7056 + 1000 * $(index_of "$1") + OFF)); }
ca_port() { echo $((7054 + 1000 * $(index_of "$1") + OFF)); }
ca_ops_port() { echo $((9454 + $(index_of "$1") + OFF)); }
org_dir() { echo "$CRYPTO/peerOrganizations/$1.$DOMAIN"; }
peer_dir() { echo "$(org_dir "$1")/peers/peer0.$1.$DOMAIN"; }

# ---------------------------------------------------------------- binaries
# Fabric's five tools and Fabric CA's server are looked up, in this order:
#   1. FABRIC_BIN / FABRIC_CA_BIN (and a run directory's own, remembered in settings.env);
#   2. our cache for the pinned version, $CACHE_ROOT/fabric-<version>/bin and
#      $CACHE_ROOT/fabric-ca-<version>/bin (the version is in the key, so a new pin rebuilds);
#   3. Fabric: FABRIC_SRC, a source tree (or a .tar.xz/.tar.gz of one) of that version, built
#      offline with its vendored modules; Fabric CA: its module from the Go module proxy
#      (go mod download), built with cgo;
#   4. Fabric: go install from the Go module proxy.
# A build writes into a temporary directory beside the cache and is moved into place in one
# rename, so an interrupted build never leaves a cache that looks complete. Builds use
# -trimpath: the source is unpacked into a new directory each time, and without it Go's build
# cache keys would contain that directory, so no rebuild would ever hit Go's cache.
FABRIC_TOOLS=(peer orderer configtxgen osnadmin cryptogen)
FABRIC_CA_VERSION=1.5.21
CACHE_ROOT=$(realpath -m "${MEDLEDGER_FABRIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medledger}")
FABRIC_CACHE_BIN=$CACHE_ROOT/fabric-$FABRIC_VERSION/bin
CA_CACHE_BIN=$CACHE_ROOT/fabric-ca-$FABRIC_CA_VERSION/bin

has_tools() { # dir tool...
  local d=$1 t; shift
  [[ -n $d ]] || return 1
  for t in "$@"; do [[ -x $d/$t && ! -d $d/$t ]] || return 1; done
}

# Runs "$@" (a build into $tmp/bin) under a lock, then renames $tmp/bin to $dest.
# Concurrent callers wait for the lock and then find the finished cache.
build_into_cache() { # dest lockname tool-list(space separated) -- build-function
  local dest=$1 lock=$2 tools=$3; shift 4
  mkdir -p "$CACHE_ROOT"
  (
    if command -v flock >/dev/null; then exec 9>"$CACHE_ROOT/.$lock.lock"; flock 9; fi
    # shellcheck disable=SC2086
    has_tools "$dest" $tools && exit 0
    tmp=$(mktemp -d "$CACHE_ROOT/.$lock.build.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$tmp/bin"
    "$@" "$tmp" || exit 1
    # shellcheck disable=SC2086
    has_tools "$tmp/bin" $tools || { echo "the build produced no $tools in $tmp/bin" >&2; exit 1; }
    mkdir -p "$(dirname "$dest")"
    # an incomplete directory from an older script version is replaced, never merged into
    [[ -e $dest ]] && { mv -T "$dest" "$tmp/old"; }
    mv -T "$tmp/bin" "$dest"
  )
}

fabric_ldflags() {
  echo "-X github.com/hyperledger/fabric/common/metadata.Version=$FABRIC_VERSION -X github.com/hyperledger/fabric/common/metadata.CommitSHA=${FABRIC_COMMIT:0:9}"
}

# $1: temporary directory; builds $FABRIC_SRC into $1/bin without any network access.
build_fabric_from_source() {
  local tmp=$1 src=$FABRIC_SRC dir
  if [[ -f $src ]]; then
    case $src in
      *.tar.xz|*.txz|*.tar.gz|*.tgz) ;;
      *) echo "FABRIC_SRC=$src is a file but not a .tar.xz or .tar.gz" >&2; return 1 ;;
    esac
    mkdir -p "$tmp/src"
    tar -xf "$src" -C "$tmp/src" || { echo "cannot unpack FABRIC_SRC=$src" >&2; return 1; }
    dir=$(dirname "$(find "$tmp/src" -maxdepth 2 -name go.mod | head -1)")
  else
    dir=$src
  fi
  if [[ ! -f $dir/go.mod ]] || ! grep -q '^module github.com/hyperledger/fabric$' "$dir/go.mod"; then
    echo "FABRIC_SRC=$src holds no Fabric source tree (no go.mod of github.com/hyperledger/fabric)" >&2; return 1
  fi
  [[ -f $dir/vendor/modules.txt ]] || { echo "FABRIC_SRC=$src has no vendor/ directory: an offline build needs Fabric's vendored modules" >&2; return 1; }
  # shellcheck disable=SC2046
  (cd "$dir" && GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local go build -trimpath -o "$tmp/bin/" -ldflags "$(fabric_ldflags)" \
      $(printf './cmd/%s ' "${FABRIC_TOOLS[@]}")) || return 1
  check_fabric_version "$tmp/bin"
}

check_fabric_version() { # dir
  local v
  v=$("$1/peer" version 2>/dev/null | sed -n 's/^ *Version: *//p')
  [[ $v == "$FABRIC_VERSION" ]] || { echo "the built peer reports version '$v', not $FABRIC_VERSION (is FABRIC_SRC the v$FABRIC_VERSION tag?)" >&2; return 1; }
}

build_fabric_with_go_install() {
  local tmp=$1 t pkgs=()
  for t in "${FABRIC_TOOLS[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$t@$FABRIC_COMMIT"); done
  GOBIN=$tmp/bin go install -ldflags "$(fabric_ldflags)" "${pkgs[@]}" || return 1
  check_fabric_version "$tmp/bin"
}

build_fabric_ca() {
  local tmp=$1 dir
  dir=$(go mod download -json "github.com/hyperledger/fabric-ca@v$FABRIC_CA_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir && -d $dir ]] || { echo "go mod download github.com/hyperledger/fabric-ca@v$FABRIC_CA_VERSION failed" >&2; return 1; }
  # The module cache is read-only; Go may need to write go.sum entries while building.
  cp -r "$dir" "$tmp/src"
  chmod -R u+w "$tmp/src"
  # fabric-ca-server links SQLite: cgo (gcc) is needed.
  (cd "$tmp/src" && CGO_ENABLED=1 go build -trimpath -o "$tmp/bin/" ./cmd/fabric-ca-server ./cmd/fabric-ca-client) || return 1
}

# Sets BIN. $1 = build: may build (up, start-node, build); read: only looks (env, status).
find_binaries() {
  local mode=${1:-build} tried=() log
  if [[ -z ${FABRIC_BIN:-} && -n ${SAVED_BIN:-} ]] && has_tools "$SAVED_BIN" "${FABRIC_TOOLS[@]}"; then
    BIN=$SAVED_BIN; return # the binaries this run directory was created with
  fi
  if [[ -n ${FABRIC_BIN:-} ]]; then
    has_tools "$FABRIC_BIN" "${FABRIC_TOOLS[@]}" || die "FABRIC_BIN=$FABRIC_BIN lacks one of ${FABRIC_TOOLS[*]} (executables)"
    BIN=$FABRIC_BIN; return
  fi
  BIN=$FABRIC_CACHE_BIN
  has_tools "$BIN" "${FABRIC_TOOLS[@]}" && return
  if [[ $mode == read ]]; then BIN=""; return; fi
  mkdir -p "$CACHE_ROOT"; log=$CACHE_ROOT/fabric-$FABRIC_VERSION-build.log
  if [[ -n ${FABRIC_SRC:-} ]]; then
    if ! command -v go >/dev/null; then tried+=("FABRIC_SRC=$FABRIC_SRC: Go is not installed")
    else
      log "building Fabric $FABRIC_VERSION from FABRIC_SRC=$FABRIC_SRC offline into $BIN (log: $log; a few minutes the first time)"
      local t0=$SECONDS
      if build_into_cache "$BIN" fabric-$FABRIC_VERSION "${FABRIC_TOOLS[*]}" -- build_fabric_from_source >"$log" 2>&1; then
        log "Fabric $FABRIC_VERSION built in $((SECONDS - t0)) s"; return
      fi
      tail -15 "$log" >&2
      tried+=("FABRIC_SRC=$FABRIC_SRC: the offline build failed (above; $log)")
    fi
  else
    tried+=("FABRIC_SRC is not set")
  fi
  if ! command -v go >/dev/null; then tried+=("go install: Go is not installed")
  else
    log "installing Fabric $FABRIC_VERSION ($FABRIC_COMMIT) with go install from the Go module proxy into $BIN (log: $log)"
    if build_into_cache "$BIN" fabric-$FABRIC_VERSION "${FABRIC_TOOLS[*]}" -- build_fabric_with_go_install >"$log" 2>&1; then return; fi
    tail -4 "$log" >&2
    tried+=("go install github.com/hyperledger/fabric/cmd/...@$FABRIC_COMMIT failed (above; $log)")
  fi
  local why; why=$(printf '  - %s\n' "${tried[@]}")
  die "no Fabric $FABRIC_VERSION binaries. Tried:
$why
Give them one of these ways:
  - FABRIC_BIN=<dir> with ${FABRIC_TOOLS[*]} of Fabric 2.5.x (the bin/ of Fabric's release archive hyperledger-fabric-linux-amd64-$FABRIC_VERSION.tar.gz);
  - FABRIC_SRC=<Fabric v$FABRIC_VERSION source tree, or a .tar.xz/.tar.gz of one, with vendor/> (built offline with Go, cached in $BIN);
  - a Go module proxy that serves github.com/hyperledger/fabric (go install, cached in $BIN)."
}

# Sets CA_BIN ("" = no Fabric CA: participants are enrolled with the organisations' CA keys).
# FABRIC_CA_BIN=none runs without Fabric CA on purpose. $1 = build | read.
find_ca_binary() {
  local mode=${1:-build} log
  CA_BIN=""
  if [[ -f $RUN/settings.env ]]; then CA_BIN=${SAVED_CA_BIN:-}; return; fi
  [[ ${FABRIC_CA_BIN:-} == none ]] && return
  if [[ -n ${FABRIC_CA_BIN:-} ]]; then
    has_tools "$FABRIC_CA_BIN" fabric-ca-server || die "FABRIC_CA_BIN=$FABRIC_CA_BIN has no executable fabric-ca-server"
    CA_BIN=$FABRIC_CA_BIN; return
  fi
  local d
  for d in "${FABRIC_BIN:-}" "$CA_CACHE_BIN"; do
    if has_tools "$d" fabric-ca-server; then CA_BIN=$d; return; fi
  done
  [[ $mode == read ]] && return
  log=$CACHE_ROOT/fabric-ca-$FABRIC_CA_VERSION-build.log
  if command -v go >/dev/null && command -v gcc >/dev/null; then
    mkdir -p "$CACHE_ROOT"
    log "building Fabric CA $FABRIC_CA_VERSION (its module through the Go module proxy, cgo) into $CA_CACHE_BIN (log: $log)"
    local t0=$SECONDS
    if build_into_cache "$CA_CACHE_BIN" fabric-ca-$FABRIC_CA_VERSION "fabric-ca-server fabric-ca-client" -- build_fabric_ca >"$log" 2>&1; then
      log "Fabric CA $FABRIC_CA_VERSION built in $((SECONDS - t0)) s"
      CA_BIN=$CA_CACHE_BIN; return
    fi
    tail -6 "$log" >&2
  fi
  die "no Fabric CA $FABRIC_CA_VERSION server (fabric-ca-server). Give it one of these ways:
  - FABRIC_CA_BIN=<dir with fabric-ca-server 1.5.x> (the bin/ of Fabric CA's release archive), or put it in FABRIC_BIN;
  - Go and gcc with a Go module proxy that serves github.com/hyperledger/fabric-ca@v$FABRIC_CA_VERSION (built with cgo, cached in $CA_CACHE_BIN$([[ -f $log ]] && echo "; last attempt: $log"));
  - FABRIC_CA_BIN=none: no Fabric CA, participants are enrolled with each organisation's CA key."
}

chaincode_jar() {
  local jar=${MEDLEDGER_CHAINCODE_JAR:-}
  if [[ -z $jar ]]; then
    jar=$(ls "$REPO"/chaincode/target/medledger-chaincode-*-ccaas.jar 2>/dev/null | head -1 || true)
  fi
  [[ -n $jar && -f $jar ]] || die "the chaincode server jar is missing: run 'mvn -pl chaincode -am package -DskipTests' first (or set MEDLEDGER_CHAINCODE_JAR)"
  echo "$jar"
}

# ---------------------------------------------------------------- processes
# Every process runs in its own session; its pid (and what it runs) goes to run/pids/NAME.pid,
# so down stops exactly these processes and nothing else. The pid is the one the process
# itself reports before it execs the node (setsid forks when the caller is a process-group
# leader, so $! is not always the node), and liveness is that pid's own state, never a
# reading of /proc taken between fork and exec.
running() { # pid: exists and is not a zombie
  local state
  state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

alive() { # name
  local f=$RUN/pids/$1.pid pid
  [[ -f $f ]] || return 1
  pid=$(head -1 "$f")
  [[ -n $pid ]] && running "$pid" || return 1
  # the pid must still be the process we started (pids are reused)
  grep -qF -- "$(sed -n 2p "$f")" "/proc/$pid/cmdline" 2>/dev/null
}

start_process() { # name marker command...
  local name=$1 marker=$2 pidfile i; shift 2
  mkdir -p "$RUN/pids" "$RUN/logs"
  if alive "$name"; then log "$name already runs (pid $(head -1 "$RUN/pids/$name.pid"))"; return; fi
  pidfile=$RUN/pids/$name.pid
  rm -f "$pidfile" "$pidfile.new"
  # The wrapper writes its own pid, then execs the command: that pid is the node's.
  # shellcheck disable=SC2016
  setsid bash -c 'printf "%s\n%s\n" "$$" "$1" > "$2.new" && mv "$2.new" "$2"; shift 2; exec "$@"' \
    _ "$marker" "$pidfile" "$@" >>"$RUN/logs/$name.log" 2>&1 </dev/null &
  for i in $(seq 1 200); do [[ -f $pidfile ]] && return 0; sleep 0.05; done
  die "$name did not start (no pid after 10 s); see $RUN/logs/$name.log"
}

stop_process() { # name
  local name=$1 f=$RUN/pids/$1.pid pid i
  [[ -f $f ]] || return 0
  if alive "$name"; then
    pid=$(head -1 "$f")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then log "$name (pid $pid) ignored TERM: KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

# Waits for the node's operations endpoint; fails only when that node's own pid has exited.
wait_healthy() { # name port
  local i pid
  pid=$(head -1 "$RUN/pids/$1.pid")
  for i in $(seq 1 300); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$2/healthz" >/dev/null 2>&1; then return 0; fi
    running "$pid" || { tail -5 "$RUN/logs/$1.log" >&2; die "$1 (pid $pid) exited; see $RUN/logs/$1.log"; }
    sleep 0.2
  done
  die "$1 (pid $pid) is not healthy after 60 s; see $RUN/logs/$1.log"
}

start_orderer() {
  start_process orderer "$BIN/orderer" env \
    FABRIC_CFG_PATH="$HERE/config" \
    FABRIC_LOGGING_SPEC="$LOG_SPEC" \
    ORDERER_GENERAL_LISTENPORT="$ORDERER_PORT" \
    ORDERER_GENERAL_LOCALMSPID=OrdererMSP \
    ORDERER_GENERAL_LOCALMSPDIR="$ORD_NODE/msp" \
    ORDERER_GENERAL_TLS_PRIVATEKEY="$ORD_NODE/tls/server.key" \
    ORDERER_GENERAL_TLS_CERTIFICATE="$ORD_NODE/tls/server.crt" \
    ORDERER_GENERAL_TLS_ROOTCAS="[$ORD_NODE/tls/ca.crt]" \
    ORDERER_ADMIN_LISTENADDRESS="127.0.0.1:$ORDERER_ADMIN_PORT" \
    ORDERER_ADMIN_TLS_PRIVATEKEY="$ORD_NODE/tls/server.key" \
    ORDERER_ADMIN_TLS_CERTIFICATE="$ORD_NODE/tls/server.crt" \
    ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$ORD_NODE/tls/ca.crt]" \
    ORDERER_OPERATIONS_LISTENADDRESS="127.0.0.1:$ORDERER_OPS_PORT" \
    ORDERER_FILELEDGER_LOCATION="$RUN/data/orderer/ledger" \
    ORDERER_CONSENSUS_WALDIR="$RUN/data/orderer/etcdraft/wal" \
    ORDERER_CONSENSUS_SNAPDIR="$RUN/data/orderer/etcdraft/snapshot" \
    "$BIN/orderer"
  wait_healthy orderer "$ORDERER_OPS_PORT"
}

start_peer() { # org
  local org=$1
  start_process "$org" "$BIN/peer" env FABRIC_CFG_PATH="$RUN/peers/$org" FABRIC_LOGGING_SPEC="$LOG_SPEC" \
    MEDLEDGER_CHAINCODE_ADDRESS="127.0.0.1:$(ccaas_port "$org")" \
    "$BIN/peer" node start
  wait_healthy "$org" "$(ops_port "$org")"
}

start_chaincode() { # org
  local org=$1 jar java pkgid port
  jar=$(chaincode_jar)
  java=${JAVA:-$(command -v java || true)}
  [[ -n $java ]] || die "java is needed for the chaincode server"
  pkgid=$(cat "$RUN/ccaas/package-id")
  port=$(ccaas_port "$org")
  # A clean environment: the shim must not pick up the peers' CORE_PEER_TLS_* settings.
  start_process "chaincode-$org" "$jar" env -i PATH="$PATH" HOME="$HOME" \
    CHAINCODE_SERVER_ADDRESS="127.0.0.1:$port" CORE_CHAINCODE_ID_NAME="$pkgid" \
    CORE_PEER_TLS_ENABLED=false CORE_CHAINCODE_LOGGING_LEVEL=warning CORE_CHAINCODE_LOGGING_SHIM=warning \
    TP_CORE_POOL_SIZE="$CC_THREADS" TP_MAX_POOL_SIZE="$CC_THREADS" TP_QUEUE_SIZE=5000 \
    "$java" $CC_JAVA_OPTS -Dmedledger.org="$org" -jar "$jar"
}

wait_chaincode() { # org
  local org=$1 port i
  port=$(ccaas_port "$org")
  for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    running "$(head -1 "$RUN/pids/chaincode-$org.pid")" || die "the chaincode server of $org exited; see $RUN/logs/chaincode-$org.log"
    sleep 0.2
  done
  die "the chaincode server of $org does not listen on 127.0.0.1:$port; see $RUN/logs/chaincode-$org.log"
}

start_chaincodes() {
  local org
  for org in "${ORGS[@]}"; do start_chaincode "$org"; done
  for org in "${ORGS[@]}"; do wait_chaincode "$org"; done
}

start_ca() { # org
  local org=$1 dir=$RUN/ca/$1 od
  od=$(org_dir "$org")
  [[ -n $CA_BIN ]] || die "this network has no Fabric CA"
  # fabric-ca-server also writes the registrar's password into its config file: owner only
  mkdir -p "$dir"; chmod 700 "$dir"
  if [[ ! -f $dir/registrar.secret ]]; then
    (umask 077; head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/registrar.secret")
  fi
  # The organisation's own CA key (from cryptogen) signs the enrollment certificates, so the
  # MSP accepts them; the registrar's password is only in registrar.secret (mode 0600).
  start_process "ca-$org" "$CA_BIN/fabric-ca-server" "$CA_BIN/fabric-ca-server" start \
    --home "$dir" --address 127.0.0.1 --port "$(ca_port "$org")" \
    --operations.listenaddress "127.0.0.1:$(ca_ops_port "$org")" \
    -b "registrar:$(cat "$dir/registrar.secret")" \
    --ca.certfile "$od/ca/ca.$org.$DOMAIN-cert.pem" --ca.keyfile "$od/ca/priv_sk"
  wait_healthy "ca-$org" "$(ca_ops_port "$org")"
}

start_node() {
  case $1 in
    ca-hospital|ca-pharmacy|ca-insurer|ca-lawfirm) start_ca "${1#ca-}" ;;
    orderer) start_orderer ;;
    chaincode) start_chaincodes ;;
    chaincode-hospital|chaincode-pharmacy|chaincode-insurer|chaincode-lawfirm) start_chaincode "${1#chaincode-}"; wait_chaincode "${1#chaincode-}" ;;
    hospital|pharmacy|insurer|lawfirm) start_peer "$1" ;;
    *) die "unknown node '$1' (orderer, hospital, pharmacy, insurer, lawfirm, chaincode, chaincode-<org>, ca-<org>)" ;;
  esac
}

# ---------------------------------------------------------------- peer CLI
# The admin of ORG talking to ORG's peer.
peer_env() { # org
  local org=$1 msp dir
  msp=$(msp_of "$org"); dir=$(org_dir "$org")
  echo FABRIC_CFG_PATH="$RUN/peers/$org" CORE_PEER_LOCALMSPID="$msp" \
    CORE_PEER_MSPCONFIGPATH="$dir/users/Admin@$org.$DOMAIN/msp" \
    CORE_PEER_ADDRESS="127.0.0.1:$(peer_port "$org")" CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(peer_dir "$org")/tls/ca.crt" FABRIC_LOGGING_SPEC=warning
}

peer_as() { # org args...
  local org=$1; shift
  # shellcheck disable=SC2046
  env $(peer_env "$org") "$BIN/peer" "$@"
}

orderer_args() { echo -o "127.0.0.1:$ORDERER_PORT" --tls --cafile "$ORDERER_CA"; }

all_peer_args() {
  local org
  for org in "${ORGS[@]}"; do
    echo --peerAddresses "127.0.0.1:$(peer_port "$org")" --tlsRootCertFiles "$(peer_dir "$org")/tls/ca.crt"
  done
}

wait_for_query() {
  local i out
  for i in $(seq 1 120); do
    if out=$(peer_as lawfirm chaincode query -C "$CHANNEL" -n "$CC_NAME" -c '{"Args":["ListParticipants"]}' 2>&1); then
      log "chaincode answers: ListParticipants -> ${out:0:60}"
      return 0
    fi
    sleep 0.5
  done
  echo "$out" >&2
  die "the chaincode does not answer a query after 60 s"
}

# ---------------------------------------------------------------- the consortium policy (R9)
# Which organisation vouches for which profession; the chaincode's R3 admits no professional
# without it. The first one is written here by the hospital's admin (Admin@, OU=admin) right
# after the chaincode is committed, before any portal can start; a change later needs the admins
# of a majority of the organisations (policy-approve). docs/fabric.md §The consortium policy.
POLICY_SPEC=(HospitalMSP=doctor PharmacyMSP=pharmacist InsurerMSP=insurer LawFirmMSP=lawyer)

policy_tool() { # args... (PolicyTool from the chaincode jar: encodes and decodes the policy record)
  local java; java=${JAVA:-$(command -v java || true)}
  [[ -n $java ]] || die "java is needed to encode the consortium policy"
  "$java" -cp "$(chaincode_jar)" org.medledger.chaincode.PolicyTool "$@"
}

# Prints the policy in force, or fails (Q4) when there is none.
query_policy() { # org
  local b64
  b64=$(peer_as "$1" chaincode query -C "$CHANNEL" -n "$CC_NAME" -c '{"Args":["GetPolicy"]}' 2>&1) || { echo "$b64" >&2; return 1; }
  policy_tool decode "$b64"
}

approve_policy() { # org version spec...
  local org=$1 b64 out; shift
  b64=$(policy_tool encode "$@") || die "cannot encode the policy $*"
  # shellcheck disable=SC2046
  out=$(peer_as "$org" chaincode invoke $(orderer_args) -C "$CHANNEL" -n "$CC_NAME" $(all_peer_args) \
    --waitForEvent -c "{\"Args\":[\"SetPolicy\",\"$b64\"]}" 2>&1) || { echo "$out" >&2; die "SetPolicy as the admin of $org failed"; }
  log "SetPolicy $1 ${*:2} committed as the admin of $org"
}

# The first policy, if the ledger has none yet (a new network, or one created before the policy).
ensure_policy() {
  local now
  if now=$(query_policy lawfirm 2>/dev/null); then log "consortium policy in force: $now"; return 0; fi
  approve_policy hospital 1 "${POLICY_SPEC[@]}"
  now=$(query_policy lawfirm) || die "the consortium policy was written but GetPolicy does not answer"
  log "consortium policy in force: $now"
}

# ---------------------------------------------------------------- generating the network
render() { # template output
  # MEDLEDGER_ACLS=default (at creation): Fabric's default ACLs (ImplicitMeta Writers/Readers), to compare
  local acls=()
  [[ ${MEDLEDGER_ACLS:-member} == default ]] && acls=(-e '/^  ACLs:/,/gateway\/CommitStatus:/d'
    -e "s|^    Writers: {Type: Signature, Rule: \"OR('HospitalMSP.client'.*OrdererMSP.member')\"}|    Writers: {Type: ImplicitMeta, Rule: \"ANY Writers\"}|")
  [[ ${MEDLEDGER_ACLS:-member} == default || ${MEDLEDGER_ACLS:-member} == member ]] || die "MEDLEDGER_ACLS is member or default, not '$MEDLEDGER_ACLS'"
  sed "${acls[@]}" -e "s|@ORDERER_PORT@|$ORDERER_PORT|g" -e "s|@BATCH_TIMEOUT@|$BATCH_TIMEOUT|g" \
    -e "s|@MAX_MESSAGES@|$BATCH_MAX|g" \
    -e "s|@HOSPITAL_PORT@|$(peer_port hospital)|g" -e "s|@PHARMACY_PORT@|$(peer_port pharmacy)|g" \
    -e "s|@INSURER_PORT@|$(peer_port insurer)|g" -e "s|@LAWFIRM_PORT@|$(peer_port lawfirm)|g" \
    "$1" > "$2"
}

render_peer_config() { # org
  local org=$1 dir=$RUN/peers/$1
  mkdir -p "$dir" "$RUN/data/$org"
  sed -e "s|@PEER_ID@|peer0.$org.$DOMAIN|g" -e "s|@PEER_PORT@|$(peer_port "$org")|g" \
    -e "s|@CC_PORT@|$(cc_port "$org")|g" -e "s|@OPS_PORT@|$(ops_port "$org")|g" \
    -e "s|@MSP_ID@|$(msp_of "$org")|g" -e "s|@PEER_DIR@|$(peer_dir "$org")|g" \
    -e "s|@DATA_DIR@|$RUN/data/$org|g" -e "s|@BUILDERS_DIR@|$HERE/builders|g" \
    "$HERE/config/core.yaml.template" > "$dir/core.yaml"
}

check_ports_free() {
  local p
  for p in "$ORDERER_PORT" "$ORDERER_ADMIN_PORT" "$ORDERER_OPS_PORT" \
      $(for o in "${ORGS[@]}"; do echo "$(peer_port "$o") $(cc_port "$o") $(ops_port "$o") $(ca_port "$o") $(ca_ops_port "$o") $(ccaas_port "$o")"; done); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      die "port $p is in use; stop what uses it or set MEDLEDGER_FABRIC_PORT_OFFSET"
    fi
  done
}

package_chaincode() {
  local d=$RUN/ccaas
  mkdir -p "$d/pkg"
  # One package for every organisation (one package id); the address is a default that each
  # peer's build step replaces with its own organisation's server (MEDLEDGER_CHAINCODE_ADDRESS).
  printf '{"address":"127.0.0.1:%s","dial_timeout":"10s","tls_required":false}\n' "$(ccaas_port hospital)" > "$d/pkg/connection.json"
  printf '{"type":"ccaas","label":"%s"}\n' "$CC_LABEL" > "$d/pkg/metadata.json"
  tar -C "$d/pkg" -czf "$d/pkg/code.tar.gz" connection.json
  tar -C "$d/pkg" -czf "$d/medledger.tgz" metadata.json code.tar.gz
  peer_as hospital lifecycle chaincode calculatepackageid "$d/medledger.tgz" > "$d/package-id"
  log "chaincode package id $(cat "$d/package-id")"
}

write_properties() {
  local f=$RUN/network.properties org dir user
  {
    echo "# written by fabric/network.sh: what a client needs to reach this network"
    echo "channel=$CHANNEL"
    echo "chaincode=$CC_NAME"
    echo "script=$HERE/network.sh"
    echo "run=$RUN"
    echo "bin=$BIN"
    echo "batchTimeout=$BATCH_TIMEOUT"
    echo "batchMaxMessages=$BATCH_MAX"
    echo "orderer.address=127.0.0.1:$ORDERER_PORT"
    echo "orderer.tlsCaCert=$ORDERER_CA"
    for org in "${ORGS[@]}"; do
      local m; m=$(msp_of "$org"); dir=$(org_dir "$org"); user=$dir/users/User1@$org.$DOMAIN/msp
      echo "org.$m.node=$org"
      echo "org.$m.peer.address=127.0.0.1:$(peer_port "$org")"
      echo "org.$m.peer.hostOverride=peer0.$org.$DOMAIN"
      echo "org.$m.peer.tlsCaCert=$(peer_dir "$org")/tls/ca.crt"
      echo "org.$m.ca.cert=$dir/ca/ca.$org.$DOMAIN-cert.pem"
      echo "org.$m.ca.key=$dir/ca/priv_sk"
      echo "org.$m.user.cert=$user/signcerts/User1@$org.$DOMAIN-cert.pem"
      echo "org.$m.user.key=$user/keystore/priv_sk"
      echo "org.$m.admin.msp=$dir/users/Admin@$org.$DOMAIN/msp"
      echo "org.$m.cli.config=$RUN/peers/$org"
      if [[ -n $CA_BIN ]]; then
        echo "org.$m.fabricCa.url=http://127.0.0.1:$(ca_port "$org")"
        echo "org.$m.fabricCa.registrarSecretFile=$RUN/ca/$org/registrar.secret"
      fi
    done
  } > "$f"
}

create_network() {
  local t0=$SECONDS org
  log "creating a new network in $RUN (BatchTimeout $BATCH_TIMEOUT, MaxMessageCount $BATCH_MAX, port offset $OFF)"
  check_ports_free
  mkdir -p "$RUN"
  save_settings
  "$BIN/cryptogen" generate --config="$HERE/config/crypto-config.yaml" --output="$CRYPTO" >/dev/null
  render "$HERE/config/configtx.yaml.template" "$RUN/configtx.yaml"
  FABRIC_CFG_PATH=$RUN "$BIN/configtxgen" -profile MedLedgerChannel -channelID "$CHANNEL" \
    -outputBlock "$RUN/$CHANNEL.block" 2> "$RUN/configtxgen.log" || { cat "$RUN/configtxgen.log" >&2; die "configtxgen failed"; }
  for org in "${ORGS[@]}"; do render_peer_config "$org"; done
  save_settings

  start_orderer
  for org in "${ORGS[@]}"; do start_peer "$org"; done
  log "orderer and 4 peers are healthy"
  if [[ -n $CA_BIN ]]; then
    for org in "${ORGS[@]}"; do start_ca "$org"; done
    log "a Fabric CA for each organisation (ports $(ca_port hospital)..$(ca_port lawfirm))"
  else
    log "no fabric-ca-server (FABRIC_CA_BIN): participants are enrolled with the organisations' CA keys"
  fi

  "$BIN/osnadmin" channel join --channelID "$CHANNEL" --config-block "$RUN/$CHANNEL.block" \
    -o "127.0.0.1:$ORDERER_ADMIN_PORT" --ca-file "$ORD_NODE/tls/ca.crt" \
    --client-cert "$ORD_ORG/users/Admin@orderer.$DOMAIN/tls/client.crt" \
    --client-key "$ORD_ORG/users/Admin@orderer.$DOMAIN/tls/client.key" > "$RUN/logs/osnadmin.log"
  for org in "${ORGS[@]}"; do peer_as "$org" channel join -b "$RUN/$CHANNEL.block" 2>>"$RUN/logs/cli.log"; done
  log "channel $CHANNEL created and joined by the orderer and 4 peers"

  package_chaincode
  for org in "${ORGS[@]}"; do
    peer_as "$org" lifecycle chaincode install "$RUN/ccaas/medledger.tgz" 2>>"$RUN/logs/cli.log"
  done
  # the chaincode servers must run before the definition is committed
  start_chaincodes
  local pkgid; pkgid=$(cat "$RUN/ccaas/package-id")
  # The endorsement rule: 3 of the 4 organisations' peers. "MAJORITY Endorsement" (the channel's
  # /Channel/Application/Endorsement) means the same, but Fabric evaluates that ImplicitMeta
  # policy by checking every endorsement against each organisation's sub-policy, 9-12 ECDSA
  # verifications per transaction instead of 3; the explicit OutOf checks each once.
  # docs/fabric.md §Endorsement policy argues why the two are the same rule.
  local policy_args=()
  if [[ $ENDORSEMENT == explicit ]]; then
    policy_args=(--signature-policy "$ENDORSEMENT_RULE")
  fi
  for org in "${ORGS[@]}"; do
    # shellcheck disable=SC2046
    peer_as "$org" lifecycle chaincode approveformyorg $(orderer_args) -C "$CHANNEL" -n "$CC_NAME" \
      --version 1 --sequence 1 --package-id "$pkgid" "${policy_args[@]}" 2>>"$RUN/logs/cli.log"
  done
  # shellcheck disable=SC2046
  peer_as hospital lifecycle chaincode commit $(orderer_args) -C "$CHANNEL" -n "$CC_NAME" \
    --version 1 --sequence 1 "${policy_args[@]}" $(all_peer_args) 2>>"$RUN/logs/cli.log"
  log "chaincode $CC_NAME committed (endorsement: $([[ $ENDORSEMENT == explicit ]] && echo "$ENDORSEMENT_RULE" || echo "MAJORITY Endorsement"))"
  wait_for_query
  ensure_policy
  write_properties
  touch "$RUN/created"
  log "network up in $((SECONDS - t0)) s (cold); client settings in $RUN/network.properties"
}

restart_network() {
  local t0=$SECONDS org
  log "restarting the network in $RUN"
  start_orderer
  for org in "${ORGS[@]}"; do start_peer "$org"; done
  if [[ -n $CA_BIN ]]; then for org in "${ORGS[@]}"; do start_ca "$org"; done; fi
  start_chaincodes
  wait_for_query
  ensure_policy
  write_properties
  log "network up in $((SECONDS - t0)) s (warm)"
}

cmd_up() {
  load_settings
  find_binaries
  find_ca_binary
  if [[ -f $RUN/created ]]; then restart_network
  else
    [[ -e $RUN/crypto-config ]] && die "$RUN holds a network that was not completely created: run '$0 clean' first"
    create_network
  fi
}

cmd_down() {
  load_settings
  local n
  # in parallel (each process takes about 2 s to shut down): chaincode servers and CAs, then
  # the peers, then the orderer
  for n in "${ORGS[@]}"; do stop_process "chaincode-$n" & stop_process "ca-$n" & done
  wait
  for n in "${ORGS[@]}"; do stop_process "$n" & done
  wait
  stop_process orderer
  log "network down (data kept in $RUN; '$0 clean' deletes it)"
}

cmd_status() {
  load_settings
  [[ -d $RUN ]] || { echo "no network in $RUN"; return 0; }
  local n pid
  for n in orderer "${ORGS[@]}" chaincode-hospital chaincode-pharmacy chaincode-insurer chaincode-lawfirm ca-hospital ca-pharmacy ca-insurer ca-lawfirm; do
    [[ $n == ca-* && ! -f $RUN/pids/$n.pid ]] && continue
    if alive "$n"; then pid=$(head -1 "$RUN/pids/$n.pid"); echo "$n: running (pid $pid)"; else echo "$n: stopped"; fi
  done
  find_binaries read
  if alive hospital && [[ -n $BIN ]]; then
    peer_as hospital channel getinfo -c "$CHANNEL" 2>/dev/null || true
  fi
  echo "BatchTimeout $BATCH_TIMEOUT, MaxMessageCount $BATCH_MAX, run directory $RUN"
}

cmd_build() {
  local t0=$SECONDS
  load_settings
  find_binaries build
  find_ca_binary build
  log "Fabric $FABRIC_VERSION: $BIN"
  log "Fabric CA: ${CA_BIN:-none (FABRIC_CA_BIN=none)}"
  log "binaries ready in $((SECONDS - t0)) s"
}

# The peer CLI environment; only reads (never builds): without binaries there is no PATH line.
cmd_env() {
  load_settings
  [[ -f $RUN/settings.env ]] || echo "network.sh: no network in $RUN yet ('$0 up' creates it)" >&2
  find_binaries read
  peer_env "$1"
  if [[ -n $BIN ]]; then echo "PATH=$BIN:\$PATH"; else echo "network.sh: no Fabric binaries found yet ('$0 build' gets them)" >&2; fi
}

case ${1:-} in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  clean) cmd_down; rm -rf "$RUN"; log "deleted $RUN" ;;
  stop-node) [[ -n ${2:-} ]] || die "stop-node needs a node name"; load_settings
    if [[ $2 == chaincode ]]; then for o in "${ORGS[@]}"; do stop_process "chaincode-$o"; done; else stop_process "$2"; fi ;;
  start-node) [[ -n ${2:-} ]] || die "start-node needs a node name"; load_settings; find_binaries; find_ca_binary; start_node "$2"; log "$2 started" ;;
  env) [[ -n ${2:-} ]] || die "env needs an organisation"; msp_of "$2" >/dev/null; cmd_env "$2" ;;
  policy) load_settings; find_binaries read; [[ -n $BIN ]] || die "no Fabric binaries"; query_policy lawfirm ;;
  policy-approve) [[ $# -ge 4 ]] || die "policy-approve needs ORG VERSION MSP=role[,role] ..."; msp_of "$2" >/dev/null
    load_settings; find_binaries read; [[ -n $BIN ]] || die "no Fabric binaries"; org=$2; shift 2; approve_policy "$org" "$@"
    query_policy lawfirm ;;
  *) sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
