package dev.raftboot.spring.command;

import dev.raftboot.spring.api.InvalidCommandException;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * Encodes the arguments of replicated calls. The caller's node encodes each argument; every node
 * decodes it when it applies the call, so the encoding must be decodable by every node running the
 * same code. Never use Java serialization: log entries come from other nodes.
 *
 * <p>Protocol Buffers messages passed directly as arguments do not reach the codec: they are
 * carried as their own bytes and type. Implementations must be thread-safe.
 */
public interface CommandCodec {

  /**
   * Names the encoding. It is stored with every call, so a node configured with a different codec
   * rejects the call with {@link InvalidCommandException} instead of misreading it.
   */
  String id();

  /**
   * Encodes one argument.
   *
   * @param value the argument (may be {@code null})
   * @param type the parameter's declared type, with type variables resolved against the bean class
   * @throws RuntimeException when the value cannot be encoded
   */
  byte[] encode(@Nullable Object value, Type type);

  /**
   * Decodes one argument written by {@link #encode}.
   *
   * @param data what {@link #encode} returned
   * @param type the parameter's declared type, with type variables resolved against the bean class
   * @throws RuntimeException when the data cannot be decoded as {@code type}
   */
  @Nullable Object decode(byte[] data, Type type);
}
