package dev.raftboot.spring.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.raftboot.spring.autoconfigure.RaftProperties;
import dev.raftboot.spring.api.RaftMember;
import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.testkit.account.Account;
import dev.raftboot.spring.testkit.account.AccountApplication;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

@SpringBootTest(classes = AccountApplication.class)
@SingleNodeRaft
class SingleNodeRaftTests {

  @Autowired Account account;

  @Autowired RaftServer raft;

  @Test
  void thePeersOfApplicationPropertiesAreReplacedAfterBinding(@Autowired RaftProperties properties) {
    // application.properties lists three peers; a property source alone would only add to them.
    assertThat(properties.getPeers()).containsOnlyKeys(1L);
    assertThat(properties.getPeers().get(1L)).hasToString("http://localhost:18081");
    assertThat(raft.leader()).map(RaftMember::id).contains(1L);
  }

  @Test
  void commandsAreCommittedThroughTheLog() {
    long applied = raft.metrics().appliedIndex();
    long committed = raft.metrics().proposalsCommitted();

    long balance = account.deposit(5);

    assertThat(account.balance()).isEqualTo(balance);
    assertThat(raft.metrics().appliedIndex()).isGreaterThan(applied);
    assertThat(raft.metrics().proposalsCommitted()).isGreaterThan(committed);
  }

  @Test
  void theLogIsKeptInAFreshTemporaryDirectory(@Autowired Environment env) {
    Path dataDir = Path.of(env.getRequiredProperty("raft.storage.data-dir"));

    assertThat(dataDir).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
    assertThat(dataDir.getFileName().toString()).startsWith("raft-single-node-");
    assertThat(dataDir).isNotEmptyDirectory();
  }

  @Test
  void refusesToRunWithRaftSwitchedOff() {
    try (GenericApplicationContext context = new GenericApplicationContext()) {
      context.getEnvironment().getPropertySources()
          .addFirst(new MapPropertySource("test", Map.of("raft.enabled", "false")));

      assertThatIllegalStateException()
          .isThrownBy(() -> new SingleNodeRaftContextCustomizer().customizeContext(context, null))
          .withMessageContaining("remove raft.enabled=false");
    }
  }
}
