package dev.raftboot.spring.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.SnapshotStatus;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.transport.RaftMessageReceiver;
import dev.raftboot.spring.transport.RaftTransport;
import dev.raftboot.spring.transport.TransportListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryNetworkTests {

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Node one = new Node(1);
  private final Node two = new Node(2);
  private final RaftTransport fromOne = network.transportFor(1);

  @BeforeEach
  void start() {
    network.attach(one);
    network.attach(two);
    fromOne.start(1, Map.of(), one);
  }

  @AfterEach
  void close() {
    network.close();
  }

  @Test
  void deliversAMessageACorrectPeerSends() {
    fromOne.send(heartbeat());

    await(() -> two.received.size() == 1);
    assertThat(network.refusals()).isEmpty();
  }

  @Test
  void refusesWhatTheHttpEndpointRefusesAndRecordsIt() {
    // An append whose entry does not follow its index: raft-core would stop the node.
    Message bad =
        Message.newBuilder().setType(MessageType.MsgApp).setFrom(1).setTo(2).setTerm(2).setIndex(5)
            .addEntries(Entry.newBuilder().setIndex(7).setTerm(2)).build();

    fromOne.send(bad);

    await(() -> one.unreachable.contains(2L));
    assertThat(two.received).isEmpty();
    assertThat(network.refusals()).singleElement().asString().contains("has entry 0 at index 7");
  }

  @Test
  void deliversAForwardedTransferThatCarriesTheTransfereeAsTheEndpointDoes() {
    // A follower forwards MsgTransferLeader to its leader with the transferee in from.
    two.members = Set.of(1L, 2L, 3L);
    Message transfer =
        Message.newBuilder().setType(MessageType.MsgTransferLeader).setFrom(3).setTo(2).setTerm(2)
            .build();

    fromOne.send(transfer);

    await(() -> two.received.size() == 1);
    assertThat(network.refusals()).isEmpty();
  }

  @Test
  void refusesAnAppendThatClaimsAnotherSender() {
    two.members = Set.of(1L, 2L, 3L);
    Message forged =
        Message.newBuilder().setType(MessageType.MsgApp).setFrom(3).setTo(2).setTerm(2).build();

    fromOne.send(forged);

    await(() -> one.unreachable.contains(2L));
    assertThat(two.received).isEmpty();
    assertThat(network.refusals()).singleElement().asString()
        .contains("claims to come from node 3 but the request is from node 1");
  }

  @Test
  void dropsMessagesFromANonMemberAsTheEndpointDoes() {
    two.members = Set.of(2L);

    fromOne.send(heartbeat());

    await(() -> one.unreachable.contains(2L));
    assertThat(two.received).isEmpty();
    assertThat(network.refusals()).isEmpty();
  }

  @Test
  void dropsWhatTheFirewallCutsAndReportsThePeerUnreachable() {
    network.firewall().isolate(2);

    fromOne.send(heartbeat());

    await(() -> one.unreachable.contains(2L));
    assertThat(two.received).isEmpty();
  }

  @Test
  void aMessageHeldBackIsDroppedIfAPartitionBeginsMeanwhile() {
    network.firewall().delay(Duration.ofMillis(300), MessageType.MsgHeartbeat);
    fromOne.send(heartbeat());
    network.firewall().isolate(1);

    await(() -> one.unreachable.contains(2L));
    assertThat(two.received).isEmpty();
  }

  @Test
  void reportsTheOutcomeOfASnapshot() {
    fromOne.send(snapshot());
    await(() -> one.snapshots.contains(SnapshotStatus.FINISH));

    network.detach(2);
    fromOne.send(snapshot());
    await(() -> one.snapshots.contains(SnapshotStatus.FAILURE));
  }

  private static Message heartbeat() {
    return Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(1).setTo(2).setTerm(1).build();
  }

  private static Message snapshot() {
    return Message.newBuilder().setType(MessageType.MsgSnap).setFrom(1).setTo(2).setTerm(1)
        .setSnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(3).setTerm(1)))
        .build();
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    Waits.until(Duration.ofSeconds(10), condition, () -> "condition not met");
  }

  /** A node that keeps what it receives and what its transport reports. */
  private static final class Node implements RaftMessageReceiver, TransportListener {

    final long id;
    final List<Message> received = new CopyOnWriteArrayList<>();
    final List<Long> unreachable = new CopyOnWriteArrayList<>();
    final List<SnapshotStatus> snapshots = new CopyOnWriteArrayList<>();
    volatile Set<Long> members = Set.of(1L, 2L);

    Node(long id) {
      this.id = id;
    }

    @Override
    public long nodeId() {
      return id;
    }

    @Override
    public String clusterId() {
      return "test";
    }

    @Override
    public boolean isMember(long member) {
      return members.contains(member);
    }

    @Override
    public boolean receive(Message message) {
      return received.add(message);
    }

    @Override
    public void reportUnreachable(long peerId) {
      unreachable.add(peerId);
    }

    @Override
    public void reportSnapshot(long peerId, SnapshotStatus status) {
      snapshots.add(status);
    }
  }
}
