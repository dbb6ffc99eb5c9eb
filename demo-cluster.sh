#!/usr/bin/env bash
# Starts the raftboot demo: a three-node replicated key-value service on localhost.
#
#   ./demo-cluster.sh            build if needed, start nodes 1-3, wait for a leader, print examples;
#                                Ctrl-C stops every node of the cluster (also nodes restarted with
#                                `node N`). Data stays in ./demo-data, so the next run restarts the
#                                same cluster with its keys.
#   ./demo-cluster.sh node N     (re)start node N alone in the foreground, e.g. after killing it.
#
# Environment: DEMO_DATA (data and logs, default ./demo-data), DEMO_PORTS (default "8081 8082 8083"),
# DEMO_SKIP_BUILD=1 (use the jar as it is), DEMO_STARTUP_TIMEOUT (seconds to wait for a leader,
# default 600), JAVA (default java), DEMO_JAVA_OPTS (JVM options; the default favours a quick
# start over peak speed: C1 only and the serial collector start a node two to three times faster),
# DEMO_BIND_ADDRESS (the address the nodes listen on, default 127.0.0.1: this machine only),
# RAFT_TRANSPORT_TOKEN (the cluster secret; by default one is generated on the first start and kept
# in $DEMO_DATA/cluster-secret, readable by its owner only).
set -euo pipefail
cd "$(dirname "$0")"

DATA=${DEMO_DATA:-./demo-data}
read -r -a PORTS <<< "${DEMO_PORTS:-8081 8082 8083}"
JAR=demo-app/target/demo-app.jar
JAVA=${JAVA:-java}
read -r -a JAVA_OPTS <<< "${DEMO_JAVA_OPTS:--Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
STARTUP_TIMEOUT=${DEMO_STARTUP_TIMEOUT:-600}
BIND=${DEMO_BIND_ADDRESS:-127.0.0.1}
SECRET_FILE="$DATA/cluster-secret"

if [ ${#PORTS[@]} -ne 3 ]; then
  echo "DEMO_PORTS must list three ports, not \"${DEMO_PORTS:-}\"" >&2
  exit 2
fi

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

url() {
  echo "http://localhost:${PORTS[$(($1 - 1))]}"
}

pid_file() {
  echo "$DATA/node-$1.pid"
}

# The cluster secret every node signs its peer requests with: RAFT_TRANSPORT_TOKEN if set, else the
# one kept beside the data, generated (owner-only file) on the first start. It reaches the nodes in
# their environment, never on their command line, where `ps` would show it.
cluster_secret() {
  if [ -n "${RAFT_TRANSPORT_TOKEN:-}" ]; then
    return
  fi
  if [ ! -s "$SECRET_FILE" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n=' > "$SECRET_FILE")
  fi
  chmod 600 "$SECRET_FILE"
  RAFT_TRANSPORT_TOKEN=$(cat "$SECRET_FILE")
  export RAFT_TRANSPORT_TOKEN
}

# The raft endpoint's write operations (membership, leadership, snapshot) are on only while the
# nodes listen on loopback, where only this machine's users reach them.
actuator_access() {
  case "$BIND" in
    127.* | localhost | ::1) echo unrestricted ;;
    *) echo read-only ;;
  esac
}

# Replaces the calling (sub)shell with node $1's JVM, so the shell's pid is the JVM's pid: that is
# the pid we print and record, and the one `kill -9` must hit.
exec_node() {
  local id=$1
  local args=("${JAVA_OPTS[@]}" -jar "$JAR" --server.port="${PORTS[$((id - 1))]}" --raft.node-id="$id"
    --raft.storage.data-dir="$DATA/node-$id" --server.address="$BIND"
    --management.endpoint.raft.access="$(actuator_access)")
  for i in 1 2 3; do
    args+=(--raft.peers."$i"="$(url "$i")")
  done
  echo "$BASHPID" > "$(pid_file "$id")"
  exec "$JAVA" "${args[@]}"
}

# Prints the pid of node $1 if it is running: the recorded pid, if that process is still this
# node's JVM (a pid can be reused, and an exited child stays a zombie until it is reaped).
running_pid() {
  local id=$1 pid cmd
  pid=$(cat "$(pid_file "$id")" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  cmd=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 1
  case "$cmd" in
    *"--raft.storage.data-dir=$DATA/node-$id "*) echo "$pid" ;;
    *) return 1 ;;
  esac
}

