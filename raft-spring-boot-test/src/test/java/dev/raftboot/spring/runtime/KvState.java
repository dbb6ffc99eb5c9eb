package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated state of the runtime tests, which drive a {@link RaftServer} with raw commands:
 * "key=value" sets key and returns the previous value; "fail=reason" throws. Counts how often each
 * command was applied since this instance was created (not part of the snapshot), so a test can
 * tell a command applied twice from one applied once.
 */
final class KvState implements CommandApplier, StateSnapshotter {

  final Map<String, String> map = new ConcurrentHashMap<>();
  final Map<String, Integer> applied = new ConcurrentHashMap<>();

  @Override
  public Object apply(ByteString command) {
    String cmd = command.toStringUtf8();
    applied.merge(cmd, 1, Integer::sum);
    String[] kv = cmd.split("=", 2);
    if (kv[0].equals("fail")) {
      throw new IllegalArgumentException("refused " + kv[1]);
    }
    return map.put(kv[0], kv[1]);
  }

  @Override
  public ByteString snapshot() {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(map).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    return ByteString.copyFromUtf8(sb.toString());
  }

  @Override
  public void restore(ByteString data) {
    map.clear();
    for (String line : data.toStringUtf8().split("\n")) {
      if (!line.isEmpty()) {
        String[] kv = line.split("=", 2);
        map.put(kv[0], kv[1]);
      }
    }
  }
}
