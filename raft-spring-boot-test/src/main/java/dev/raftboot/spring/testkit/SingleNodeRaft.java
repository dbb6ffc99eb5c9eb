package dev.raftboot.spring.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.ContextCustomizerFactories;

/**
 * Makes the application of a {@code @SpringBootTest} a one-voter raft cluster on throw-away
 * storage. Nothing else changes: {@code @ReplicatedCommand} calls are proposed, committed through
 * the log and applied by the real runtime, and snapshots run as configured.
 *
 * <p>What it sets, above every other property source:
 *
 * <ul>
 *   <li>{@code raft.peers} becomes exactly this node (its configured URL, if it has one). The
 *       whole map is replaced after binding: a test property cannot do that, because Spring merges
 *       a map from all property sources, so a cluster configured in {@code application.yml} would
 *       keep its other peers and never elect a leader.
 *   <li>{@code raft.node-id} stays as configured (1 if none), {@code raft.join} is false.
 *   <li>The log goes to an H2 file database in a fresh temporary directory, deleted when the
 *       context closes ({@code raft.storage.data-dir}, with {@code raft.storage.jdbc.url} and
 *       {@code raft.storage.use-application-datasource} switched off), so tests never see an old
 *       log and never touch the application's database.
 *   <li>{@code raft.tick-interval} is 10 ms, so the node elects itself within about 0.2 s.
 * </ul>
 *
 * The context is ready once the node leads and has applied its configuration: the first command
 * of a test does not wait for an election. A test class without the annotation is not affected;
 * the annotation lives only in this test module, so a production build cannot switch it on.
 *
 * <p>Contexts are cached by Spring's test framework as usual: test classes with the same
 * configuration share one node and therefore one replicated state.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ContextCustomizerFactories(SingleNodeRaftContextCustomizerFactory.class)
public @interface SingleNodeRaft {}
