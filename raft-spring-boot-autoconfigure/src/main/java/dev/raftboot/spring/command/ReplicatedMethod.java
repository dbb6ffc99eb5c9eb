package dev.raftboot.spring.command;

import dev.raftboot.spring.api.ReadConsistency;
import com.google.protobuf.MessageLite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.GenericTypeResolver;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * One {@link ReplicatedCommand} or {@link ReplicatedQuery} method of one bean, as found on the
 * bean's class when the bean was created.
 *
 * @param beanName the bean's name, which identifies it on every node
 * @param id the method's stable id: declaring class, name and parameter types (command format 1)
 * @param shortId the method's id in command format 2: name and parameter types without packages,
 *     unique among the bean's commands
 * @param method the most specific method on the bean's class
 * @param command whether it is a command (else a query)
 * @param parameterTypes the generic parameter types, resolved against the bean's class
 * @param argumentClasses the erased parameter types, primitives boxed: what each decoded argument
 *     must be an instance of
 * @param invoker invokes the method, resolved once here so that applying a command needs no
 *     reflective lookup: {@code (Object target, Object[] args) -> Object}, throwing what the method
 *     throws
 * @param argumentKinds how command format 2 writes each argument
 * @param codecBindings the codec bound to each parameter type
 * @param prototypes the protobuf message classes met in this method's arguments so far, by class
 *     name, so that each is looked up once
 * @param async whether it returns a future
 * @param timeout the command's own timeout, or {@code null} for the dispatcher's default
 * @param consistency the query's read consistency
 */
