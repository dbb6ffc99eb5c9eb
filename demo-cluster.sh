#!/usr/bin/env bash
# Starts the raftboot demo: a three-node replicated key-value service on localhost.
#
#   ./demo-cluster.sh            build if needed, start nodes 1-3, wait for a leader, print examples;
#                                Ctrl-C stops every node. Data stays in ./demo-data, so the next run
#                                restarts the same cluster with its keys.
#   ./demo-cluster.sh node N     (re)start node N alone in the foreground, e.g. after killing it.
#
# Environment: DEMO_DATA (data and logs, default ./demo-data), DEMO_PORTS (default "8081 8082 8083"),
# DEMO_SKIP_BUILD=1 (use the jar as it is), JAVA (default java).
set -euo pipefail
cd "$(dirname "$0")"

DATA=${DEMO_DATA:-./demo-data}
read -r -a PORTS <<< "${DEMO_PORTS:-8081 8082 8083}"
JAR=demo-app/target/demo-app.jar
JAVA=${JAVA:-java}

build() {
  if [ "${DEMO_SKIP_BUILD:-0}" = 1 ] && [ -f "$JAR" ]; then
    return
  fi
  if [ -f "$JAR" ] && [ -z "$(find raft-core raft-spring-boot-autoconfigure raft-spring-boot-starter demo-app \
      \( -name '*.java' -o -name '*.yml' -o -name '*.proto' -o -name pom.xml \) -newer "$JAR" \
      -not -path '*/target/*' 2>/dev/null | head -n 1)" ]; then
    return
  fi
  echo "Building the demo (first run takes a few minutes: Maven downloads dependencies)..."
  mvn -q -B -DskipTests -pl demo-app -am package
}

node_args() {
  local id=$1
  local args=(--server.port="${PORTS[$((id - 1))]}" --raft.node-id="$id"
    --raft.storage.data-dir="$DATA/node-$id")
  for i in 1 2 3; do
    args+=(--raft.peers."$i"=http://localhost:"${PORTS[$((i - 1))]}")
  done
  echo "${args[@]}"
}

start_node() {
  local id=$1
  # shellcheck disable=SC2046
  "$JAVA" -Xmx256m -jar "$JAR" $(node_args "$id")
}

if [ "${1:-}" = node ]; then
  id=${2:?usage: ./demo-cluster.sh node <1|2|3>}
  build
  mkdir -p "$DATA"
  exec > >(tee -a "$DATA/node-$id.log") 2>&1
  start_node "$id"
  exit
fi

build
mkdir -p "$DATA"
pids=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo
    echo "Stopping nodes ${pids[*]}..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  echo "Stopped. The data is kept in $DATA; delete it to start a fresh cluster."
}
trap stop_all INT TERM EXIT

for id in 1 2 3; do
  start_node "$id" >> "$DATA/node-$id.log" 2>&1 &
  pids+=($!)
  echo "node $id: http://localhost:${PORTS[$((id - 1))]}  pid $!  log $DATA/node-$id.log"
done

echo "Waiting for the nodes to elect a leader..."
leader=""
for _ in $(seq 1 180); do
  for port in "${PORTS[@]}"; do
    if body=$(curl -fsS "http://localhost:$port/cluster/leader" 2>/dev/null); then
      leader=$(echo "$body" | sed -n 's/.*"leaderUrl":"\([^"]*\)".*/\1/p')
      [ -n "$leader" ] && break 2
    fi
  done
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "A node exited during startup; see the logs in $DATA." >&2
      exit 1
    fi
  done
  sleep 1
done
if [ -z "$leader" ]; then
  echo "No leader after 3 minutes; see the logs in $DATA." >&2
  exit 1
fi

N1=http://localhost:${PORTS[0]}
N2=http://localhost:${PORTS[1]}
N3=http://localhost:${PORTS[2]}
cat <<MSG
Leader: $leader

Try it (any node accepts writes and reads):
  curl -X PUT $N1/kv/greeting -H 'Content-Type: text/plain' -d 'hello'
  curl $N2/kv/greeting
  curl "$N3/kv/greeting?consistency=local"
  curl -X POST $N1/kv/greeting/cas -H 'Content-Type: application/json' -d '{"expected":"hello","value":"hi"}'
  curl "$N2/kv?prefix=gr"
  curl -X DELETE $N3/kv/greeting
  curl $N1/actuator/raft
  curl $N1/actuator/health

Kill a node (kill -9 <pid> above) and the others carry on; restart it with:
  ./demo-cluster.sh node <id>

Press Ctrl-C to stop all nodes.
MSG

wait
