#!/usr/bin/env bash
# raftboot against SOFAJRaft in one sequence on this machine, with the peer harness's workload
# (../shared/bench/peers): SOFAJRaft, raftboot (HTTP client), raftboot (client in the leader's JVM),
# SOFAJRaft again, then one table of all rows and one of the ratios to the mean of the two
# SOFAJRaft runs. Nothing else may run on the machine meanwhile.
#
#   raft-bench/compare.sh [MEASURE_SECONDS=20] [WARMUP_SECONDS=10]
#
# Environment:
#   PEERS=../shared/bench/peers   the peer harness (copied into raft-bench/target/peers to run)
#   LEVELS=1,16,256               closed-loop concurrency levels, as in both harnesses
#   EMBEDDED=1                    0 skips the embedded-client row
#   SERVER_HEAP=1g                heap of every server JVM, ours and SOFAJRaft's
#   VARIANTS=                     more raftboot rows (HTTP client), run after the embedded row,
#                                 ';'-separated 'name:server args', for example
#                                 'no-observation:--management.observations.enable.http.server.requests=false';
#                                 leading NAME=value words set cluster-bench.sh's environment for
#                                 the row: 'file-embedded:CLIENT=embedded --raft.storage.type=file',
#                                 'cds:CDS=/tmp/cds/node-{node}.jsa'
# Output: raft-bench/target/compare/<timestamp>/ (env.txt, results.tsv, compare.md) and the tables
# on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

MEASURE=${1:-20}
WARMUP=${2:-10}
PEERS=${PEERS:-../shared/bench/peers}
EMBEDDED=${EMBEDDED:-1}
export LEVELS=${LEVELS:-1,16,256}
export SERVER_HEAP=${SERVER_HEAP:-1g}

if [ ! -x "$PEERS/run.sh" ]; then
  echo "no peer harness at $PEERS (set PEERS=<dir of the peer harness>)" >&2
  exit 2
fi

OUT=raft-bench/target/compare/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
TSV="$OUT/results.tsv"

# The harness builds into its own folder: run a copy of it so the shared folder stays untouched.
PEERS_COPY=raft-bench/target/peers
mkdir -p "$PEERS_COPY"
cp -r "$PEERS/pom.xml" "$PEERS/run.sh" "$PEERS/src" "$PEERS_COPY/"

echo "== building raftboot (mvn -pl raft-bench -am package -DskipTests)"
mvn -B -q -o -pl raft-bench -am package -DskipTests 2>/dev/null \
  || mvn -B -q -pl raft-bench -am package -DskipTests

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "args: measure=${MEASURE}s warmup=${WARMUP}s levels=$LEVELS server_heap=$SERVER_HEAP"
  echo "sequence: jraft, raftboot http$([ "$EMBEDDED" = 1 ] && echo ', raftboot embedded')${VARIANTS:+, variants $VARIANTS}, jraft"
} | tee "$OUT/env.txt"

newest() { ls -td "$1"/*/ 2>/dev/null | head -1; }

peer_run() {
  (cd "$PEERS_COPY" && ./run.sh jraft "$MEASURE" "$WARMUP") | grep -E '^\[|^== ' || true
  local dir
  dir=$(newest "$PEERS_COPY/target/results")
  awk -F'\t' -v run="$1" '$3 != 0 { print run "\t" $0 }' "$dir/results.tsv" >>"$TSV"
}

ours_run() {
  local name=$1 client=$2
  shift 2
  if [ $# -gt 0 ]; then set -- -- "$@"; fi
  CLIENT=$client IDLE=0 SKIP_BUILD=1 raft-bench/cluster-bench.sh "$MEASURE" "$WARMUP" "$@" \
    | grep -E '^\[|^== ' || true
  local dir
  dir=$(newest raft-bench/target/cluster-results)
  awk -F'\t' -v run="$name" '$3 != "idle" && $3 != 0 { print run "\t" $0 }' "$dir/results.tsv" >>"$TSV"
}

peer_run jraft-1
ours_run raftboot-http http
if [ "$EMBEDDED" = 1 ]; then
  ours_run raftboot-embedded embedded
fi
IFS=';' read -r -a variants <<<"${VARIANTS:-}"
for variant in "${variants[@]}"; do
  [ -n "$variant" ] || continue
  # Leading NAME=value words are settings of cluster-bench.sh for this row, the rest server args.
  settings=() args=()
  # shellcheck disable=SC2086 # the words are meant to split on spaces
  for word in ${variant#*:}; do
    if [ ${#args[@]} -eq 0 ] && [[ $word =~ ^[A-Z_]+= ]]; then settings+=("$word"); else args+=("$word"); fi
  done
  client=http
  for word in "${settings[@]}"; do [[ $word == CLIENT=* ]] && client=${word#CLIENT=}; done
  (
    for word in "${settings[@]}"; do export "${word?}"; done
    ours_run "raftboot-${variant%%:*}" "$client" "${args[@]}"
  )
done
peer_run jraft-2

# Columns of results.tsv: run, library, setup, C, seconds, count, ops/s, p50, p99, p99.9, max,
# errors, server CPU s, client CPU s, machine busy s. CPU per op counts server and client JVMs,
# as the peer harness does.
awk -F'\t' '
  {
    run = $1; c = $4; ops[run, c] = $7; p50[run, c] = $8; p99[run, c] = $9; err[run, c] = $12
    cpu[run, c] = ($6 > 0) ? ($13 + $14) / $6 * 1e6 : 0
    if (!(run in seen)) { seen[run] = 1; runs[++nr] = run }
    if (!(c in seenc)) { seenc[c] = 1; levels[++nc] = c }
  }
  END {
    print "| run | C | ops/s | p50 ms | p99 ms | errors | CPU µs/op |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nr; i++) for (j = 1; j <= nc; j++) {
      r = runs[i]; c = levels[j]
      if ((r, c) in ops) printf "| %s | %s | %.0f | %.2f | %.2f | %d | %.0f |\n", r, c, ops[r, c], p50[r, c], p99[r, c], err[r, c], cpu[r, c]
    }
    print ""
    print "Ratios to SOFAJRaft (mean of jraft-1 and jraft-2; ops/s above 1 and p50, CPU below 1 favour raftboot):"
    print ""
    print "| run | C | ops/s ratio | p50 ratio | CPU per op ratio | SOFAJRaft ops/s (two runs) |"
    print "|---|---:|---:|---:|---:|---|"
    for (i = 1; i <= nr; i++) {
      r = runs[i]
      if (r ~ /^jraft/) continue
      for (j = 1; j <= nc; j++) {
        c = levels[j]
        if (!((r, c) in ops) || !(("jraft-1", c) in ops) || !(("jraft-2", c) in ops)) continue
        jo = (ops["jraft-1", c] + ops["jraft-2", c]) / 2
        jp = (p50["jraft-1", c] + p50["jraft-2", c]) / 2
        jc = (cpu["jraft-1", c] + cpu["jraft-2", c]) / 2
        printf "| %s | %s | %.2f | %.2f | %.2f | %.0f, %.0f |\n", r, c, ops[r, c] / jo, p50[r, c] / jp, cpu[r, c] / jc, ops["jraft-1", c], ops["jraft-2", c]
      }
    }
  }' "$TSV" | tee "$OUT/compare.md"
echo
echo "== written to $OUT"
