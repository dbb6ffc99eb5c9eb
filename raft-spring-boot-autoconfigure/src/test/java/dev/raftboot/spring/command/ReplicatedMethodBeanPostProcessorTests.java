package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.api.ReplicatedLog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.Ordered;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.SimpleTransactionStatus;

class ReplicatedMethodBeanPostProcessorTests {

  private final InProcessCluster cluster = new InProcessCluster(3);

  /** A single node, for what happens at startup. */
  private final ApplicationContextRunner node =
      ClusterRunner.runner().withBean("replicatedLog", ReplicatedLog.class, () -> cluster.member(1));

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void beanWithoutReplicatedMethodsIsLeftAlone() {
    node.withBean("plain", Plain.class)
        .run(context -> assertThat(AopUtils.isAopProxy(context.getBean(Plain.class))).isFalse());
  }

  @Test
  void beanIsProxiedByClassAndItsCommandsAreRegistered() {
    node.withBean("greeter", Greeter.class)
        .run(
            context -> {
              assertThat(AopUtils.isCglibProxy(context.getBean(Greeter.class))).isTrue();
              assertThat(context.getBean(ReplicatedMethodRegistry.class).beanNames())
                  .containsExactly("greeter");
              // Annotations on interface methods count; the id names the implementing method.
              assertThat(context.getBean(ReplicatedMethodRegistry.class).commandIds("greeter"))
                  .containsExactly(Greeter.class.getName() + "#greet(java.lang.String)");
            });
  }

  @Test
  void beanAlreadyProxiedForTransactionsKeepsItsProxyWithReplicationInFront() {
    ClusterRunner.run(
        cluster,
        ClusterRunner.runner(TransactionalConfiguration.class),
        nodes -> {
          Accounts accounts = nodes.get(0).bean(Accounts.class);
          assertThat(AopUtils.isCglibProxy(accounts)).isTrue();
          assertThat(((Advised) accounts).getAdvisors()[0].getAdvice())
              .isInstanceOf(ReplicatedMethodInterceptor.class);
          assertThat(AopUtils.isAopProxy(AopProxyUtils.getSingletonTarget(accounts))).isFalse();

          assertThat(accounts.add(5)).isEqualTo(5);
          cluster.awaitApplied();
          for (ClusterRunner.Node n : nodes) {
            assertThat(n.bean(Accounts.class).total()).isEqualTo(5);
          }
          // The call was proposed before the transaction advice ran, and applied on the bean
          // itself; the local query ran through the transaction advice on the caller's thread.
          String caller = Thread.currentThread().getName();
          assertThat(nodes.get(0).bean(RecordingTransactionManager.class).events)
              .containsExactly("begin " + caller, "commit");
        });
  }

  @Test
  void interfaceProxiedBeanIsReplicatedThroughItsInterface() {
    ClusterRunner.run(
        cluster,
        ClusterRunner.runner(InterfaceProxyConfiguration.class),
        nodes -> {
          Counter counter = nodes.get(1).bean(Counter.class);
          assertThat(AopUtils.isJdkDynamicProxy(counter)).isTrue();
          assertThat(counter.increment(2)).isEqualTo(2);
          assertThat(counter.increment(3)).isEqualTo(5);
          cluster.awaitApplied();
          for (ClusterRunner.Node n : nodes) {
            assertThat(n.bean(Counter.class).value()).isEqualTo(5);
          }
          assertThat(nodes.get(1).bean(TracingProxies.class).traced).containsExactly("value");
          assertThat(cluster.size()).isEqualTo(2);
        });
  }

  @Test
  void interfaceProxyWithoutTheReplicatedMethodFailsStartup() {
    node.withUserConfiguration(InterfaceProxyConfiguration.class)
        .withBean("renamer", Renamer.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("replicated method rename is on none of its interfaces"));
  }

  @Test
  void lazyBeanIsCreatedOnNodesThatApplyACommandForIt() {
    ClusterRunner.run(
        cluster,
        ClusterRunner.runner(LazyConfiguration.class),
        nodes -> {
          assertThat(nodes.get(2).context().getBeanFactory().containsSingleton("tally")).isFalse();
          assertThat(nodes.get(0).bean(Tally.class).add(4)).isEqualTo(4);
          cluster.awaitApplied();
          for (ClusterRunner.Node n : nodes) {
            assertThat(n.context().getBeanFactory().containsSingleton("tally")).isTrue();
            assertThat(n.bean(Tally.class).value()).isEqualTo(4);
          }
        });
  }

  @Test
  void finalMethodFailsStartup() {
    node.withBean("bad", FinalMethod.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("bean 'bad'")
                    .hasMessageContaining("must not be static, private or final"));
  }

  @Test
  void privateMethodFailsStartup() {
    node.withBean("bad", PrivateMethod.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("must not be static, private or final"));
  }

