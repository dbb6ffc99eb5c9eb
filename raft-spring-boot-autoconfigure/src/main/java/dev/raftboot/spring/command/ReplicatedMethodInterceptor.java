package dev.raftboot.spring.command;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;

/** Routes the calls of one bean's replicated methods through the {@link ReplicatedCallDispatcher}. */
final class ReplicatedMethodInterceptor implements MethodInterceptor {

  private final Class<?> targetClass;
  private final Map<Method, ReplicatedMethod> methods;
  private final Map<Method, Optional<ReplicatedMethod>> byInvokedMethod = new ConcurrentHashMap<>();
  private final Supplier<ReplicatedCallDispatcher> dispatcherSupplier;
  private volatile @Nullable ReplicatedCallDispatcher dispatcher;

  ReplicatedMethodInterceptor(
      Class<?> targetClass,
      Map<Method, ReplicatedMethod> methods,
      Supplier<ReplicatedCallDispatcher> dispatcher) {
    this.targetClass = targetClass;
    this.methods = Map.copyOf(methods);
    this.dispatcherSupplier = dispatcher;
  }

  /** The replicated method behind {@code invoked} (a class or interface method), if any. */
  @Nullable ReplicatedMethod find(Method invoked) {
    return byInvokedMethod
        .computeIfAbsent(
            invoked,
            m -> Optional.ofNullable(methods.get(AopUtils.getMostSpecificMethod(m, targetClass))))
        .orElse(null);
  }

  @Override
  public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
    ReplicatedMethod m = find(invocation.getMethod());
    if (m == null) {
      return invocation.proceed();
    }
    return dispatcher().invoke(m, invocation);
  }

  private ReplicatedCallDispatcher dispatcher() {
    ReplicatedCallDispatcher d = dispatcher;
    if (d == null) {
      d = dispatcherSupplier.get();
      dispatcher = d;
    }
    return d;
  }
}
