package dev.raftboot.spring.testkit.cluster;

import dev.raftboot.spring.runtime.RaftServer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One node of a {@link RaftTestCluster}: its id, its data directory (which survives a crash) and,
 * while it runs, its application context. Safe to read from any thread (client threads of a test
 * pick nodes while the test thread crashes and restarts them).
 */
public final class TestNode {

  private final long id;
  private final Path dataDir;
  private volatile @Nullable ConfigurableApplicationContext context;

  TestNode(long id, Path dataDir) {
    this.id = id;
    this.dataDir = dataDir;
  }

  public long id() {
    return id;
  }

  /** Where this node keeps its log; kept across {@link RaftTestCluster#crash} and restart. */
  public Path dataDir() {
    return dataDir;
  }

  public boolean isRunning() {
    ConfigurableApplicationContext c = context;
    return c != null && c.isActive();
  }

  /** The running node's application context; fails if the node is down. */
  public ConfigurableApplicationContext context() {
    ConfigurableApplicationContext c = context;
    if (c == null) {
      throw new IllegalStateException("node " + id + " is not running; restart it first");
    }
    return c;
  }

  /** A bean of the running node's context, e.g. the application's own replicated service. */
  public <T> T bean(Class<T> type) {
    return context().getBean(type);
  }

  /** The running node's raft server: status, metrics, membership. */
  public RaftServer server() {
    return bean(RaftServer.class);
  }

  /** The port of the node's web server, when the application is a web application. */
  public int port() {
    return Integer.parseInt(context().getEnvironment().getRequiredProperty("local.server.port"));
  }

  void started(ConfigurableApplicationContext context) {
    this.context = context;
  }

  @Nullable ConfigurableApplicationContext stopped() {
    ConfigurableApplicationContext c = context;
    context = null;
    return c;
  }

  @Override
  public String toString() {
    return "node " + id + (isRunning() ? "" : " (down)");
  }
}
