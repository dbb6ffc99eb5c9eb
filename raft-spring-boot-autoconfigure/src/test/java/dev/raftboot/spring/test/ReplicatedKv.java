package dev.raftboot.spring.test;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedQuery;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one key-value state machine of the tests: a map behind replicated methods, with a snapshot
 * of one "key TAB value" line per entry. Tests that drive a {@code RaftServer} with raw commands
 * extend it with a {@code CommandApplier} of their own, so they share its map and snapshot.
 */
public class ReplicatedKv implements StateSnapshotter {

  private final Map<String, String> map = new ConcurrentHashMap<>();

  /** Sets {@code key}, returning its previous value; an empty key is refused. */
  @ReplicatedCommand
  public String put(String key, String value) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("empty key");
    }
    return map.put(key, value);
  }

  /** {@link #put}, answered through a future. */
  @ReplicatedCommand(timeout = "10s")
  public CompletableFuture<String> putLater(String key, String value) {
    return CompletableFuture.completedFuture(put(key, value));
  }

  @ReplicatedQuery
  public String get(String key) {
    return map.get(key);
  }

  @ReplicatedQuery(consistency = ReadConsistency.LEASE)
  public String leaseGet(String key) {
    return map.get(key);
  }

  /**
   * This node's map as it is, live (on a Spring proxy too: the proxy forwards the call, and has no
   * map of its own).
   */
  public Map<String, String> local() {
    return map;
  }

  @Override
  public ByteString snapshot() {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(map).forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
    return ByteString.copyFrom(sb.toString(), StandardCharsets.UTF_8);
  }

  @Override
  public void restore(ByteString data) {
    map.clear();
    for (String line : data.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        String[] kv = line.split("\t", 2);
        map.put(kv[0], kv[1]);
      }
    }
  }
}
