package dev.raftboot.spring.metrics;

import dev.raftboot.StateType;
import dev.raftboot.spring.api.RaftMembershipChangedEvent;
import dev.raftboot.spring.runtime.RaftServerMetrics;
import dev.raftboot.spring.transport.PeerTraffic;
import dev.raftboot.spring.transport.TransportMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationListener;

/**
 * Binds the meters of a raft node, all named {@code raft.*} and tagged with {@code node} (the
 * node's id):
 *
 * <ul>
 *   <li>gauges {@code raft.term}, {@code raft.commit.index}, {@code raft.applied.index}, {@code
 *       raft.apply.lag} (commit minus applied), {@code raft.has.leader} and {@code
 *       raft.is.leader} (0 or 1);
 *   <li>counters {@code raft.leader.changes}, {@code raft.proposals.committed}, {@code
 *       raft.proposals.failed}, {@code raft.snapshots.taken}, {@code raft.snapshots.sent}, {@code
 *       raft.snapshots.failed} and {@code raft.snapshots.received};
 *   <li>timer {@code raft.persist}: each storage save of a Ready;
 *   <li>when the transport implements {@link TransportMetrics}, counters per peer (tag {@code
 *       peer}): {@code raft.messages.sent}, {@code raft.messages.dropped}, {@code
 *       raft.messages.sent.bytes} and {@code raft.messages.dropped.bytes}.
 * </ul>
 *
 * Peer meters are registered for the peers known when binding and, as members join, on each
 * {@link RaftMembershipChangedEvent}; they stay after a peer leaves so that counters never vanish
 * mid-series.
 */
public class RaftMetrics implements MeterBinder, ApplicationListener<RaftMembershipChangedEvent> {

  private final RaftServerMetrics node;
  private final @Nullable TransportMetrics transport;
  private final Tags tags;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final Map<MeterRegistry, Set<Long>> boundPeers = new ConcurrentHashMap<>();

  /**
   * @param node the node's counters ({@code RaftServer.metrics()})
   * @param transport the transport's per-peer counters, or null if it keeps none
   */
  public RaftMetrics(RaftServerMetrics node, @Nullable TransportMetrics transport) {
    this.node = node;
    this.transport = transport;
    this.tags = Tags.of("node", Long.toString(node.nodeId()));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "raft.term", "Current Raft term", RaftServerMetrics::term);
    gauge(registry, "raft.commit.index", "Highest log index known to be committed", RaftServerMetrics::commitIndex);
    gauge(registry, "raft.applied.index", "Highest log index applied on this node", RaftServerMetrics::appliedIndex);
    gauge(
        registry,
        "raft.apply.lag",
        "Committed entries not yet applied on this node",
        m -> Math.max(0, m.commitIndex() - m.appliedIndex()));
    gauge(registry, "raft.has.leader", "Whether this node knows a leader (1) or not (0)", m -> m.leaderId() != 0 ? 1 : 0);
    gauge(
        registry,
        "raft.is.leader",
        "Whether this node is the leader (1) or not (0)",
        m -> m.role() == StateType.LEADER ? 1 : 0);

    counter(registry, "raft.leader.changes", "Times the known leader changed", RaftServerMetrics::leaderChanges);
    counter(
        registry,
        "raft.proposals.committed",
        "Commands submitted on this node and applied",
        RaftServerMetrics::proposalsCommitted);
    counter(
        registry,
        "raft.proposals.failed",
        "Commands submitted on this node that failed (no leader or timeout)",
        RaftServerMetrics::proposalsFailed);
    counter(registry, "raft.snapshots.taken", "Snapshots taken of the local state", RaftServerMetrics::snapshotsTaken);
    counter(registry, "raft.snapshots.sent", "Snapshots sent to lagging followers", RaftServerMetrics::snapshotsSent);
    counter(
        registry, "raft.snapshots.failed", "Snapshots the transport failed to deliver", RaftServerMetrics::snapshotsFailed);
    counter(
        registry,
        "raft.snapshots.received",
        "Snapshots received from a leader and installed",
        RaftServerMetrics::snapshotsReceived);

    Timer persist =
        Timer.builder("raft.persist")
            .description("Time to save a Ready (hard state, entries, snapshot) to storage")
            .tags(tags)
            .register(registry);
    node.addPersistListener(nanos -> persist.record(nanos, TimeUnit.NANOSECONDS));

    registries.add(registry);
    bindPeers(registry);
  }

  /** Registers meters for peers added since binding. */
  @Override
  public void onApplicationEvent(RaftMembershipChangedEvent event) {
    for (MeterRegistry registry : registries) {
      bindPeers(registry);
    }
  }

  private void bindPeers(MeterRegistry registry) {
    TransportMetrics t = transport;
    if (t == null) {
      return;
    }
    Set<Long> peers = new TreeSet<>(node.peerIds());
    peers.addAll(t.traffic().keySet());
    // Membership events repeat known peers; registering a meter twice makes Micrometer warn.
    Set<Long> bound = boundPeers.computeIfAbsent(registry, r -> ConcurrentHashMap.newKeySet());
    for (long peer : peers) {
      if (!bound.add(peer)) {
        continue;
      }
      Tags peerTags = tags.and(Tag.of("peer", Long.toString(peer)));
      peerCounter(registry, t, peer, peerTags, "raft.messages.sent", "Messages the peer accepted", null, PeerTraffic::messagesSent);
      peerCounter(
          registry, t, peer, peerTags, "raft.messages.dropped", "Messages to the peer that were dropped", null,
          PeerTraffic::messagesDropped);
      peerCounter(
          registry, t, peer, peerTags, "raft.messages.sent.bytes", "Bytes of the messages the peer accepted",
          BaseUnits.BYTES, PeerTraffic::bytesSent);
      peerCounter(
          registry, t, peer, peerTags, "raft.messages.dropped.bytes", "Bytes of the messages that were dropped",
          BaseUnits.BYTES, PeerTraffic::bytesDropped);
    }
  }

  private void gauge(
      MeterRegistry registry, String name, String description, ToLongFunction<RaftServerMetrics> value) {
    Gauge.builder(name, node, m -> value.applyAsLong(m)).description(description).tags(tags).register(registry);
  }

  private void counter(
      MeterRegistry registry, String name, String description, ToLongFunction<RaftServerMetrics> value) {
    FunctionCounter.builder(name, node, m -> value.applyAsLong(m))
        .description(description)
        .tags(tags)
        .register(registry);
  }

  private static void peerCounter(
      MeterRegistry registry,
      TransportMetrics transport,
      long peer,
      Tags peerTags,
      String name,
      String description,
      @Nullable String baseUnit,
      ToLongFunction<PeerTraffic> value) {
    FunctionCounter.builder(
            name,
            transport,
            t -> {
              PeerTraffic traffic = t.traffic().get(peer);
              return traffic == null ? 0 : value.applyAsLong(traffic);
            })
        .description(description)
        .baseUnit(baseUnit)
        .tags(peerTags)
        .register(registry);
  }
}
