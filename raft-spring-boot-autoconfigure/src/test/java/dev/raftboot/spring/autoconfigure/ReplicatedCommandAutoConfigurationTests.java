package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedLog;
import dev.raftboot.spring.command.CommandCodec;
import dev.raftboot.spring.command.ReplicatedCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.raftboot.spring.command.JsonCommandCodec;
import dev.raftboot.spring.command.ReplicatedCallDispatcher;
import dev.raftboot.spring.command.ReplicatedCommandApplier;
import dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

class ReplicatedCommandAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ReplicatedCommandAutoConfiguration.class))
          .withPropertyValues("raft.node-id=1", "raft.peers.1=http://localhost:8081");

  @Test
  void registersTheProxyingPostProcessorDispatcherAndApplier() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(ReplicatedMethodBeanPostProcessor.class);
          assertThat(context).hasSingleBean(ReplicatedCallDispatcher.class);
          assertThat(context).hasSingleBean(ReplicatedCommandApplier.class);
          assertThat(context).getBean(CommandCodec.class).isInstanceOf(JsonCommandCodec.class);
        });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsCodec() {
    runner
        .withUserConfiguration(OwnCodec.class)
        .run(context -> assertThat(context).getBean(CommandCodec.class).isSameAs(OwnCodec.CODEC));
  }

  @Test
  void absentWithoutJackson() {
    runner
        .withClassLoader(new FilteredClassLoader(JsonMapper.class))
        .run(context -> assertThat(context).doesNotHaveBean(ReplicatedCallDispatcher.class));
  }

  @Test
  void disabledByProperty() {
    runner
        .withPropertyValues("raft.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ReplicatedCommandApplier.class));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void writesCommandsInTheConfiguredFormat(int version) {
    runner
        .withUserConfiguration(CapturingLogAndCounter.class)
        .withPropertyValues("raft.command-format-version=" + version)
        .run(
            context -> {
              context.getBean(Counter.class).add(1);
              // The first field of both formats is the version: tag 0x08, then the varint.
              assertThat(context.getBean(CapturingLog.class).commands)
                  .singleElement()
                  .satisfies(c -> assertThat(c.substring(0, 2).toByteArray()).containsExactly(8, version));
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class CapturingLogAndCounter {
    @Bean
    CapturingLog capturingLog() {
      return new CapturingLog();
    }

    @Bean
    Counter counter() {
      return new Counter();
    }
  }

  static class Counter {
    @ReplicatedCommand
    public void add(int n) {}
  }

  /** Keeps what is submitted and reports it applied. */
  static final class CapturingLog implements ReplicatedLog {
    final List<ByteString> commands = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Object> submit(ByteString command) {
      commands.add(command);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Object> submit(ByteString command, Duration timeout) {
      return submit(command);
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isApplyThread() {
      return false;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnCodec {
    static final CommandCodec CODEC = new JsonCommandCodec();

    @Bean
    CommandCodec myCodec() {
      return CODEC;
    }
  }
}
