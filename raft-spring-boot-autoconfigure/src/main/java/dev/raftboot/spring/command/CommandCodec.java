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
 * carried as their own bytes and type. In command format 2 (see the package documentation) neither
 * do parameters declared as {@code String}, {@code byte[]}, {@code boolean}, {@code int}, {@code
 * long}, {@code double} (or their boxes) or an enum: the format has its own binary fields for them.
 * Implementations must be thread-safe.
 */
public interface CommandCodec {

  /**
   * Names the encoding. It is stored with every call that has an argument written by the codec, so
   * a node configured with a different codec rejects the call with {@link InvalidCommandException}
   * instead of misreading it.
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

  /**
   * The codec for one parameter type. The runtime calls this once per parameter of each replicated
   * command and keeps the result, so an implementation can do its per-type work (resolving the
   * type, building readers and writers) here instead of on every call. The binding must encode and
   * decode exactly as {@link #encode} and {@link #decode} do for {@code type}. The default
   * delegates to them.
   */
  default Binding bind(Type type) {
    return new Binding() {
      @Override
      public byte[] encode(@Nullable Object value) {
        return CommandCodec.this.encode(value, type);
      }

      @Override
      public @Nullable Object decode(byte[] data) {
        return CommandCodec.this.decode(data, type);
      }
    };
  }

  /** {@link CommandCodec#encode} and {@link CommandCodec#decode} for one type. Thread-safe. */
  interface Binding {

    /** @throws RuntimeException when the value cannot be encoded */
    byte[] encode(@Nullable Object value);

    /** @throws RuntimeException when the data cannot be decoded */
    @Nullable Object decode(byte[] data);
  }
}
