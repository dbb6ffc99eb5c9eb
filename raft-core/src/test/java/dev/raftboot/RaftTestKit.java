package dev.raftboot;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;
import dev.raftboot.raftpb.SnapshotMetadata;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Test support shared by the unit tests of the Raft state machine: quiet configs, a storage that
 * starts with a membership but no log, message draining that mimics what {@link RawNode} does
 * around a Ready, and an in-memory {@link Network} of {@link Raft}s with message filters.
 */
final class RaftTestKit {

  private RaftTestKit() {}

  /** A logger that discards everything; keeps the tests fast and their output readable. */
  static final Logger QUIET = SilentLogger.INSTANCE;

  /**
   * A {@link MemoryStorage} that reports a given initial membership while it holds no snapshot,
   * the way a cluster member configured out of band starts: empty log, known peers.
   */
  static final class TestStorage extends ForwardingStorage {
    final MemoryStorage mem;
    private final ConfState initial;

    TestStorage(ConfState initial) {
      this(new MemoryStorage(), initial);
    }

    private TestStorage(MemoryStorage mem, ConfState initial) {
      super(mem);
      this.mem = mem;
      this.initial = initial;
    }

    @Override
    public InitialState initialState() {
      InitialState is = mem.initialState();
      if (RaftUtil.isEmptySnap(mem.snapshot())) {
        return new InitialState(is.hardState(), initial);
      }
      return is;
    }

    /** Appends entries with the given terms at indexes 1, 2, ... (or after the last index). */
    TestStorage withTerms(long... terms) {
      long idx = mem.lastIndex();
      List<Entry> ents = new ArrayList<>();
      for (long t : terms) {
        ents.add(entry(++idx, t));
      }
      mem.append(ents);
      return this;
    }

    TestStorage withHardState(long term, long vote, long commit) {
      mem.setHardState(hardState(term, vote, commit));
      return this;
    }
  }

  static ConfState voters(long... ids) {
    ConfState.Builder b = ConfState.newBuilder();
    for (long id : ids) {
      b.addVoters(id);
    }
    return b.build();
  }

  static ConfState votersAndLearners(long[] voters, long[] learners) {
    ConfState.Builder b = ConfState.newBuilder();
    for (long id : voters) {
      b.addVoters(id);
    }
    for (long id : learners) {
      b.addLearners(id);
    }
    return b.build();
  }

  static TestStorage storage(long... voterIds) {
    return new TestStorage(voters(voterIds));
  }

  static TestStorage storage(ConfState cs) {
    return new TestStorage(cs);
  }

  /**
   * The configuration most tests use: unlimited message size, a generous inflight window, a
   * seeded random source (so randomized timeouts are reproducible) and no logging.
   */
  static Config config(long id, int election, int heartbeat, Storage s) {
    return new Config()
        .id(id)
        .electionTick(election)
        .heartbeatTick(heartbeat)
        .storage(s)
        .maxSizePerMsg(RaftUtil.NO_LIMIT)
        .maxInflightMsgs(256)
        .logger(QUIET)
        .random(new SplittableRandom(id * 7919));
  }

  static Raft newRaft(long id, int election, int heartbeat, Storage s) {
    return new Raft(config(id, election, heartbeat, s));
  }

  /** Node {@code id} of a fresh group of voters {@code 1..n}, election 10, heartbeat 1. */
  static Raft newRaft(long id, int n) {
    return newRaft(id, 10, 1, storage(ids(n)));
  }

