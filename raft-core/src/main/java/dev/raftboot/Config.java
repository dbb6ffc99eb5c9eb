package dev.raftboot;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The parameters of one Raft node, with etcd raft's fields, defaults and validation.
 *
 * <p>A mutable builder-style object: set what you need and hand it to {@link RawNode} or {@link
 * Node}, which validate it and copy what they use. Sizes are unsigned 64-bit values held in a
 * {@code long}; {@link RaftUtil#NO_LIMIT} ({@code -1L}) means unlimited. Each setter returns this
 * config. Not thread-safe: do not change an instance while a node is being built from it.
 *
 * <p>Required: {@link #id(long)}, {@link #electionTick(int)}, {@link #heartbeatTick(int)}, {@link
 * #storage(Storage)} and {@link #maxInflightMsgs(int)}; everything else has a default.
 */
public final class Config {

  private long id;
  private int electionTick;
  private int heartbeatTick;
  private Storage storage;
  private long applied;
  private boolean asyncStorageWrites;
  private long maxSizePerMsg;
  private long maxCommittedSizePerReady;
  private long maxUncommittedEntriesSize;
  private int maxInflightMsgs;
  private long maxInflightBytes;
  private boolean checkQuorum;
  private boolean preVote;
  private ReadOnlyOption readOnlyOption = ReadOnlyOption.SAFE;
  private Logger logger;
  private boolean disableProposalForwarding;
  private boolean disableConfChangeValidation;
  private boolean stepDownOnRemoval;
  private RandomGenerator random;

  /**
   * A copy, so that a caller may keep changing its own instance. Shallow: the copy shares the
   * storage, logger and random source.
   */
  public Config copy() {
    Config c = new Config();
    c.id = id;
    c.electionTick = electionTick;
    c.heartbeatTick = heartbeatTick;
    c.storage = storage;
    c.applied = applied;
    c.asyncStorageWrites = asyncStorageWrites;
    c.maxSizePerMsg = maxSizePerMsg;
    c.maxCommittedSizePerReady = maxCommittedSizePerReady;
    c.maxUncommittedEntriesSize = maxUncommittedEntriesSize;
    c.maxInflightMsgs = maxInflightMsgs;
    c.maxInflightBytes = maxInflightBytes;
    c.checkQuorum = checkQuorum;
    c.preVote = preVote;
    c.readOnlyOption = readOnlyOption;
    c.logger = logger;
    c.disableProposalForwarding = disableProposalForwarding;
    c.disableConfChangeValidation = disableConfChangeValidation;
    c.stepDownOnRemoval = stepDownOnRemoval;
    c.random = random;
    return c;
  }

  /**
   * Checks the configuration and fills in defaults (0 limits become their documented meaning, a
   * missing logger the default one, a missing random source an unseeded one). Changes this
   * instance; calling it again changes nothing more.
   *
   * @throws IllegalArgumentException with etcd raft's message when a value is invalid
   */
  public void validate() {
    if (id == RaftUtil.NONE) {
      throw new IllegalArgumentException("cannot use none as id");
    }
    if (RaftUtil.isLocalTarget(id)) {
      throw new IllegalArgumentException("cannot use local target as id");
    }
    if (heartbeatTick <= 0) {
      throw new IllegalArgumentException("heartbeat tick must be greater than 0");
    }
    if (electionTick <= heartbeatTick) {
      throw new IllegalArgumentException("election tick must be greater than heartbeat tick");
    }
    if (storage == null) {
      throw new IllegalArgumentException("storage cannot be nil");
    }
    if (maxUncommittedEntriesSize == 0) {
      maxUncommittedEntriesSize = RaftUtil.NO_LIMIT;
    }
    // The apply quota used to be MaxSizePerMsg, so that is its default.
    if (maxCommittedSizePerReady == 0) {
      maxCommittedSizePerReady = maxSizePerMsg;
    }
    if (maxCommittedSizePerReady == 0) {
      // With MaxSizePerMsg also left at 0 the quota would be zero and no entry could ever be
      // applied (etcd panics there); an unset quota means no limit instead.
      maxCommittedSizePerReady = RaftUtil.NO_LIMIT;
    }
    if (maxInflightMsgs <= 0) {
      throw new IllegalArgumentException("max inflight messages must be greater than 0");
    }
    if (maxInflightBytes == 0) {
      maxInflightBytes = RaftUtil.NO_LIMIT;
    } else if (Long.compareUnsigned(maxInflightBytes, maxSizePerMsg) < 0) {
      throw new IllegalArgumentException("max inflight bytes must be >= max message size");
    }
    if (logger == null) {
      logger = Logger.defaultLogger();
    }
    if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
      throw new IllegalArgumentException(
          "CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased");
    }
    if (random == null) {
      random = new SplittableRandom();
    }
  }

  /** The node's ID: non-zero and not a local thread target. */
  public long id() {
    return id;
  }

  /** Sets {@link #id()}. */
  public Config id(long id) {
    this.id = id;
    return this;
  }

  /**
   * Ticks a follower waits without hearing from a leader before it campaigns; the actual timeout is
   * drawn from {@code [electionTick, 2*electionTick-1]}. Also the leader's CheckQuorum period and
   * lease. Must exceed {@link #heartbeatTick()}; ten times it is a good choice.
   */
  public int electionTick() {
    return electionTick;
  }

  /** Sets {@link #electionTick()}. */
  public Config electionTick(int electionTick) {
    this.electionTick = electionTick;
    return this;
  }

  /** Ticks between leader heartbeats. */
  public int heartbeatTick() {
    return heartbeatTick;
  }

  /** Sets {@link #heartbeatTick()}. */
  public Config heartbeatTick(int heartbeatTick) {
    this.heartbeatTick = heartbeatTick;
    return this;
  }

  /** Where the node reads its stable log and state from. */
  public Storage storage() {
    return storage;
  }

  /** Sets {@link #storage()}. */
  public Config storage(Storage storage) {
    this.storage = storage;
    return this;
  }

  /** The last applied index, on restart; entries at or below it are not returned again. */
  public long applied() {
    return applied;
  }

  /** Sets {@link #applied()}. */
  public Config applied(long applied) {
    this.applied = applied;
    return this;
  }

  /**
   * Deliver persistence and apply work as {@code MsgStorageAppend} / {@code MsgStorageApply}
   * messages to local threads instead of through {@code advance()}.
   */
  public boolean asyncStorageWrites() {
    return asyncStorageWrites;
  }

  /** Sets {@link #asyncStorageWrites()}. */
  public Config asyncStorageWrites(boolean asyncStorageWrites) {
    this.asyncStorageWrites = asyncStorageWrites;
    return this;
  }

  /** Byte limit of the entries in one append message; 0 means one entry per message. */
  public long maxSizePerMsg() {
    return maxSizePerMsg;
  }

  /** Sets {@link #maxSizePerMsg()}. */
  public Config maxSizePerMsg(long maxSizePerMsg) {
    this.maxSizePerMsg = maxSizePerMsg;
    return this;
  }

  /**
   * Byte limit of committed entries being applied at once; 0 means {@link #maxSizePerMsg()}, or
   * no limit if that is 0 too.
   */
  public long maxCommittedSizePerReady() {
    return maxCommittedSizePerReady;
  }

  /** Sets {@link #maxCommittedSizePerReady()}. */
  public Config maxCommittedSizePerReady(long maxCommittedSizePerReady) {
    this.maxCommittedSizePerReady = maxCommittedSizePerReady;
    return this;
  }

  /**
   * Byte limit of the payloads in the leader's uncommitted tail; beyond it proposals are dropped.
   * 0 means unlimited.
   */
  public long maxUncommittedEntriesSize() {
    return maxUncommittedEntriesSize;
  }

  /** Sets {@link #maxUncommittedEntriesSize()}. */
  public Config maxUncommittedEntriesSize(long maxUncommittedEntriesSize) {
    this.maxUncommittedEntriesSize = maxUncommittedEntriesSize;
    return this;
  }

  /** Maximum append messages in flight to one follower while replicating. Must be positive. */
  public int maxInflightMsgs() {
    return maxInflightMsgs;
  }

  /** Sets {@link #maxInflightMsgs()}. */
  public Config maxInflightMsgs(int maxInflightMsgs) {
    this.maxInflightMsgs = maxInflightMsgs;
    return this;
  }

  /** Maximum payload bytes in flight to one follower; 0 means unlimited. */
  public long maxInflightBytes() {
    return maxInflightBytes;
  }

  /** Sets {@link #maxInflightBytes()}. */
  public Config maxInflightBytes(long maxInflightBytes) {
    this.maxInflightBytes = maxInflightBytes;
    return this;
  }

  /** A leader steps down when a quorum was not active for an election timeout. */
  public boolean checkQuorum() {
    return checkQuorum;
  }

  /** Sets {@link #checkQuorum()}. */
  public Config checkQuorum(boolean checkQuorum) {
    this.checkQuorum = checkQuorum;
    return this;
  }

  /** Run a pre-vote round before campaigning (thesis 9.6). */
  public boolean preVote() {
    return preVote;
  }

  /** Sets {@link #preVote()}. */
  public Config preVote(boolean preVote) {
    this.preVote = preVote;
    return this;
  }

  /**
   * How ReadIndex requests are confirmed: {@link ReadOnlyOption#SAFE} (the default) by a quorum
   * heartbeat round, {@link ReadOnlyOption#LEASE_BASED} by the leader lease, which requires
   * {@link #checkQuorum()}.
   */
  public ReadOnlyOption readOnlyOption() {
    return readOnlyOption;
  }

  /** Sets {@link #readOnlyOption()}. */
  public Config readOnlyOption(ReadOnlyOption readOnlyOption) {
    this.readOnlyOption = readOnlyOption;
    return this;
  }

  /** Where the node logs; {@link Logger#defaultLogger()} if none is set. */
  public Logger logger() {
    return logger;
  }

  /** Sets {@link #logger()}. */
  public Config logger(Logger logger) {
    this.logger = logger;
    return this;
  }

  /** Followers drop proposals instead of forwarding them to the leader. */
  public boolean disableProposalForwarding() {
    return disableProposalForwarding;
  }

  /** Sets {@link #disableProposalForwarding()}. */
  public Config disableProposalForwarding(boolean disableProposalForwarding) {
    this.disableProposalForwarding = disableProposalForwarding;
    return this;
  }

  /** Skip the propose-time checks of conf changes (pending change, joint-state rules). */
  public boolean disableConfChangeValidation() {
    return disableConfChangeValidation;
  }

  /** Sets {@link #disableConfChangeValidation()}. */
  public Config disableConfChangeValidation(boolean disableConfChangeValidation) {
    this.disableConfChangeValidation = disableConfChangeValidation;
    return this;
  }

  /** A leader that is removed or demoted by an applied conf change becomes a follower. */
  public boolean stepDownOnRemoval() {
    return stepDownOnRemoval;
  }

  /** Sets {@link #stepDownOnRemoval()}. */
  public Config stepDownOnRemoval(boolean stepDownOnRemoval) {
    this.stepDownOnRemoval = stepDownOnRemoval;
    return this;
  }

  /** The only source of randomness (election timeouts); seed it to replay a run exactly. */
  public RandomGenerator random() {
    return random;
  }

  /** Sets {@link #random()}. */
  public Config random(RandomGenerator random) {
    this.random = random;
    return this;
  }
}
