package dev.raftboot.spring.it;

import dev.raftboot.spring.lock.LeaderWork;
import dev.raftboot.spring.lock.Leadership;
import dev.raftboot.spring.lock.integration.RaftLockRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

/**
 * An application with the starter's lock auto-configuration, and either Spring Integration's
 * leader initiator on the raft lock registry or a {@link LeaderWork} bean, both recording when
 * they lead into {@link #EVENTS} (shared by the nodes of one JVM).
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
class LockTestApplication {

  /** {@code node granted|revoked token nanoTime}, in the order they happened. */
  record Event(int node, boolean granted, long token, long nanos) {}

  static final List<Event> EVENTS = new CopyOnWriteArrayList<>();

  @Bean
  @ConditionalOnBooleanProperty("locktest.initiator")
  LockRegistryLeaderInitiator leaderInitiator(RaftLockRegistry registry, @Value("${raft.node-id}") int node) {
    LockRegistryLeaderInitiator initiator =
        new LockRegistryLeaderInitiator(
            registry,
            new DefaultCandidate("node-" + node, "jobs") {
              @Override
              public void onGranted(Context ctx) {
                // Called on the initiator's thread, which holds the lock.
                long token = registry.obtain("jobs").fencingToken().orElse(-1);
                EVENTS.add(new Event(node, true, token, System.nanoTime()));
              }

              @Override
              public void onRevoked(Context ctx) {
                EVENTS.add(new Event(node, false, -1, System.nanoTime()));
              }
            });
    initiator.setHeartBeatMillis(200);
    initiator.setBusyWaitMillis(50);
    return initiator;
  }

  @Bean
  @ConditionalOnBooleanProperty("locktest.leader-work")
  LeaderWork recordingLeaderWork(@Value("${raft.node-id}") int node) {
    return new LeaderWork() {
      @Override
      public void onGranted(Leadership leadership) {
        EVENTS.add(new Event(node, true, leadership.fencingToken(), System.nanoTime()));
      }

      @Override
      public void onRevoked(Leadership leadership) {
        EVENTS.add(new Event(node, false, leadership.fencingToken(), System.nanoTime()));
      }
    };
  }
}
