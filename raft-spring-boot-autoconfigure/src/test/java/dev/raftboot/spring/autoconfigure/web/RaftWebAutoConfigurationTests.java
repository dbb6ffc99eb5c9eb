package dev.raftboot.spring.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import dev.raftboot.spring.runtime.RaftServer;
import dev.raftboot.spring.web.RaftExceptionHandler;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.servlet.DispatcherServlet;

class RaftWebAutoConfigurationTests {

  private final WebApplicationContextRunner contextRunner =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(RaftWebAutoConfiguration.class))
          .withBean(RaftServer.class, () -> mock(RaftServer.class));

  @Test
  void answersReplicationFailuresInAServletWebApplication() {
    contextRunner.run(context -> assertThat(context).hasSingleBean(RaftExceptionHandler.class));
  }

  @Test
  void switchedOffByProperty() {
    contextRunner
        .withPropertyValues("raft.web.problem-details=false")
        .run(context -> assertThat(context).doesNotHaveBean(RaftExceptionHandler.class));
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnHandler() {
    RaftExceptionHandler own = new RaftExceptionHandler(mock(RaftServer.class), Duration.ZERO);
    contextRunner
        .withBean("myHandler", RaftExceptionHandler.class, () -> own)
        .run(context -> assertThat(context).getBean(RaftExceptionHandler.class).isSameAs(own));
  }

  @Test
  void notInANonWebApplication() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftWebAutoConfiguration.class))
        .withBean(RaftServer.class, () -> mock(RaftServer.class))
        .run(context -> assertThat(context).doesNotHaveBean(RaftExceptionHandler.class));
  }

  @Test
  void notWithoutSpringMvc() {
    contextRunner
        .withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
        .run(context -> assertThat(context).doesNotHaveBean(RaftExceptionHandler.class));
  }

  @Test
  void notWithoutARaftServer() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftWebAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(RaftExceptionHandler.class));
  }
}