# Quotes $1 for a shell command line, only when needed.
quote() {
  if [[ $1 =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

if [ "${1:-}" = node ]; then
  id=${2:-}
  case "$id" in
    1 | 2 | 3) ;;
    *)
      echo "usage: ./demo-cluster.sh node <1|2|3>" >&2
      exit 2
      ;;
  esac
  build
  mkdir -p "$DATA"
  cluster_secret
  if pid=$(running_pid "$id"); then
    echo "node $id is already running (pid $pid); stop it first." >&2
    exit 1
  fi
  echo "node $id: $(url "$id")  pid $$  log $DATA/node-$id.log"
  # tee -i: Ctrl-C stops the JVM gracefully, and tee keeps logging its shutdown.
  exec > >(tee -a -i "$DATA/node-$id.log") 2>&1
  exec_node "$id"
fi

build
mkdir -p "$DATA"
cluster_secret
for id in 1 2 3; do
  if pid=$(running_pid "$id"); then
    echo "node $id is already running (pid $pid); stop it first (kill $pid)." >&2
    exit 1
  fi
done

running_nodes() {
  local id pid
  for id in 1 2 3; do
    if pid=$(running_pid "$id"); then
      echo "$pid"
    fi
  done
}

# Stops every running node of the cluster: the ones started here and any restarted with `node N`.
# SIGTERM lets each JVM shut down gracefully; one that has not exited after a minute gets SIGKILL.
stop_all() {
  trap - INT TERM EXIT
  local pids
  read -r -a pids <<< "$(running_nodes | tr '\n' ' ')"
  if [ ${#pids[@]} -gt 0 ]; then
    echo
    echo "Stopping nodes (pids ${pids[*]})..."
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 60); do
      [ -n "$(running_nodes)" ] || break
      sleep 1
    done
    read -r -a pids <<< "$(running_nodes | tr '\n' ' ')"
    if [ ${#pids[@]} -gt 0 ]; then
      echo "Nodes ${pids[*]} did not stop within a minute; killing them."
      kill -9 "${pids[@]}" 2>/dev/null || true
    fi
  fi
  wait 2>/dev/null || true
  echo "Stopped. The data is kept in $DATA; delete it to start a fresh cluster."
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

pids=()
for id in 1 2 3; do
  exec_node "$id" >> "$DATA/node-$id.log" 2>&1 &
  pids+=($!)
  echo "node $id: $(url "$id")  pid $!  log $DATA/node-$id.log"
done

echo "Waiting for the nodes to elect a leader..."
leader=""
while [ -z "$leader" ]; do
  for id in 1 2 3; do
    if body=$(curl -fsS --max-time 5 "$(url "$id")/cluster/leader" 2>/dev/null); then
      leader=$(echo "$body" | sed -n 's/.*"leaderUrl":"\([^"]*\)".*/\1/p')
      [ -n "$leader" ] && break
    fi
  done
  [ -n "$leader" ] && break
  for id in 1 2 3; do
    if ! kill -0 "${pids[$((id - 1))]}" 2>/dev/null; then
      echo "Node $id exited during startup; the end of $DATA/node-$id.log:" >&2
      tail -n 25 "$DATA/node-$id.log" >&2 || true
      exit 1
    fi
  done
  if [ "$SECONDS" -ge "$STARTUP_TIMEOUT" ]; then
    echo "No leader after $STARTUP_TIMEOUT seconds; see the logs in $DATA." >&2
    exit 1
  fi
  sleep 1
done

# How to restart one node with the same settings as this run.
restart="./demo-cluster.sh node <id>"
[ -n "${DEMO_JAVA_OPTS:-}" ] && restart="DEMO_JAVA_OPTS=$(quote "$DEMO_JAVA_OPTS") $restart"
[ -n "${DEMO_PORTS:-}" ] && restart="DEMO_PORTS=$(quote "$DEMO_PORTS") $restart"
[ -n "${DEMO_DATA:-}" ] && restart="DEMO_DATA=$(quote "$DEMO_DATA") $restart"

N1=$(url 1)
N2=$(url 2)
N3=$(url 3)
cat <<MSG
Leader: $leader

Try it (any node accepts writes and reads):
  curl -X PUT $N1/kv/greeting -H 'Content-Type: text/plain' -d 'hello'
  curl $N2/kv/greeting
  curl "$N1/kv/greeting?consistency=local"
  curl -X POST $N1/kv/greeting/cas -H 'Content-Type: application/json' -d '{"expected":"hello","value":"hi"}'
  curl "$N2/kv?prefix=gr"
  curl -X DELETE $N3/kv/greeting
  curl $N1/actuator/raft
  curl $N1/actuator/health

The nodes listen on $BIND only and sign their peer requests with the cluster secret in
$SECRET_FILE (or RAFT_TRANSPORT_TOKEN); /kv and /actuator answer anyone who reaches that address.

A read with consistency=local answers from that node's own copy without asking the leader; a node
that acknowledged a write has applied it, others may lag a moment.

Kill a node (kill -9 <pid>, pids above) and the others carry on; restart it with:
  $restart

Press Ctrl-C to stop all nodes.
MSG

# Run until Ctrl-C, or until every node has exited.
while [ -n "$(running_nodes)" ]; do
  sleep 2
done
echo "All nodes have exited."