  @Test
  void finalClassFailsStartup() {
    node.withBean("bad", FinalClass.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("must not be final (it is proxied)"));
  }

  @Test
  void commandAndQueryOnOneMethodFailStartup() {
    node.withBean("bad", Both.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("cannot be combined"));
  }

  @Test
  void plainFutureReturnTypeFailsStartup() {
    node.withBean("bad", PlainFuture.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("declare CompletableFuture or CompletionStage"));
  }

  @Test
  void invalidTimeoutFailsStartup() {
    node.withBean("bad", BadTimeout.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("bean 'bad'")
                    .hasStackTraceContaining("invalid timeout 'soon'"));
  }

  @Test
  void nonSingletonBeanIsRefused() {
    node.withBean("tally", Tally.class, Tally::new, bd -> bd.setScope("prototype"))
        .run(
            context ->
                assertThatThrownBy(() -> context.getBean(Tally.class))
                    .rootCause()
                    .hasMessageContaining("bean 'tally' has replicated methods, so it must be a singleton"));
  }

  // --- beans -------------------------------------------------------------------------------------

  static class Plain {
    public int answer() {
      return 42;
    }
  }

  interface Greeting {
    @ReplicatedCommand
    String greet(String name);
  }

  static class Greeter implements Greeting {
    @Override
    public String greet(String name) {
      return "hello " + name;
    }
  }

  @Transactional
  static class Accounts {
    private final AtomicInteger total = new AtomicInteger();

    @ReplicatedCommand
    public int add(int amount) {
      return total.addAndGet(amount);
    }

    @ReplicatedQuery(consistency = ReadConsistency.LOCAL)
    public int total() {
      return total.get();
    }
  }

  /** Records transaction boundaries instead of running transactions. */
  static class RecordingTransactionManager implements PlatformTransactionManager {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public TransactionStatus getTransaction(TransactionDefinition definition) {
      events.add("begin " + Thread.currentThread().getName());
      return new SimpleTransactionStatus();
    }

    @Override
    public void commit(TransactionStatus status) {
      events.add("commit");
    }

    @Override
    public void rollback(TransactionStatus status) {
      events.add("rollback");
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableTransactionManagement
  static class TransactionalConfiguration {

    @Bean
    RecordingTransactionManager transactionManager() {
      return new RecordingTransactionManager();
    }

    @Bean
    Accounts accounts() {
      return new Accounts();
    }
  }

  interface Counter {
    @ReplicatedCommand
    int increment(int by);

    @ReplicatedQuery(consistency = ReadConsistency.LOCAL)
    int value();
  }

  static class SimpleCounter implements Counter {
    private final AtomicInteger value = new AtomicInteger();

    @Override
    public int increment(int by) {
      return value.addAndGet(by);
    }

    @Override
    public int value() {
      return value.get();
    }
  }

  interface Named {
    String name();
  }

  static class Renamer implements Named {
    private String name = "a";

    @Override
    public String name() {
      return name;
    }

    @ReplicatedCommand
    public void rename(String name) {
      this.name = name;
    }
  }

  /** Puts an interface-based proxy around every bean that has interfaces, before replication. */
  static class TracingProxies implements BeanPostProcessor, Ordered {
    final List<String> traced = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
      if (!(bean instanceof Counter || bean instanceof Named)) {
        return bean;
      }
      ProxyFactory factory = new ProxyFactory(bean);
      factory.addAdvice(
          (MethodInterceptor)
              invocation -> {
                traced.add(invocation.getMethod().getName());
                return invocation.proceed();
              });
      return factory.getProxy();
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class InterfaceProxyConfiguration {

    @Bean
    static TracingProxies tracingProxies() {
      return new TracingProxies();
    }

    @Bean
    Counter counter() {
      return new SimpleCounter();
    }
  }

  static class Tally {
    private final AtomicInteger value = new AtomicInteger();

    @ReplicatedCommand
    public int add(int by) {
      return value.addAndGet(by);
    }

    public int value() {
      return value.get();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LazyConfiguration {

    @Bean
    @Lazy
    Tally tally() {
      return new Tally();
    }
  }

  static class FinalMethod {
    @ReplicatedCommand
    public final void run() {}
  }

  static class PrivateMethod {
    @ReplicatedCommand
    private void run() {}
  }

  static final class FinalClass {
    @ReplicatedCommand
    public void run() {}
  }

  static class Both {
    @ReplicatedCommand
    @ReplicatedQuery
    public void run() {}
  }

  static class PlainFuture {
    @ReplicatedCommand
    public Future<String> run() {
      return null;
    }
  }

  static class BadTimeout {
    @ReplicatedCommand(timeout = "soon")
    public void run() {}
  }
}
