package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import dev.raftboot.spring.api.NoLeaderException;
import dev.raftboot.spring.api.RaftStatus;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.testkit.cluster.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages a member can send that are well formed but contradict this node's state. raft-core
 * asserts such cases as corruption and would stop the node; the node drops them (or, for a
 * committed entry that holds no command, skips it) and keeps serving.
 *
 * <p>Node 1 is the only voter, node 2 a learner that is not on the network and never answers:
 * node 1 keeps a quorum of its own, so after each message it must win an election again and
 * commit.
 */
class HostilePeerMessagesTests {

  private static final long MEMBER = 2;

  @TempDir Path dir;

  /** Node 2 is never attached: what node 1 sends it is lost. */
  private final InMemoryNetwork network = new InMemoryNetwork();
  private HikariDataSource dataSource;
  private RaftServer server;

  @BeforeEach
  void start() throws Exception {
    dataSource = ServerCluster.h2File(dir.resolve("raft"));
    RaftServerSettings settings =
        ServerCluster.settings(
            1, ServerCluster.peers(1), Duration.ofMillis(10), Duration.ofSeconds(20), 10_000, 100);
    server =
        new RaftServer(
            settings,
            JdbcStorage.create(dataSource, 1),
            network.transportFor(1),
            command -> "applied " + command.toStringUtf8(),
            null,
            null);
    network.attach(server);
    server.start();
    awaitLeader();
    server.addLearner(MEMBER, URI.create("http://127.0.0.1:2")).get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    server.halt();
    network.close();
    dataSource.close();
  }

  @Test
  void heartbeatCommittingBeyondTheLog() throws Exception {
    RaftStatus st = server.status();
    server.receive(
        member(MessageType.MsgHeartbeat).setTerm(st.term() + 1).setCommit(st.lastIndex() + 100).build());

    assertStillServes();
  }

  @Test
  void appendResponseForAnIndexTheLeaderNeverHad() throws Exception {
    RaftStatus st = server.status();
    server.receive(
        member(MessageType.MsgAppResp).setTerm(st.term()).setIndex(st.lastIndex() + 1_000).build());

    assertStillServes();
  }

  @Test
  void leaderTransferRequestToAFollower() throws Exception {
    RaftStatus st = server.status();
    long term = st.term() + 1;
    // A valid heartbeat of a new leader, node 2, makes node 1 its follower...
    server.receive(member(MessageType.MsgHeartbeat).setTerm(term).setCommit(st.commit()).build());
    // ...which would forward a transfer request to its leader with the term still set.
    server.receive(member(MessageType.MsgTransferLeader).setTerm(term).build());

    assertStillServes();
  }

  @Test
  void snapshotWhoseDataIsNotARaftbootSnapshot() throws Exception {
    RaftStatus st = server.status();
    long term = st.term() + 1;
    Snapshot snap =
        Snapshot.newBuilder()
            .setMetadata(
                SnapshotMetadata.newBuilder()
                    .setIndex(st.commit() + 50)
                    .setTerm(term)
                    .setConfState(ConfState.newBuilder().addVoters(1).addLearners(MEMBER)))
            .setData(ByteString.copyFrom(new byte[] {(byte) 0xFF, 0x01, 0x02}))
            .build();
    server.receive(member(MessageType.MsgSnap).setTerm(term).setSnapshot(snap).build());

    assertStillServes();
  }

  @Test
  void committedEntryThatHoldsNoCommand() throws Exception {
    RaftStatus st = server.status();
    long term = st.term() + 1;
    long prev = st.lastIndex();
    Message append =
        member(MessageType.MsgApp)
            .setTerm(term)
            .setIndex(prev)
            .setLogTerm(st.term())
            .addEntries(
                Entry.newBuilder()
                    .setTerm(term)
                    .setIndex(prev + 1)
                    .setData(ByteString.copyFrom(new byte[] {(byte) 0xFF, 0x7F})))
            .setCommit(prev + 1)
            .build();
    server.receive(append);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !server.isRunning() || server.status().applied() >= prev + 1);
    assertStillServes();
  }

  private void assertStillServes() throws Exception {
    awaitLeader();
    assertThat(server.isRunning()).isTrue();
    Object result = submit("after");
    assertThat(result).isEqualTo("applied after");
  }

  /** Submits, retrying while the node campaigns again after the message moved its term. */
  private Object submit(String command) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return server.submit(ByteString.copyFromUtf8(command)).get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof NoLeaderException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  private void awaitLeader() {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !server.isRunning() || server.status().role() == StateType.LEADER);
    assertThat(server.isRunning()).as("node still running").isTrue();
  }

  private static Message.Builder member(MessageType type) {
    return Message.newBuilder().setType(type).setFrom(MEMBER).setTo(1);
  }
}
