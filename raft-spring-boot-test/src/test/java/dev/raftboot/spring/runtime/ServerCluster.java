package dev.raftboot.spring.runtime;

import com.zaxxer.hikari.HikariDataSource;
import dev.raftboot.Config;
import dev.raftboot.StateType;
import dev.raftboot.spring.storage.JdbcStorage;
import dev.raftboot.spring.storage.JdbcStorageSchema;
import dev.raftboot.spring.testkit.Waits;
import dev.raftboot.spring.testkit.cluster.Firewall;
import dev.raftboot.spring.testkit.cluster.InMemoryNetwork;
import dev.raftboot.spring.transport.RaftTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * {@link RaftServer}s built by hand (no Spring context) on the kit's {@link InMemoryNetwork}, each
 * with a {@link KvState} and an H2 file database under {@code dir/n<id>} that survives a halt, for
 * the tests of the runtime's package-private parts. Driven from the test thread.
 */
final class ServerCluster implements AutoCloseable {

  /** A running server and its state. */
  record Member(RaftServer server, KvState state) {}

  private final Path dir;
  private final Map<Long, URI> peers;
  private final long snapshotEntries;
  private final long snapshotKeepEntries;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Map<Long, Member> members = new ConcurrentSkipListMap<>();
  private final Map<Long, HikariDataSource> dataSources = new TreeMap<>();
  private UnaryOperator<RaftTransport> transports = UnaryOperator.identity();
  private BiFunction<Long, RaftServerSettings, RaftServerSettings> adjustSettings = (id, s) -> s;

  /** Nodes 1 to {@code size}; snapshots every {@code snapshotEntries} entries (0: never). */
  ServerCluster(Path dir, int size, long snapshotEntries, long snapshotKeepEntries) {
    this.dir = dir;
    this.peers = peers(size);
    this.snapshotEntries = snapshotEntries;
    this.snapshotKeepEntries = snapshotKeepEntries;
  }

  /** Wraps every node's network transport, e.g. to record what it sends. */
  ServerCluster transports(UnaryOperator<RaftTransport> wrapper) {
    this.transports = wrapper;
    return this;
  }

  /** Changes the settings of each node, by id, e.g. to give one node a tick of its own. */
  ServerCluster adjustSettings(BiFunction<Long, RaftServerSettings, RaftServerSettings> adjuster) {
    this.adjustSettings = adjuster;
    return this;
  }

  /** The members of a cluster of {@code size} nodes; the addresses are never used. */
  static Map<Long, URI> peers(int size) {
    Map<Long, URI> peers = new TreeMap<>();
    for (long p = 1; p <= size; p++) {
      peers.put(p, URI.create("http://raft-test-node-" + p + ".invalid"));
    }
    return peers;
  }

  /** The Raft parameters of these tests: ticks of {@code tickInterval}, elections after ten. */
  static RaftServerSettings settings(
      long id,
      Map<Long, URI> peers,
      Duration tickInterval,
      Duration commandTimeout,
      long snapshotEntries,
      long snapshotKeepEntries) {
    return new RaftServerSettings(
        id,
        "test",
        peers,
        false,
        tickInterval,
        new Config()
            .electionTick(10)
            .heartbeatTick(1)
            .preVote(true)
            .checkQuorum(true)
            .maxSizePerMsg(1 << 20)
            .maxInflightMsgs(256),
        commandTimeout,
        snapshotEntries,
        snapshotKeepEntries);
  }

  /** An H2 file database with the raft schema, at {@code path}. */
  static HikariDataSource h2File(Path path) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl("jdbc:h2:file:" + path.toAbsolutePath());
    JdbcStorageSchema.create(ds);
    return ds;
  }

  InMemoryNetwork network() {
    return network;
  }

  Firewall firewall() {
    return network.firewall();
  }

  /** The running members by id. */
  Map<Long, Member> members() {
    return members;
  }

  Member member(long id) {
    return members.get(id);
  }

  RaftServer server(long id) {
    return members.get(id).server();
  }

  /** The settings node {@code id} of this cluster runs with. */
  RaftServerSettings settings(long id) {
    return adjustSettings.apply(
        id,
        settings(id, peers, Duration.ofMillis(10), Duration.ofSeconds(5), snapshotEntries, snapshotKeepEntries));
  }

  /** Starts every node. */
  ServerCluster startAll() {
    peers.keySet().forEach(this::start);
    return this;
  }

  /** Starts node {@code id} (again) on its database, with a fresh state. */
  Member start(long id) {
    HikariDataSource ds = dataSources.computeIfAbsent(id, k -> h2File(dir.resolve("n" + k).resolve("raft")));
    KvState state = new KvState();
    RaftServer server =
        new RaftServer(
            settings(id), JdbcStorage.create(ds, id), transports.apply(network.transportFor(id)), state, state, null);
    network.attach(server);
    server.start();
    Member m = new Member(server, state);
    members.put(id, m);
    return m;
  }

  /** Stops node {@code id} abruptly; its database stays for {@link #start}. */
  void halt(long id) {
    Member m = members.remove(id);
    network.detach(id);
    m.server().halt();
  }

  /** Waits for exactly one running node that believes it leads, and returns its id. */
  long awaitLeader() {
    long[] found = new long[1];
    Waits.until(
        Duration.ofSeconds(30),
        () -> {
          List<Long> leaders =
              members.entrySet().stream()
                  .filter(e -> e.getValue().server().status().role() == StateType.LEADER)
                  .map(Map.Entry::getKey)
                  .toList();
          found[0] = leaders.size() == 1 ? leaders.get(0) : 0;
          return found[0] != 0;
        },
        () -> "no single leader among " + members.keySet());
    return found[0];
  }

  @Override
  public void close() {
    members.values().forEach(m -> m.server().halt());
    members.clear();
    network.close();
    dataSources.values().forEach(HikariDataSource::close);
  }
}
