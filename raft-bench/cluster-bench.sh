#!/usr/bin/env bash
# Cluster benchmark of the raftboot starter with the peer harness's workload
# (/work/shared/bench/peers): three server JVMs on 127.0.0.1 (H2 log, synced), a separate load JVM
# with closed-loop HTTP/1.1 puts of a 16-byte key and a 100-byte value at C = 1, 16, 256.
#
#   raft-bench/cluster-bench.sh [MEASURE_SECONDS=20] [WARMUP_SECONDS=10] [-- server properties...]
#
# Environment:
#   LEVELS=1,16,256     closed-loop concurrency levels, in this order, on the same cluster
#   CLIENT=http         http: puts over HTTP from a separate load JVM; embedded: the load runs in
#                       the leader's JVM and calls the @ReplicatedCommand method (the Java API)
#   SERVER_HEAP=1g      heap of each server JVM (-Xms and -Xmx); e.g. SERVER_HEAP=256m
#   SERVER_JVM_OPTS=    more options for the server JVMs, e.g. -XX:TieredStopAtLevel=1
#   CDS=                an AppCDS archive per server, e.g. /tmp/cds/node-{node}.jsa ({node} becomes
#                       the node number). A run whose archives do not exist yet is a training run (its
#                       numbers do not count): it copies raft-bench's jars beside the archives (CDS
#                       takes no class folders, and only the jars an archive was made from) and its
#                       servers write the archives when they stop (-XX:ArchiveClassesAtExit). Later
#                       runs map them (-XX:SharedArchiveFile) and run that copy of the jars: delete
#                       the archive folder after changing the code.
#   CLIENT_HEAP=1g      heap of the load JVM
#   IDLE=10             seconds of the idle row (0 skips it)
#   BENCH_DATA=DIR      where the H2 logs go (default: a fresh temporary folder)
#   BASE_PORT=18081     nodes listen on BASE_PORT, +1, +2
#   SKIP_BUILD=1        use raft-bench/target as it is
#   JAVA=java           JVM for every process
# Output: raft-bench/target/cluster-results/<timestamp>/ (env.txt, results.tsv, table.md, logs/).
set -euo pipefail
cd "$(dirname "$0")/.."

MEASURE=${1:-20}
WARMUP=${2:-10}
shift $(( $# > 2 ? 2 : $# )) || true
if [ "${1:-}" = "--" ]; then shift; fi
LEVELS=${LEVELS:-1,16,256}
CLIENT=${CLIENT:-http}
SERVER_HEAP=${SERVER_HEAP:-1g}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-}
CDS=${CDS:-}
CLIENT_HEAP=${CLIENT_HEAP:-1g}
IDLE=${IDLE:-10}
BASE_PORT=${BASE_PORT:-18081}
JAVA=${JAVA:-java}
BENCH_DATA=${BENCH_DATA:-$(mktemp -d)}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== building (mvn -pl raft-bench -am package -DskipTests)"
  mvn -B -q -o -pl raft-bench -am package -DskipTests 2>/dev/null \
    || mvn -B -q -pl raft-bench -am package -DskipTests
fi

OUT=raft-bench/target/cluster-results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "mem: $(free -g | awk '/Mem:/{print $2 " GiB"}')"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "kernel: $(uname -r)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "args: measure=${MEASURE}s warmup=${WARMUP}s levels=$LEVELS client=$CLIENT idle=${IDLE}s server_heap=$SERVER_HEAP server_jvm_opts='$SERVER_JVM_OPTS' client_heap=$CLIENT_HEAP server_args=$*"
} | tee "$OUT/env.txt"

CP="raft-bench/target/classes:raft-bench/target/lib/*"
if [ -n "$CDS" ]; then
  # The archive is only valid with the very jars it was made from (the build rewrites them): the
  # training run copies them beside it, and every run with this archive uses that copy.
  CDS_JARS="$(dirname "$CDS")/jars"
  if [ -e "${CDS//\{node\}/1}" ]; then
    SERVER_JVM_OPTS="$SERVER_JVM_OPTS -XX:SharedArchiveFile=$CDS"
  else
    rm -rf "$CDS_JARS" && mkdir -p "$CDS_JARS"
    cp raft-bench/target/raft-bench-*.jar raft-bench/target/lib/*.jar "$CDS_JARS/"
    SERVER_JVM_OPTS="$SERVER_JVM_OPTS -XX:ArchiveClassesAtExit=$CDS"
  fi
  CP="$CDS_JARS/*"
  echo "cds: ${SERVER_JVM_OPTS##* }" | tee -a "$OUT/env.txt"
fi
"$JAVA" -Xms"$CLIENT_HEAP" -Xmx"$CLIENT_HEAP" -cp "$CP" dev.raftboot.bench.cluster.ClusterBench \
  --measure "$MEASURE" --warmup "$WARMUP" --idle "$IDLE" --levels "$LEVELS" --client "$CLIENT" \
  --server-opts "-Xms$SERVER_HEAP -Xmx$SERVER_HEAP -XX:+UseG1GC${SERVER_JVM_OPTS:+ $SERVER_JVM_OPTS}" \
  --data "$BENCH_DATA/raftboot" --out "$OUT" --base-port "$BASE_PORT" -- "$@" 2>&1 \
  | tee "$OUT/raftboot.log" | grep --line-buffered -E '^\[|^\||^==|put failed|Exception|warning' || true
rm -rf "${BENCH_DATA:?}/raftboot"
