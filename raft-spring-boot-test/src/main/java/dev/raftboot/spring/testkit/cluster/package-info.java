/**
 * An in-JVM cluster of the user's own Spring application ({@link
 * dev.raftboot.spring.testkit.cluster.RaftTestCluster}) on an in-memory network with a {@link
 * dev.raftboot.spring.testkit.cluster.Firewall}.
 */
@NullMarked
package dev.raftboot.spring.testkit.cluster;

import org.jspecify.annotations.NullMarked;