  static long[] ids(int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = i + 1;
    }
    return out;
  }

  static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  static Entry entry(long index, long term, String data) {
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(bytes(data)).build();
  }

  /** Entries with the given terms at consecutive indexes starting at {@code first}. */
  static List<Entry> entries(long first, long... terms) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      out.add(entry(first + i, terms[i]));
    }
    return out;
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static HardState hardState(long term, long vote, long commit) {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
  }

  static Snapshot snapshot(long index, long term, ConfState cs) {
    return Snapshot.newBuilder()
        .setMetadata(
            SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(cs))
        .build();
  }

  static Message msg(long from, long to, MessageType type) {
    return Message.newBuilder().setFrom(from).setTo(to).setType(type).build();
  }

  static Message msg(long from, long to, MessageType type, long term) {
    return Message.newBuilder().setFrom(from).setTo(to).setType(type).setTerm(term).build();
  }

  static Message hup(long id) {
    return msg(id, id, MessageType.MsgHup);
  }

  static Message prop(long id, String data) {
    return Message.newBuilder()
        .setFrom(id)
        .setTo(id)
        .setType(MessageType.MsgProp)
        .addEntries(Entry.newBuilder().setData(bytes(data)))
        .build();
  }

  static Message readIndex(long from, long to, String ctx) {
    return Message.newBuilder()
        .setFrom(from)
        .setTo(to)
        .setType(MessageType.MsgReadIndex)
        .addEntries(Entry.newBuilder().setData(bytes(ctx)))
        .build();
  }

  /**
   * Hands out the messages {@code r} has queued, as RawNode would across Ready and advance, but
   * without persisting: self-addressed responses (own votes, own append acknowledgements) are
   * stepped back into {@code r} until none remain, and everything else is returned in order.
   */
  static List<Message> readMessages(Raft r) {
    while (!r.msgsAfterAppend.isEmpty()) {
      List<Message> after = r.msgsAfterAppend;
      r.msgsAfterAppend = new ArrayList<>();
      for (Message m : after) {
        if (m.getTo() == r.id) {
          try {
            r.step(m);
          } catch (ProposalDroppedException e) {
            // not a proposal; cannot happen
          }
        } else {
          r.msgs.add(m);
        }
      }
    }
    List<Message> out = r.msgs;
    r.msgs = new ArrayList<>();
    return out;
  }

  /** {@link #readMessages} restricted to one message type. */
  static List<Message> readMessages(Raft r, MessageType type) {
    return readMessages(r).stream().filter(m -> m.getType() == type).toList();
  }

  /** Steps the self-addressed responses only, leaving everything else queued. */
  static void settleSelf(Raft r) {
    List<Message> keep = new ArrayList<>(r.msgs);
    r.msgs = new ArrayList<>();
    List<Message> out = readMessages(r);
    keep.addAll(out);
    r.msgs = keep;
  }

  /**
   * Persists what is unstable into {@code s} and applies what is committed (conf changes included,
   * before the applied index moves), as an application would between Ready and advance.
   *
   * @return the committed entries that were applied
   */
  static List<Entry> persistAndApply(Raft r, MemoryStorage s) {
    Snapshot snap = r.raftLog.nextUnstableSnapshot();
    if (snap != null) {
      s.applySnapshot(snap);
    }
    List<Entry> unstable = List.copyOf(r.raftLog.nextUnstableEnts());
    s.append(unstable);
    r.raftLog.acceptUnstable();
    if (snap != null) {
      r.appliedSnap(snap);
    }
    if (!unstable.isEmpty()) {
      Entry last = unstable.get(unstable.size() - 1);
      r.raftLog.stableTo(new EntryId(last.getTerm(), last.getIndex()));
    }
    List<Entry> committed = r.raftLog.nextCommittedEnts(true);
    if (!committed.isEmpty()) {
      long idx = committed.get(committed.size() - 1).getIndex();
      long size = Entries.size(committed);
      r.raftLog.acceptApplying(idx, size, true);
      for (Entry e : committed) {
        ConfChangeV2 cc = Raft.decodeConfChange(e);
        if (cc != null) {
          r.applyConfChange(cc);
        }
      }
      r.appliedTo(idx, size);
    }
    return committed;
  }

  /** {@link #persistAndApply(Raft, MemoryStorage)} into {@code r}'s own {@link TestStorage}. */
  static List<Entry> persistAndApply(Raft r) {
    return persistAndApply(r, ((TestStorage) r.raftLog.storage).mem);
  }

  /**
   * Makes {@code r} (a fresh member of its group) the leader of the next term and has every
   * follower acknowledge the new term's empty entry, so that it is committed and applied and every
   * follower is replicating. Messages produced on the way are discarded.
   */
  static Raft electAndCommitNoop(Raft r) {
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.bcastAppend();
    long last = r.raftLog.lastIndex();
    for (Message m : readMessages(r)) {
      if (m.getType() == MessageType.MsgApp) {
        r.step(
            Message.newBuilder()
                .setFrom(m.getTo())
                .setTo(r.id)
                .setType(MessageType.MsgAppResp)
                .setTerm(r.term)
                .setIndex(last)
                .build());
      }
    }
    readMessages(r);
    persistAndApply(r);
    return r;
  }

  /** An append acknowledgement from {@code from} to {@code to} for the log up to {@code index}. */
  static Message appResp(long from, long to, long term, long index) {
    return Message.newBuilder()
        .setFrom(from)
        .setTo(to)
        .setType(MessageType.MsgAppResp)
        .setTerm(term)
        .setIndex(index)
        .build();
  }

  /**
   * One turn of the application's loop around a RawNode in the default (synchronous) mode: take
   * the Ready, persist its snapshot, entries and hard state into {@code s}, apply its committed
   * conf changes to the node, and advance. Messages are left to the caller.
   */
  static Ready handleReady(RawNode rn, MemoryStorage s) {
    Ready rd = rn.ready();
    if (rd.hasSnapshot()) {
      s.applySnapshot(rd.snapshot());
    }
    s.append(rd.entries());
    if (rd.hasHardState()) {
      s.setHardState(rd.hardState());
    }
    for (Entry e : rd.committedEntries()) {
      try {
        if (e.getType() == dev.raftboot.raftpb.EntryType.EntryConfChange) {
          rn.applyConfChange(dev.raftboot.raftpb.ConfChange.parseFrom(e.getData()));
        } else if (e.getType() == dev.raftboot.raftpb.EntryType.EntryConfChangeV2) {
          rn.applyConfChange(dev.raftboot.raftpb.ConfChangeV2.parseFrom(e.getData()));
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        throw new AssertionError(ex);
      }
    }
    rn.advance();
    return rd;
  }

  /** {@link #handleReady} until the node has nothing more to do; returns the Readies. */
  static List<Ready> handleAllReady(RawNode rn, MemoryStorage s) {
    List<Ready> out = new ArrayList<>();
    while (rn.hasReady()) {
      out.add(handleReady(rn, s));
    }
    return out;
  }

  /** Every entry in {@code r}'s log, from the first index on. */
  static List<Entry> allEntries(Raft r) {
    return r.raftLog.allEntries();
  }

  /** (index, term) pairs of {@code ents}, for compact assertions. */
  static List<String> ids(List<Entry> ents) {
    return ents.stream().map(e -> e.getIndex() + "/" + e.getTerm()).toList();
  }

  /** The payloads of {@code ents} that have one. */
  static List<String> payloads(List<Entry> ents) {
    return ents.stream()
        .filter(e -> !e.getData().isEmpty())
        .map(e -> e.getData().toStringUtf8())
        .toList();
  }

  static void tick(Raft r, int n) {
    for (int i = 0; i < n; i++) {
      r.tick();
    }
  }

  /**
   * Raft nodes connected by an in-memory network. {@link #send} delivers messages and everything
   * they cause, breadth first, until the network is quiet. Links can be cut, nodes isolated and
   * message types ignored; a node slot may be a black hole (messages to it vanish).
   */
  static final class Network {
    final Map<Long, Raft> peers = new TreeMap<>();
    final Map<Long, TestStorage> storages = new HashMap<>();
    private final Map<Long, Double> dropRates = new HashMap<>();
    private final Set<MessageType> ignored = new HashSet<>();
    private final List<Predicate<Message>> interceptors = new ArrayList<>();
    /** Messages of every delivery attempt, in order, including dropped ones. */
    final List<Message> trace = new ArrayList<>();

    private final SplittableRandom random = new SplittableRandom(1);

    /** {@code n} fresh voters with election timeout 10 and heartbeat 1. */
    static Network of(int n) {
      return of(n, c -> {});
    }

    /** {@code n} fresh voters, each config adjusted by {@code tweak} before construction. */
    static Network of(int n, Consumer<Config> tweak) {
      Network net = new Network();
      long[] all = ids(n);
      for (long id : all) {
        TestStorage s = storage(all);
        Config c = config(id, 10, 1, s);
        tweak.accept(c);
        net.add(new Raft(c), s);
      }
      return net;
    }

    /**
     * A network of the given nodes; a {@code null} slot at position {@code i} becomes a fresh voter
     * {@code i+1} of a group of {@code nodes.length}, and {@link #BLACK_HOLE} a node that swallows
     * everything.
     */
    static Network of(Raft... nodes) {
      Network net = new Network();
      long[] all = ids(nodes.length);
      for (int i = 0; i < nodes.length; i++) {
        long id = i + 1;
        if (nodes[i] == null) {
          TestStorage s = storage(all);
          net.add(newRaft(id, 10, 1, s), s);
        } else if (nodes[i] != BLACK_HOLE) {
          net.peers.put(id, nodes[i]);
        }
      }
      return net;
    }

    /** Marker for {@link #of(Raft...)}: a member that never answers. */
    static final Raft BLACK_HOLE = newRaft(Long.MAX_VALUE - 7, 10, 1, storage(Long.MAX_VALUE - 7));

    Network add(Raft r, TestStorage s) {
      peers.put(r.id, r);
      if (s != null) {
        storages.put(r.id, s);
      }
      return this;
    }

    Raft node(long id) {
      return peers.get(id);
    }

    /** Delivers {@code msgs} and all messages they cause until nothing is in flight. */
    void send(Message... msgs) {
      Deque<Message> queue = new ArrayDeque<>(Arrays.asList(msgs));
      while (!queue.isEmpty()) {
        Message m = queue.poll();
        trace.add(m);
        Raft p = peers.get(m.getTo());
        if (p == null || dropped(m)) {
          continue;
        }
        try {
          p.step(m);
        } catch (ProposalDroppedException e) {
          // a proposal that cannot be accepted is simply lost
        }
        queue.addAll(readMessages(p));
      }
    }

    /** Runs an election at {@code id}: a local MsgHup and everything it causes. */
    void campaign(long id) {
      send(hup(id));
    }

    void propose(long id, String data) {
      send(prop(id, data));
    }

    private boolean dropped(Message m) {
      if (ignored.contains(m.getType())) {
        return true;
      }
      for (Predicate<Message> p : interceptors) {
        if (p.test(m)) {
          return true;
        }
      }
      Double rate = dropRates.get(key(m.getFrom(), m.getTo()));
      return rate != null && (rate >= 1.0 || random.nextDouble() < rate);
    }

    private static long key(long from, long to) {
      return from * 1_000_003L + to;
    }

    /** Drops the given fraction of messages from {@code from} to {@code to}. */
    Network drop(long from, long to, double rate) {
      dropRates.put(key(from, to), rate);
      return this;
    }

    /** Drops everything between {@code a} and {@code b}, both ways. */
    Network cut(long a, long b) {
      drop(a, b, 1.0);
      drop(b, a, 1.0);
      return this;
    }

    /** Cuts {@code id} off from every other node. */
    Network isolate(long id) {
      for (long other : peers.keySet()) {
        if (other != id) {
          cut(id, other);
        }
      }
      return this;
    }

    Network ignore(MessageType t) {
      ignored.add(t);
      return this;
    }

    /** Drops every message matching {@code p}. */
    Network intercept(Predicate<Message> p) {
      interceptors.add(p);
      return this;
    }

    /** Removes every filter. */
    void recover() {
      dropRates.clear();
      ignored.clear();
      interceptors.clear();
    }

    /** Ticks {@code id} {@code n} times, delivering what each tick produces. */
    void tick(long id, int n) {
      Raft r = peers.get(id);
      for (int i = 0; i < n; i++) {
        r.tick();
        send(readMessages(r).toArray(Message[]::new));
      }
    }
  }
}
