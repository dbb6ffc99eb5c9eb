package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.ReadOnlyOption;
import dev.raftboot.spring.autoconfigure.storage.RaftStorageProperties;
import dev.raftboot.spring.autoconfigure.transport.RaftTransportProperties;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.unit.DataSize;

/** Binding of {@code raft.*} and the startup checks with their messages. */
class RaftPropertiesTests {

  private final ApplicationContextRunner contextRunner =
      new ApplicationContextRunner()
          .withUserConfiguration(PropertiesConfiguration.class)
          .withPropertyValues(
              "raft.node-id=1",
              "raft.peers.1=http://10.0.0.1:8080",
              "raft.peers.2=http://10.0.0.2:8080",
              "raft.peers.3=http://10.0.0.3:8080");

  @Test
  void defaults() {
    RaftProperties p = new RaftProperties();
    RaftStorageProperties storage = new RaftStorageProperties();
    RaftSnapshotProperties snapshot = new RaftSnapshotProperties();
    RaftTransportProperties transport = new RaftTransportProperties();
    assertThat(p.isEnabled()).isTrue();
    assertThat(p.getClusterId()).isEqualTo("raft");
    assertThat(p.isJoin()).isFalse();
    assertThat(p.getTickInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(p.getElectionTick()).isEqualTo(10);
    assertThat(p.getHeartbeatTick()).isEqualTo(1);
    assertThat(p.isPreVote()).isTrue();
    assertThat(p.isCheckQuorum()).isTrue();
    assertThat(p.getReadOnly()).isEqualTo(ReadOnlyOption.SAFE);
    assertThat(p.getMaxSizePerMsg()).isEqualTo(DataSize.ofBytes(1024 * 1024));
    assertThat(p.getMaxInflightMsgs()).isEqualTo(256);
    assertThat(p.getMaxInflightBytes()).isNull();
    assertThat(p.getMaxUncommittedSize()).isNull();
    assertThat(p.getMaxCommittedSizePerReady()).isNull();
    assertThat(p.getCommandTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.getCommandFormatVersion()).isEqualTo(2);
    assertThat(storage.getDataDir()).isNull();
    assertThat(storage.getUseApplicationDatasource()).isNull();
    assertThat(storage.isAllowInMemory()).isFalse();
    assertThat(storage.getTailCacheEntries()).isEqualTo(1024);
    assertThat(storage.getJdbc().getInitializeSchema())
        .isEqualTo(DatabaseInitializationMode.ALWAYS);
    assertThat(storage.getJdbc().isRequireSync()).isTrue();
    assertThat(snapshot.getEntries()).isEqualTo(10_000);
    assertThat(snapshot.getKeepEntries()).isEqualTo(5_000);
    assertThat(transport.getPathPrefix()).isEqualTo("/raft");
    assertThat(transport.getToken()).isNull();
  }

  @Test
  void bindsEveryGroup() {
    contextRunner
        .withPropertyValues(
            "raft.cluster-id=orders",
            "raft.tick-interval=50ms",
            "raft.election-tick=20",
            "raft.heartbeat-tick=2",
            "raft.pre-vote=false",
            "raft.check-quorum=true",
            "raft.read-only=lease-based",
            "raft.max-size-per-msg=2MB",
            "raft.max-inflight-msgs=64",
            "raft.max-inflight-bytes=32MB",
            "raft.max-uncommitted-size=1GB",
            "raft.max-committed-size-per-ready=4MB",
            "raft.command-timeout=10s",
            "raft.command-format-version=1",
            "raft.storage.data-dir=/var/lib/raft",
            "raft.storage.use-application-datasource=false",
            "raft.storage.tail-cache-entries=99",
            "raft.storage.jdbc.initialize-schema=never",
            "raft.snapshot.entries=500",
            "raft.snapshot.keep-entries=100",
            "raft.transport.path-prefix=/cluster/raft",
            "raft.transport.connect-timeout=2s",
            "raft.transport.request-timeout=9s",
            "raft.transport.queue-size=10",
            "raft.transport.max-message-size=16MB",
            "raft.transport.token=s3cret-of-sixteen-chars")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              RaftProperties p = context.getBean(RaftProperties.class);
              RaftStorageProperties storage = context.getBean(RaftStorageProperties.class);
              RaftSnapshotProperties snapshot = context.getBean(RaftSnapshotProperties.class);
              RaftTransportProperties transport = context.getBean(RaftTransportProperties.class);
              assertThat(p.getNodeId()).isEqualTo(1);
              assertThat(p.getPeers())
                  .containsEntry(2L, URI.create("http://10.0.0.2:8080"))
                  .hasSize(3);
              assertThat(p.getClusterId()).isEqualTo("orders");
              assertThat(p.getTickInterval()).isEqualTo(Duration.ofMillis(50));
              assertThat(p.getReadOnly()).isEqualTo(ReadOnlyOption.LEASE_BASED);
              assertThat(p.getCommandFormatVersion()).isEqualTo(1);
              assertThat(p.getMaxUncommittedSize()).isEqualTo(DataSize.ofGigabytes(1));
              assertThat(storage.getDataDir()).isEqualTo(Path.of("/var/lib/raft"));
              assertThat(storage.getUseApplicationDatasource()).isFalse();
              assertThat(storage.getTailCacheEntries()).isEqualTo(99);
              assertThat(storage.getJdbc().getInitializeSchema())
                  .isEqualTo(DatabaseInitializationMode.NEVER);
              assertThat(snapshot.getKeepEntries()).isEqualTo(100);
              assertThat(transport.getMaxMessageSize()).isEqualTo(DataSize.ofMegabytes(16));
              assertThat(transport.getToken()).isEqualTo("s3cret-of-sixteen-chars");
            });
  }

  @Test
  void joiningNodeNeedsNoPeerEntryOfItsOwn() {
    new ApplicationContextRunner()
        .withUserConfiguration(PropertiesConfiguration.class)
        .withPropertyValues("raft.node-id=4", "raft.join=true", "raft.peers.1=http://10.0.0.1:8080")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void disabledRaftIsNotChecked() {
    new ApplicationContextRunner()
        .withUserConfiguration(PropertiesConfiguration.class)
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void reportsEveryMistakeAtOnce() {
    contextRunner
        .withPropertyValues("raft.node-id=0", "raft.election-tick=1", "raft.tick-interval=0")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("raft.node-id must be set")
                    .hasMessageContaining("raft.election-tick (1) must be greater")
                    .hasMessageContaining("raft.tick-interval must be a positive duration"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
raft.node-id=0                                     | raft.node-id must be set to this node's ID, a positive number
raft.node-id=-3                                    | raft.node-id must be set to this node's ID, a positive number
raft.cluster-id=                                   | raft.cluster-id must not be empty
raft.node-id=9                                     | raft.peers must list this node (raft.peers.9=<this node's base URL>)
raft.peers.4=http://10.0.0.1:8080/                 | raft.peers.1 and raft.peers.4 have the same address http://10.0.0.1:8080/
raft.peers.4=HTTP://10.0.0.1:8080                  | have the same address
raft.peers.4=ftp://10.0.0.4                        | raft.peers.4=ftp://10.0.0.4 is not an http or https URL with a host
raft.peers.0=http://10.0.0.9:8080                  | raft.peers.0: peer IDs must be positive numbers
raft.election-tick=1                               | raft.election-tick (1) must be greater than raft.heartbeat-tick (1)
raft.heartbeat-tick=0                              | raft.heartbeat-tick must be at least 1
raft.tick-interval=0                               | raft.tick-interval must be a positive duration, such as 100ms
raft.tick-interval=-5ms                            | raft.tick-interval must be a positive duration
raft.command-timeout=0s                            | raft.command-timeout must be a positive duration
raft.command-format-version=3                      | raft.command-format-version must be 1 or 2
raft.command-format-version=0                      | raft.command-format-version must be 1 or 2
raft.transport.connect-timeout=0                   | raft.transport.connect-timeout must be a positive duration
raft.transport.request-timeout=-1s                 | raft.transport.request-timeout must be a positive duration
raft.max-size-per-msg=0                            | raft.max-size-per-msg must be a positive size
raft.max-inflight-bytes=-1MB                       | raft.max-inflight-bytes must be a positive size
raft.max-inflight-bytes=1KB                        | raft.max-inflight-bytes (1024B) must be at least raft.max-size-per-msg
raft.max-uncommitted-size=0                        | raft.max-uncommitted-size must be a positive size
raft.max-committed-size-per-ready=0                | raft.max-committed-size-per-ready must be a positive size
raft.max-inflight-msgs=0                           | raft.max-inflight-msgs must be at least 1
raft.transport.max-message-size=0                  | raft.transport.max-message-size must be a positive size
raft.transport.queue-size=0                        | raft.transport.queue-size must be at least 1
raft.transport.path-prefix=raft                    | raft.transport.path-prefix must start with '/'
raft.snapshot.entries=0                            | raft.snapshot.entries must be at least 1
raft.snapshot.keep-entries=-1                      | raft.snapshot.keep-entries must not be negative
raft.storage.tail-cache-entries=-1                 | raft.storage.tail-cache-entries must not be negative
raft.storage.jdbc.url=jdbc:h2:mem:raft             | raft.storage.jdbc.url=jdbc:h2:mem:raft is an in-memory database
raft.storage.jdbc.url=jdbc:h2:tcp://db/mem:raft    | is an in-memory database
raft.storage.jdbc.url=jdbc:hsqldb:mem:raft         | is an in-memory database
raft.storage.jdbc.url=jdbc:derby:memory:raft       | is an in-memory database
raft.node-id=-1                                    | raft.node-id must be set to this node's ID, a positive number
raft.peers.4=localhost:8080                        | raft.peers.4=localhost:8080 is not an http or https URL with a host; give the node's base URL, such as http://10.0.0.1:8080
raft.peers.4=http:///raft                          | raft.peers.4=http:///raft is not an http or https URL with a host
raft.heartbeat-tick=12                             | raft.election-tick (10) must be greater than raft.heartbeat-tick (12)
raft.heartbeat-tick=-1                             | raft.heartbeat-tick must be at least 1
raft.max-size-per-msg=-1MB                         | raft.max-size-per-msg must be a positive size
raft.command-timeout=-1s                           | raft.command-timeout must be a positive duration
raft.transport.snapshot-timeout=0                  | raft.transport.snapshot-timeout must be a positive duration, such as 5m
raft.transport.snapshot-timeout=-1m                | raft.transport.snapshot-timeout must be a positive duration
raft.transport.max-snapshot-size=0                 | raft.transport.max-snapshot-size must be a positive size, such as 1GB
raft.transport.max-snapshot-size=-1GB              | raft.transport.max-snapshot-size must be a positive size
raft.transport.max-message-size=-8MB               | raft.transport.max-message-size must be a positive size
raft.transport.queue-size=-1                       | raft.transport.queue-size must be at least 1
raft.transport.commit-linger=-1ms                  | raft.transport.commit-linger must be between 0 and 100ms
raft.transport.commit-linger=1s                    | raft.transport.commit-linger must be between 0 and 100ms
raft.transport.path-prefix=/raft/                  | raft.transport.path-prefix must start with '/' and not end with one
raft.transport.token=                              | raft.transport.token must be at least 16 characters without leading or trailing spaces (it has 0)
raft.transport.token=s3cret                        | raft.transport.token must be at least 16 characters without leading or trailing spaces (it has 6)
raft.transport.token=${RAFT_TRANSPORT_TOKEN}       | raft.transport.token is the unresolved placeholder '${RAFT_TRANSPORT_TOKEN}': RAFT_TRANSPORT_TOKEN is not set. Set the environment variable or property RAFT_TRANSPORT_TOKEN
raft.transport.token=${RAFT_PEER_TOKEN:}x          | raft.transport.token must be at least 16 characters
raft.cluster-id=café                          | raft.cluster-id must be printable ASCII without leading or trailing spaces
""")
  void refusesWithAMessageThatSaysWhatToFix(String property, String message) {
    contextRunner
        .withPropertyValues(property)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("Binding validation errors on raft")
                  .hasMessageContaining(message);
            });
  }

  @Test
  void leaseBasedReadsNeedCheckQuorum() {
    contextRunner
        .withPropertyValues("raft.read-only=lease-based", "raft.check-quorum=false")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "raft.read-only=LEASE_BASED needs raft.check-quorum=true: without it a deposed"
                            + " leader keeps answering reads from its lease and they can be stale. Set"
                            + " raft.check-quorum=true, or raft.read-only=SAFE"));
    contextRunner
        .withPropertyValues("raft.read-only=safe", "raft.check-quorum=false")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @ParameterizedTest
  @ValueSource(strings = {" raft", "raft ", "a\tb", "line\nbreak"})
  void clusterIdMustSurviveAnHttpHeader(String value) {
    contextRunner
        .withInitializer(
            context ->
                context
                    .getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource("exact", Map.of("raft.cluster-id", value))))
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "raft.cluster-id must be printable ASCII without leading or trailing spaces"));
  }

  @Test
  void inMemoryUrlIsAcceptedWithAllowInMemory() {
    contextRunner
        .withPropertyValues(
            "raft.storage.jdbc.url=jdbc:h2:mem:raft", "raft.storage.allow-in-memory=true")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void ownUrlAndUseApplicationDatasourceContradictEachOther() {
    contextRunner
        .withPropertyValues(
            "raft.storage.jdbc.url=jdbc:h2:file:/tmp/raft",
            "raft.storage.use-application-datasource=true")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("contradicts raft.storage.jdbc.url"));
  }

  @Test
  void validConfigurationPasses() {
    contextRunner.run(context -> assertThat(context).hasNotFailed());
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    RaftProperties.class,
    RaftStorageProperties.class,
    RaftSnapshotProperties.class,
    RaftTransportProperties.class
  })
  static class PropertiesConfiguration {}
}
