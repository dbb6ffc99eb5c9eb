package dev.raftboot.spring.command;

import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * The {@link CommandCodec.Binding} of each parameter of one method. Bound on first use rather than
 * when the method is registered, because the codec bean is created after the post-processor has
 * registered the methods; after that a call reads one volatile field. Thread-safe.
 */
final class CodecBindings {

  private record Bound(CommandCodec codec, CommandCodec.Binding[] bindings) {}

  private final Type[] parameterTypes;
  private volatile @Nullable Bound bound;

  CodecBindings(Type[] parameterTypes) {
    this.parameterTypes = parameterTypes.clone();
  }

  /** The binding of parameter {@code i} for {@code codec}. */
  CommandCodec.Binding get(CommandCodec codec, int i) {
    Bound b = bound;
    if (b == null || b.codec() != codec) {
      // A race binds twice; both results are equivalent.
      CommandCodec.Binding[] bindings = new CommandCodec.Binding[parameterTypes.length];
      for (int p = 0; p < bindings.length; p++) {
        bindings[p] = codec.bind(parameterTypes[p]);
      }
      b = new Bound(codec, bindings);
      bound = b;
    }
    return b.bindings()[i];
  }
}
