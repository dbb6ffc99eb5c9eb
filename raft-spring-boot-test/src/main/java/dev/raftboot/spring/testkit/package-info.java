/**
 * Test support for applications built on raft-spring-boot-starter: {@link
 * dev.raftboot.spring.testkit.SingleNodeRaft} for {@code @SpringBootTest}, and the building blocks
 * the in-JVM cluster ({@link dev.raftboot.spring.testkit.cluster}) shares with it.
 */
@NullMarked
package dev.raftboot.spring.testkit;

import org.jspecify.annotations.NullMarked;
