package dev.raftboot.spring.autoconfigure;

import dev.raftboot.Config;
import dev.raftboot.RawNode;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.runtime.CompositeStateSnapshotter;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.runtime.RaftServerSettings;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.transport.RaftTransport;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration of the raft node: a {@link RaftServer} built from {@code raft.*} properties,
 * the {@link RaftStorage} and the {@link RaftTransport} beans, and the application's {@link
 * CommandApplier} and any number of {@link StateSnapshotter} beans, combined by a {@link
 * CompositeStateSnapshotter}. Backs off when the application defines its own {@link RaftServer}.
 */
@AutoConfiguration(after = RaftStorageAutoConfiguration.class)
@ConditionalOnClass(RawNode.class)
@ConditionalOnBooleanProperty(name = "raft.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RaftProperties.class)
public final class RaftAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  RaftServer raftServer(
      RaftProperties properties,
      RaftStorage storage,
      RaftTransport transport,
      ObjectProvider<CommandApplier> applier,
      ListableBeanFactory beans,
      ApplicationEventPublisher events) {
    return new RaftServer(
        settings(properties),
        storage,
        transport,
        applier.getIfAvailable(() -> RaftAutoConfiguration::noApplier),
        snapshotter(beans.getBeansOfType(StateSnapshotter.class)),
        events);
  }

  /** All snapshotter beans as one, each under its part name; none means no snapshots. */
  private static @Nullable StateSnapshotter snapshotter(Map<String, StateSnapshotter> beans) {
    return beans.isEmpty() ? null : new CompositeStateSnapshotter(beans);
  }

  private static Object noApplier(com.google.protobuf.ByteString command) {
    throw new IllegalStateException(
        "no CommandApplier bean: annotate methods with @ReplicatedCommand or define a CommandApplier");
  }

  static RaftServerSettings settings(RaftProperties p) {
    Config raft =
        new Config()
            .electionTick(p.getElectionTick())
            .heartbeatTick(p.getHeartbeatTick())
            .preVote(p.isPreVote())
            .checkQuorum(p.isCheckQuorum())
            .readOnlyOption(p.getReadOnly())
            .maxSizePerMsg(p.getMaxSizePerMsg().toBytes())
            .maxInflightMsgs(p.getMaxInflightMsgs())
            .maxInflightBytes(bytes(p.getMaxInflightBytes()))
            .maxUncommittedEntriesSize(bytes(p.getMaxUncommittedSize()))
            .maxCommittedSizePerReady(bytes(p.getMaxCommittedSizePerReady()));
    return new RaftServerSettings(
        p.getNodeId(),
        p.getClusterId(),
        p.getPeers(),
        p.isJoin(),
        p.getTickInterval(),
        raft,
        p.getCommandTimeout(),
        p.getSnapshot().getEntries(),
        p.getSnapshot().getKeepEntries(),
        p.getIdempotencyKeys());
  }

  private static long bytes(DataSize size) {
    return size == null ? 0 : size.toBytes();
  }
}
