package dev.raftboot.spring.command;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.InvalidCommandException;
import dev.raftboot.spring.command.ReplicatedMethodRegistry.Resolved;
import dev.raftboot.spring.spi.CommandApplier;
import java.lang.reflect.UndeclaredThrowableException;
import org.jspecify.annotations.Nullable;

/**
 * Applies committed {@link ReplicatedCommand} calls: reads the bean name, method id and arguments
 * from the log entry (in either command format, see the package documentation) and invokes the method on this node's instance of the bean (the bean itself,
 * not its proxy, so the call is not proposed again). Returns what the method returned and throws
 * what it threw. The method's handle and its argument types are resolved once, when the bean is
 * registered; applying a command does no reflective lookup.
 *
 * <p>A command this node cannot turn into a call (unknown bean or method, unknown format or codec,
 * arguments that do not decode, a format 2 entry whose checksum does not match) fails with {@link InvalidCommandException} without invoking
 * anything. That failure is the same on every node running the same code, so the nodes' states do
 * not diverge, and the apply thread carries on with the next command.
 */
public final class ReplicatedCommandApplier implements CommandApplier {

  private final ReplicatedMethodRegistry registry;
  private final CommandCodec codec;

  public ReplicatedCommandApplier(ReplicatedMethodRegistry registry, CommandCodec codec) {
    this.registry = registry;
    this.codec = codec;
  }

  @Override
  public @Nullable Object apply(ByteString command) throws Exception {
    MethodCall call = MethodCall.decode(command);
    String callCodec = call.codec();
    if (callCodec != null && !callCodec.equals(codec.id())) {
      throw new InvalidCommandException(
          "command for " + call.bean() + "/" + call.method() + " was encoded with codec '"
              + callCodec + "', this node uses '" + codec.id() + "'");
    }
    Resolved resolved = registry.resolve(call.bean(), call.method(), call.version());
    @Nullable Object[] args = call.arguments(resolved.method(), codec);
    Object target = resolved.target().get();
    try {
      // The arguments were checked against the parameter types, so the handle's own casts cannot
      // fail: whatever it throws, the method threw.
      return (Object) resolved.method().invoker().invokeExact(target, args);
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t);
    }
  }
}
