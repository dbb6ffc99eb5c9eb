package dev.raftboot.spring.autoconfigure;

import dev.raftboot.spring.autoconfigure.storage.RaftStorageProperties;
import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.runtime.StorageFailurePolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ExitCodeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.support.GenericApplicationContext;

class StopApplicationOnStorageFailureTests {

  @Test
  void closesTheContextAndExitsTheJvmWithCode74() {
    GenericApplicationContext context = new GenericApplicationContext();
    List<Integer> published = new ArrayList<>();
    context.addApplicationListener(
        (ApplicationListener<ExitCodeEvent>) e -> published.add(e.getExitCode()));
    context.refresh();
    List<Integer> exits = new ArrayList<>();

    StorageFailurePolicy policy =
        RaftAutoConfiguration.onStorageFailure(onFailure(RaftStorageProperties.OnFailure.STOP_APPLICATION), context, exits::add);
    assertThat(policy).isInstanceOf(StorageFailurePolicy.StopApplication.class);
    ((StorageFailurePolicy.StopApplication) policy).stop().run();

    assertThat(context.isActive()).isFalse();
    assertThat(exits).containsExactly(74);
    assertThat(published).containsExactly(74);
  }

  @Test
  void stayDownDoesNotStopTheApplication() {
    GenericApplicationContext context = new GenericApplicationContext();
    context.refresh();
    assertThat(RaftAutoConfiguration.onStorageFailure(onFailure(RaftStorageProperties.OnFailure.STAY_DOWN), context, code -> {
          throw new AssertionError("exit " + code);
        }))
        .isInstanceOf(StorageFailurePolicy.StayDown.class);
    assertThat(context.isActive()).isTrue();
    context.close();
  }

  @Test
  void restartNodeKeepsTheApplicationAndProbesAtTheConfiguredInterval() {
    GenericApplicationContext context = new GenericApplicationContext();
    context.refresh();
    RaftStorageProperties storage = onFailure(RaftStorageProperties.OnFailure.RESTART_NODE);
    storage.setRecoveryProbeInterval(java.time.Duration.ofMillis(250));
    assertThat(RaftAutoConfiguration.onStorageFailure(storage, context, code -> {
          throw new AssertionError("exit " + code);
        }))
        .isEqualTo(new StorageFailurePolicy.RestartNode(java.time.Duration.ofMillis(250)));
    assertThat(context.isActive()).isTrue();
    context.close();
  }

  private static RaftStorageProperties onFailure(RaftStorageProperties.OnFailure onFailure) {
    RaftStorageProperties storage = new RaftStorageProperties();
    storage.setOnFailure(onFailure);
    return storage;
  }
}
