package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.Config;
import dev.raftboot.RaftUtil;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.test.MemoryRaftStorage;
import dev.raftboot.spring.test.TappedTransport;
import dev.raftboot.spring.testkit.cluster.InMemoryNetwork;
import dev.raftboot.spring.transport.RaftTransport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every acknowledgement and vote a node sends covers only what its storage had synced when it
 * left: checked on every message of a three-node cluster of {@link RaftServer}s whose persist
 * stage writes asynchronously, and shown to catch a storage that returns before it is durable.
 */
class AckDurabilityTests {

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<RaftServer> servers = new ArrayList<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    servers.forEach(RaftServer::halt);
    network.close();
  }

  @Test
  void acknowledgementsAndVotesLeaveOnlyOnceTheirDataIsSynced() throws Exception {
    runCluster(false);
    assertThat(violations).isEmpty();
  }

  @Test
  void theCheckCatchesAStorageThatReturnsBeforeItIsDurable() throws Exception {
    runCluster(true);
    assertThat(violations).isNotEmpty();
  }

  private void runCluster(boolean syncLate) throws Exception {
    Map<Long, URI> peers = new TreeMap<>();
    for (long id = 1; id <= 3; id++) {
      peers.put(id, URI.create("mem://n" + id));
    }
    for (long id = 1; id <= 3; id++) {
      SyncRecordingStorage storage = new SyncRecordingStorage(syncLate);
      RaftServerSettings settings =
          new RaftServerSettings(
              id, "ack-durability", peers, false, Duration.ofMillis(10),
              new Config().electionTick(10).heartbeatTick(1).preVote(true).checkQuorum(true)
                  .maxSizePerMsg(1 << 20).maxInflightMsgs(256),
              Duration.ofSeconds(10), 0, 0);
      RaftServer server =
          new RaftServer(
              settings, storage, checking(network.transportFor(id), storage),
              command -> command.toStringUtf8(), null, null);
      network.attach(server);
      servers.add(server);
    }
    servers.forEach(RaftServer::start);
    List<CompletableFuture<Object>> puts = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int done = 0;
    while (done < 60 && System.nanoTime() < deadline) {
      for (RaftServer s : servers) {
        puts.add(s.submit(ByteString.copyFromUtf8("put-" + puts.size())));
      }
      for (CompletableFuture<Object> f : puts) {
        try {
          f.get(5, TimeUnit.SECONDS);
          done++;
        } catch (Exception e) {
          // No leader yet: the next round tries again.
        }
      }
      puts.clear();
    }
    assertThat(done).as("commands applied").isGreaterThanOrEqualTo(60);
  }

  /** {@code transport}, checking each acknowledgement or vote it sends against what was synced. */
  private RaftTransport checking(RaftTransport transport, SyncRecordingStorage storage) {
    return new TappedTransport(
        transport,
        m -> {
          String violation = storage.violation(m);
          if (violation != null) {
            violations.add("node " + m.getFrom() + " sent " + m.getType() + " " + violation);
          }
        });
  }

  /**
   * A {@link RaftStorage} in memory that records what each save made durable, as of when it
   * returned. With {@code syncLate} it is a broken storage: a save's data counts as synced only
   * once the next save returns, as with a disk that acknowledges before it writes.
   */
  static final class SyncRecordingStorage extends MemoryRaftStorage {
    private final boolean syncLate;
    private final Map<Long, Long> syncedTerms = new ConcurrentHashMap<>();
    private volatile HardState syncedHardState = HardState.getDefaultInstance();
    private Runnable notYetSynced = () -> {};

    SyncRecordingStorage(boolean syncLate) {
      this.syncLate = syncLate;
    }

    @Override
    public synchronized void save(
        HardState hardState, List<Entry> entries, Snapshot snapshot, boolean sync) {
      super.save(hardState, entries, snapshot, sync);
      List<Entry> written = List.copyOf(entries);
      Runnable synced =
          () -> {
            if (!written.isEmpty()) {
              long last = written.get(written.size() - 1).getIndex();
              syncedTerms.keySet().removeIf(i -> i > last);
              written.forEach(e -> syncedTerms.put(e.getIndex(), e.getTerm()));
            }
            if (!RaftUtil.isEmptyHardState(hardState)) {
              syncedHardState = hardState;
            }
          };
      if (syncLate) {
        notYetSynced.run();
        notYetSynced = synced;
      } else {
        synced.run();
      }
    }

    /** Why {@code m} promises more than is synced, or null. */
    synchronized String violation(Message m) {
      if (m.getType() == MessageType.MsgAppResp && !m.getReject() && m.getIndex() > 0) {
        Long synced = syncedTerms.get(m.getIndex());
        long term;
        try {
          term = term(m.getIndex());
        } catch (RuntimeException e) {
          return null; // compacted or replaced since: nothing to compare with
        }
        if (synced == null || synced != term) {
          return "acknowledging index " + m.getIndex() + " that is not synced";
        }
      } else if (m.getType() == MessageType.MsgVoteResp && !m.getReject()) {
        HardState hs = syncedHardState;
        if (hs.getTerm() < m.getTerm() || (hs.getTerm() == m.getTerm() && hs.getVote() != m.getTo())) {
          return "granting term " + m.getTerm() + " to " + m.getTo() + " before the vote is synced";
        }
      }
      return null;
    }
  }
}
