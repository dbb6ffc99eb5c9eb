package dev.raftboot.bench.core;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.raftboot.Config;
import dev.raftboot.Logger;
import dev.raftboot.MemoryStorage;
import dev.raftboot.Peer;
import dev.raftboot.RawNode;
import dev.raftboot.Ready;
import dev.raftboot.StateType;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.raftpb.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * N {@link RawNode}s on {@link MemoryStorage}, driven by one thread the way an application drives
 * them: take a Ready, persist it, hand its messages over, apply, advance. Messages are delivered
 * in memory (no serialization) after the sender's Ready was processed.
 *
 * <p>The application work is minimal on purpose (append to memory, count the applied entries), so
 * that what is measured is raft-core itself.
 */
final class MemoryCluster {

  /** Compact a node's storage once this many applied entries sit in it. */
  private static final long COMPACT_EVERY = 64 * 1024;
  /** Entries kept below the lowest applied index, so that no follower ever needs a snapshot. */
  private static final long KEEP = 8 * 1024;

  final RawNode[] nodes;
  final MemoryStorage[] storages;
  private final long[] applied;
  private final long[] compacted;
  /** Messages waiting for delivery, in send order. */
  private List<Message> inFlight = new ArrayList<>();
  private List<Message> delivering = new ArrayList<>();
  /** Normal entries with data applied on node 1 (the leader), i.e. committed proposals. */
  long committedOnLeader;

  MemoryCluster(int size) {
    nodes = new RawNode[size];
    storages = new MemoryStorage[size];
    applied = new long[size];
    compacted = new long[size];
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      peers.add(new Peer(i + 1));
    }
    for (int i = 0; i < size; i++) {
      storages[i] = new MemoryStorage();
      Config c =
          new Config()
              .id(i + 1)
              .electionTick(10)
              .heartbeatTick(1)
              .storage(storages[i])
              // The starter's defaults.
              .maxSizePerMsg(1024 * 1024)
              .maxInflightMsgs(256)
              .preVote(true)
              .checkQuorum(true)
              .random(new SplittableRandom(i))
              .logger(QUIET);
      nodes[i] = new RawNode(c);
      nodes[i].bootstrap(peers);
    }
    // The bootstrap entries must be applied before a node may campaign.
    settle();
    nodes[0].campaign();
    settle();
    if (nodes[0].basicStatus().softState().raftState() != StateType.LEADER) {
      throw new IllegalStateException("node 1 did not become leader");
    }
    committedOnLeader = 0;
  }

  RawNode leader() {
    return nodes[0];
  }

  /** Processes Readies and delivers messages until no node has anything left to do. */
  void settle() {
    for (int rounds = 0; ; rounds++) {
      boolean any = false;
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i].hasReady()) {
          handleReady(i, nodes[i].ready());
          any = true;
        }
      }
      if (!inFlight.isEmpty()) {
        deliverAll();
        any = true;
      }
      if (!any) {
        return;
      }
      if (rounds > 10_000) {
        throw new IllegalStateException("cluster does not settle");
      }
    }
  }

  /** One Ready of node {@code i}: persist, queue the messages, apply, advance. */
  void handleReady(int i, Ready rd) {
    MemoryStorage st = storages[i];
    if (rd.hasSnapshot()) {
      st.applySnapshot(rd.snapshot());
    }
    st.append(rd.entries());
    if (rd.hasHardState()) {
      st.setHardState(rd.hardState());
    }
    inFlight.addAll(rd.messages());
    List<Entry> committed = rd.committedEntries();
    for (int k = 0; k < committed.size(); k++) {
      Entry e = committed.get(k);
      if (e.getType() == EntryType.EntryNormal) {
        if (i == 0 && !e.getData().isEmpty()) {
          committedOnLeader++;
        }
      } else {
        applyConfChange(nodes[i], e);
      }
    }
    if (!committed.isEmpty()) {
      applied[i] = committed.get(committed.size() - 1).getIndex();
      maybeCompact(i);
    }
    nodes[i].advance();
  }

  void deliverAll() {
    List<Message> batch = inFlight;
    inFlight = delivering;
    delivering = batch;
    for (int k = 0; k < batch.size(); k++) {
      Message m = batch.get(k);
      nodes[(int) m.getTo() - 1].step(m);
    }
    batch.clear();
  }

  private void maybeCompact(int i) {
    if (applied[i] - compacted[i] < COMPACT_EVERY) {
      return;
    }
    long lowest = Long.MAX_VALUE;
    for (long a : applied) {
      lowest = Math.min(lowest, a);
    }
    long to = lowest - KEEP;
    if (to > compacted[i]) {
      storages[i].compact(to);
      compacted[i] = to;
    }
  }

  private static void applyConfChange(RawNode node, Entry e) {
    try {
      if (e.getType() == EntryType.EntryConfChange) {
        node.applyConfChange(ConfChange.parseFrom(e.getData()));
      } else {
        node.applyConfChange(ConfChangeV2.parseFrom(e.getData()));
      }
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** A payload of {@code size} letters. */
  static ByteString payload(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return ByteString.copyFrom(b);
  }

  /** Drops everything below warnings: the benchmarks measure raft, not logging. */
  static final Logger QUIET =
      new Logger() {
        @Override
        public void debug(String format, Object... args) {}

        @Override
        public void info(String format, Object... args) {}

        @Override
        public void warn(String format, Object... args) {
          System.err.println("WARN " + String.format(format, args));
        }

        @Override
        public void error(String format, Object... args) {
          System.err.println("ERROR " + String.format(format, args));
        }

        @Override
        public void fatal(String format, Object... args) {
          System.err.println("FATAL " + String.format(format, args));
        }
      };
}
