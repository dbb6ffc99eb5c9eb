package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.Config;
import dev.raftboot.SnapshotStatus;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proposal a follower forwards to the leader can reach it twice: the HTTP transport retries a
 * request once when the connection looks stale, and a network may duplicate. Raft appends both
 * copies; the server must still apply the command once, on every node, including nodes that
 * restart from a snapshot taken in between.
 */
class DuplicateProposalTest {

  @TempDir Path dir;

  private final Map<Long, RaftMessageReceiver> receivers = new ConcurrentHashMap<>();
  /** Copies of proposals the followers forwarded, held back to be delivered again later. */
  private final List<Message> heldCopies = new CopyOnWriteArrayList<>();
  private volatile boolean copyProposals;
  private final Map<Long, RaftServer> servers = new TreeMap<>();
  private final Map<Long, Counting> states = new TreeMap<>();
  private final Map<Long, HikariDataSource> dataSources = new TreeMap<>();

  /** "key=value" commands; remembers how often each command was applied. */
  static final class Counting implements CommandApplier, StateSnapshotter {
    final Map<String, String> map = new ConcurrentHashMap<>();
    final Map<String, Integer> applied = new ConcurrentHashMap<>();

    @Override
    public Object apply(ByteString command) {
      String cmd = command.toStringUtf8();
      applied.merge(cmd, 1, Integer::sum);
      String[] kv = cmd.split("=", 2);
      return map.put(kv[0], kv[1]);
    }

    @Override
    public ByteString snapshot() {
      StringBuilder sb = new StringBuilder();
      new TreeMap<>(map).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
      return ByteString.copyFromUtf8(sb.toString());
    }

    @Override
    public void restore(ByteString data) {
      map.clear();
      for (String line : data.toStringUtf8().split("\n")) {
        if (!line.isEmpty()) {
          String[] kv = line.split("=", 2);
          map.put(kv[0], kv[1]);
        }
      }
    }
  }

  private RaftTransport transport(long self) {
    return new RaftTransport() {
      private volatile TransportListener listener;

      @Override
      public void start(long selfId, Map<Long, URI> peers, TransportListener l) {
        listener = l;
      }

      @Override
      public void send(Message m) {
        if (copyProposals && m.getType() == MessageType.MsgProp) {
          heldCopies.add(m);
        }
        deliver(m, listener);
      }

      @Override
      public void updatePeers(Map<Long, URI> peers) {}

      @Override
      public void stop() {}
    };
  }

  private void deliver(Message m, TransportListener listener) {
    RaftMessageReceiver to = receivers.get(m.getTo());
    boolean delivered = to != null && to.receive(m);
    if (m.getType() == MessageType.MsgSnap) {
      listener.reportSnapshot(m.getTo(), delivered ? SnapshotStatus.FINISH : SnapshotStatus.FAILURE);
    } else if (!delivered) {
      listener.reportUnreachable(m.getTo());
    }
  }

  private void start(long id) {
    HikariDataSource ds =
        dataSources.computeIfAbsent(
            id,
            k -> {
              HikariDataSource d = new HikariDataSource();
              d.setJdbcUrl("jdbc:h2:file:" + dir.resolve("n" + k).toAbsolutePath() + "/raft");
              JdbcStorageSchema.create(d);
              return d;
            });
    Map<Long, URI> peers = new TreeMap<>();
    for (long p = 1; p <= 3; p++) {
      peers.put(p, URI.create("http://127.0.0.1:" + (20000 + p)));
    }
    RaftServerSettings settings =
        new RaftServerSettings(
            id,
            "test",
            peers,
            false,
            Duration.ofMillis(10),
            new Config()
                .electionTick(10)
                .heartbeatTick(1)
                .preVote(true)
                .checkQuorum(true)
                .maxSizePerMsg(1 << 20)
                .maxInflightMsgs(256),
            Duration.ofSeconds(5),
            0,
            0);
    Counting state = new Counting();
    RaftServer server =
        new RaftServer(settings, JdbcStorage.create(ds, id), transport(id), state, state, null);
    receivers.put(id, server);
    server.start();
    servers.put(id, server);
    states.put(id, state);
  }

  @AfterEach
  void stopAll() {
    servers.values().forEach(RaftServer::halt);
    dataSources.values().forEach(HikariDataSource::close);
  }

  @Test
  void aForwardedProposalDeliveredTwiceIsAppliedOnce() throws Exception {
    for (long id = 1; id <= 3; id++) {
      start(id);
    }
    long leader = awaitLeader();
    long follower = leader == 1 ? 2 : 1;

    copyProposals = true;
    submit(follower, "k=a");
    copyProposals = false;
    assertThat(heldCopies).hasSize(1);
    submit(leader, "k=b");

    // Every node snapshots, and the leader restarts from its snapshot, before the copy arrives.
    for (RaftServer s : servers.values()) {
      s.triggerSnapshot().get(10, TimeUnit.SECONDS);
    }
    awaitSnapshotStored(leader);
    servers.remove(leader).halt();
    receivers.remove(leader);
    start(leader);
    long current = awaitLeader();

    // Delivered to whoever leads now, so that it is appended whatever the restart changed.
    for (Message copy : heldCopies) {
      assertThat(receivers.get(current).receive(copy.toBuilder().setTo(current).build())).isTrue();
    }
    // A marker written after the copy: once it is applied everywhere, so is the copy's entry.
    submit(follower, "marker=1");
    for (long id : servers.keySet()) {
      servers.get(id).readBarrier(ReadConsistency.LINEARIZABLE).get(10, TimeUnit.SECONDS);
      awaitValue(id, "marker", "1");
    }

    for (long id : servers.keySet()) {
      assertThat(states.get(id).map).as("node %d", id).containsEntry("k", "b");
      assertThat(states.get(id).applied.getOrDefault("k=a", 0))
          .as("applications of k=a on node %d since it started", id)
          .isLessThanOrEqualTo(1);
    }
    assertThat(states.get(follower).applied).containsEntry("k=a", 1);
  }

  private void submit(long id, String cmd) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        servers.get(id).submit(ByteString.copyFromUtf8(cmd)).get(10, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof NoLeaderException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private void awaitSnapshotStored(long id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (servers.get(id).status().snapshotIndex() < servers.get(id).status().applied()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id + " stored no snapshot");
      }
      Thread.sleep(10);
    }
  }

  private void awaitValue(long id, String key, String value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!value.equals(states.get(id).map.get(key))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id + " never applied " + key + "=" + value);
      }
      Thread.sleep(10);
    }
  }

  private long awaitLeader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<Long> leaders = new ArrayList<>();
      for (Map.Entry<Long, RaftServer> e : servers.entrySet()) {
        if (e.getValue().status().role() == StateType.LEADER) {
          leaders.add(e.getKey());
        }
      }
      if (leaders.size() == 1) {
        return leaders.get(0);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader elected");
  }
}
