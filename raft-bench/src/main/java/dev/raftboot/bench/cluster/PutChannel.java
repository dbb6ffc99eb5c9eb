package dev.raftboot.bench.cluster;

import java.util.function.Consumer;

/**
 * How one virtual client sends its puts: over its own HTTP connection to the leader, or straight
 * to the replicated command in the leader's JVM. At most one put is in flight per channel.
 */
interface PutChannel {

  /**
   * Sends one put; {@code done} is called once, with null when the put is committed and applied,
   * or with a description of the failure.
   */
  void put(byte[] key, byte[] value, Consumer<String> done);

  /** Channels over {@code client}, one keep-alive connection each. */
  static java.util.function.Supplier<PutChannel> http(HttpPutClient client) {
    return () -> {
      HttpPutClient.Conn conn = client.newConnection();
      return (key, value, done) ->
          client.put(
              conn,
              key,
              value,
              (status, failure) ->
                  done.accept(
                      failure != null ? failure.toString() : status == 204 ? null : "HTTP " + status));
    };
  }
}
