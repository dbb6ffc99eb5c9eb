package dev.raftboot.spring.autoconfigure;

import dev.raftboot.Config;
import dev.raftboot.RawNode;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageAutoConfiguration;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageProperties;
import dev.raftboot.spring.runtime.CompositeStateSnapshotter;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.runtime.RaftServerSettings;
import dev.raftboot.spring.runtime.StorageFailurePolicy;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.storage.RaftStorage;
import dev.raftboot.spring.transport.RaftTransport;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration of the raft node: a {@link RaftServer} built from {@code raft.*} properties,
 * the {@link RaftStorage} and the {@link RaftTransport} beans, and the application's {@link
 * CommandApplier} and any number of {@link StateSnapshotter} beans, combined by a {@link
 * CompositeStateSnapshotter}. Backs off when the application defines its own {@link RaftServer}.
 *
 * <p>The raft {@link Config} built from the properties is passed to every {@link
 * RaftConfigCustomizer} bean, in {@code @Order}, before the node starts.
 */
@AutoConfiguration(after = RaftStorageAutoConfiguration.class)
@ConditionalOnClass(RawNode.class)
@ConditionalOnBooleanProperty(name = "raft.enabled", matchIfMissing = true)
@EnableConfigurationProperties({
  RaftProperties.class,
  RaftSnapshotProperties.class,
  RaftStorageProperties.class
})
public final class RaftAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  RaftServer raftServer(
      RaftProperties properties,
      RaftSnapshotProperties snapshot,
      RaftStorageProperties storageProperties,
      ObjectProvider<RaftConfigCustomizer> customizers,
      RaftStorage storage,
      RaftTransport transport,
      ObjectProvider<CommandApplier> applier,
      ListableBeanFactory beans,
      ApplicationEventPublisher events,
      ConfigurableApplicationContext context) {
    return new RaftServer(
        settings(properties, snapshot, customizers.orderedStream().toList()),
        storage,
        transport,
        applier.getIfAvailable(() -> RaftAutoConfiguration::noApplier),
        snapshotter(beans.getBeansOfType(StateSnapshotter.class)),
        events,
        onStorageFailure(storageProperties, context, System::exit));
  }

  static StorageFailurePolicy onStorageFailure(
      RaftStorageProperties storage, ConfigurableApplicationContext context, IntConsumer exitJvm) {
    return switch (storage.getOnFailure()) {
      case STOP_APPLICATION ->
          new StorageFailurePolicy.StopApplication(new StopApplicationOnStorageFailure(context, exitJvm));
      case RESTART_NODE -> new StorageFailurePolicy.RestartNode(storage.getRecoveryProbeInterval());
      case STAY_DOWN -> new StorageFailurePolicy.StayDown();
    };
  }

  /** All snapshotter beans as one, each under its part name; none means no snapshots. */
  private static @Nullable StateSnapshotter snapshotter(Map<String, StateSnapshotter> beans) {
    return beans.isEmpty() ? null : new CompositeStateSnapshotter(beans);
  }

  private static Object noApplier(com.google.protobuf.ByteString command) {
    throw new IllegalStateException(
        "no CommandApplier bean: annotate methods with @ReplicatedCommand or define a CommandApplier");
  }

  /** The server's settings; {@code customizers} see the raft {@link Config} last, in order. */
  static RaftServerSettings settings(
      RaftProperties p, RaftSnapshotProperties snapshot, List<RaftConfigCustomizer> customizers) {
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
    customizers.forEach(customizer -> customizer.customize(raft));
    return new RaftServerSettings(
        p.getNodeId(),
        p.getClusterId(),
        p.getPeers(),
        p.isJoin(),
        p.getTickInterval(),
        raft,
        p.getCommandTimeout(),
        snapshot.getEntries(),
        snapshot.getKeepEntries(),
        p.getIdempotencyKeys());
  }

  private static long bytes(DataSize size) {
    return size == null ? 0 : size.toBytes();
  }
}