record ReplicatedMethod(
    String beanName,
    String id,
    String shortId,
    Method method,
    boolean command,
    Type[] parameterTypes,
    Class<?>[] argumentClasses,
    MethodHandle invoker,
    ArgumentKind[] argumentKinds,
    CodecBindings codecBindings,
    Map<String, MessageLite> prototypes,
    boolean async,
    @Nullable Duration timeout,
    ReadConsistency consistency) {

  private static final Set<Class<?>> FUTURE_TYPES =
      Set.of(CompletableFuture.class, CompletionStage.class);

  /** {@code com.example.Kv#put(java.lang.String,int)}. */
  static String idOf(Method method) {
    return method.getDeclaringClass().getName()
        + '#'
        + method.getName()
        + Arrays.stream(method.getParameterTypes())
            .map(Class::getTypeName)
            .collect(Collectors.joining(",", "(", ")"));
  }

  /**
   * {@code put(String,int)}: the erased parameter types without their packages (a nested class as
   * {@code Outer$Inner}). It stays the same across nodes and restarts as long as the method's name
   * and parameter types do; unlike {@link #idOf} it does not change when the method moves to
   * another class of the bean's hierarchy.
   */
  static String shortIdOf(Method method) {
    return method.getName()
        + Arrays.stream(method.getParameterTypes())
            .map(ReplicatedMethod::withoutPackage)
            .collect(Collectors.joining(",", "(", ")"));
  }

  private static String withoutPackage(Class<?> type) {
    String name = type.getTypeName();
    String pkg = type.getPackageName();
    return !pkg.isEmpty() && name.startsWith(pkg + ".") ? name.substring(pkg.length() + 1) : name;
  }

  /**
   * Finds the annotated methods of {@code beanClass}, keyed by the most specific method.
   *
   * @param resolver resolves placeholders in annotation attributes
   * @throws IllegalStateException when a method cannot be replicated, or two commands have the
   *     same {@linkplain #shortIdOf short id}
   */
  static Map<Method, ReplicatedMethod> findAll(
      String beanName, Class<?> beanClass, UnaryOperator<String> resolver) {
    Map<Method, ReplicatedMethod> found =
        MethodIntrospector.selectMethods(
            beanClass,
            (MethodIntrospector.MetadataLookup<ReplicatedMethod>)
                m -> of(beanName, beanClass, m, resolver));
    Map<String, ReplicatedMethod> byShortId = new HashMap<>();
    for (ReplicatedMethod m : found.values()) {
      ReplicatedMethod other = m.command() ? byShortId.putIfAbsent(m.shortId(), m) : null;
      if (other != null) {
        throw new IllegalStateException(
            "bean '" + beanName + "': replicated commands " + other.id() + " and " + m.id()
                + " have the same id in the log, " + m.shortId()
                + "; rename one (their parameter types differ only in their packages)");
      }
    }
    return new LinkedHashMap<>(found);
  }

  private static @Nullable ReplicatedMethod of(
      String beanName, Class<?> beanClass, Method method, UnaryOperator<String> resolver) {
    ReplicatedCommand command = AnnotatedElementUtils.findMergedAnnotation(method, ReplicatedCommand.class);
    ReplicatedQuery query = AnnotatedElementUtils.findMergedAnnotation(method, ReplicatedQuery.class);
    if (command == null && query == null) {
      return null;
    }
    String where = "bean '" + beanName + "', method " + method.toGenericString();
    if (command != null && query != null) {
      throw new IllegalStateException(
          where + ": @ReplicatedCommand and @ReplicatedQuery cannot be combined");
    }
    int mods = method.getModifiers();
    if (Modifier.isStatic(mods) || Modifier.isPrivate(mods) || Modifier.isFinal(mods)) {
      throw new IllegalStateException(
          where + ": a replicated method must not be static, private or final, or it cannot be"
              + " intercepted");
    }
    Type[] types = method.getGenericParameterTypes();
    Type[] resolved = new Type[types.length];
    for (int i = 0; i < types.length; i++) {
      resolved[i] = GenericTypeResolver.resolveType(types[i], beanClass);
    }
    Class<?> returnType = method.getReturnType();
    boolean async = FUTURE_TYPES.contains(returnType);
    if (!async && (Future.class.isAssignableFrom(returnType)
        || CompletionStage.class.isAssignableFrom(returnType))) {
      throw new IllegalStateException(
          where + ": declare CompletableFuture or CompletionStage as the return type, not "
              + returnType.getName());
    }
    Duration timeout = null;
    if (command != null && StringUtils.hasText(command.timeout())) {
      String text = resolver.apply(command.timeout()).trim();
      try {
        timeout = DurationStyle.detectAndParse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(where + ": invalid timeout '" + text + "'", e);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalStateException(where + ": timeout must be positive, not " + text);
      }
    }
    return new ReplicatedMethod(
        beanName,
        idOf(method),
        shortIdOf(method),
        method,
        command != null,
        resolved,
        argumentClasses(method),
        invoker(method, where),
        Arrays.stream(method.getParameterTypes()).map(ArgumentKind::of).toArray(ArgumentKind[]::new),
        new CodecBindings(resolved),
        new ConcurrentHashMap<>(),
        async,
        timeout,
        query != null ? query.consistency() : ReadConsistency.LINEARIZABLE);
  }

  private static Class<?>[] argumentClasses(Method method) {
    Class<?>[] classes = method.getParameterTypes();
    for (int i = 0; i < classes.length; i++) {
      classes[i] = ClassUtils.resolvePrimitiveIfNecessary(classes[i]);
    }
    return classes;
  }

  private static MethodHandle invoker(Method method, String where) {
    ReflectionUtils.makeAccessible(method);
    try {
      return MethodHandles.lookup()
          .unreflect(method)
          .asSpreader(Object[].class, method.getParameterCount())
          .asType(MethodType.methodType(Object.class, Object.class, Object[].class));
    } catch (IllegalAccessException | RuntimeException e) {
      throw new IllegalStateException(where + ": cannot be invoked: " + e.getMessage(), e);
    }
  }

  /** Whether {@code ex} may be thrown as itself from this method. */
  boolean declares(Throwable ex) {
    if (ex instanceof RuntimeException || ex instanceof Error) {
      return true;
    }
    for (Class<?> declared : method.getExceptionTypes()) {
      if (declared.isInstance(ex)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return beanName + "/" + id;
  }
}
