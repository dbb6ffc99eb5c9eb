package dev.raftboot.spring.runtime;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.CommandApplier;
import dev.raftboot.spring.test.ReplicatedKv;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tests' key-value state as the applier of the runtime tests, which drive a {@link RaftServer}
 * with raw commands: "key=value" sets key and returns the previous value; "fail=reason" throws.
 * Counts how often each command was applied since this instance was created (not part of the
 * snapshot), so a test can tell a command applied twice from one applied once.
 */
final class KvState extends ReplicatedKv implements CommandApplier {

  final Map<String, Integer> applied = new ConcurrentHashMap<>();

  @Override
  public Object apply(ByteString command) {
    String cmd = command.toStringUtf8();
    applied.merge(cmd, 1, Integer::sum);
    String[] kv = cmd.split("=", 2);
    if (kv[0].equals("fail")) {
      throw new IllegalArgumentException("refused " + kv[1]);
    }
    return put(kv[0], kv[1]);
  }
}
