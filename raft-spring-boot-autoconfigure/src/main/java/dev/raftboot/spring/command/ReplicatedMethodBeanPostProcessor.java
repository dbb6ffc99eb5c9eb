package dev.raftboot.spring.command;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.TargetSource;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds beans with {@link ReplicatedCommand} or {@link ReplicatedQuery} methods, registers their
 * commands in the {@link ReplicatedMethodRegistry} and routes calls of those methods through the
 * {@link ReplicatedCallDispatcher}.
 *
 * <p>A plain bean is replaced by a class-based (CGLIB) proxy. A bean that is already a Spring AOP
 * proxy (for example for {@code @Transactional}) keeps its proxy, which gets the replication advice
 * in front of its other advice: a call is proposed before any other advice runs for it, and a
 * query waits for its read barrier first. When a command is applied, the method is invoked on the
 * bean itself, without the proxy's other advice; a command method that needs a transaction should
 * start one itself (for example with a {@code TransactionTemplate}).
 *
 * <p>Register it from a {@code static} {@code @Bean} method. It needs the dispatcher only when a
 * replicated method is first called, so it takes it as a {@link Supplier} (for example {@code
 * ObjectProvider::getObject}) and does not cause the raft node to be created early.
 */
public final class ReplicatedMethodBeanPostProcessor
    implements BeanPostProcessor, BeanFactoryAware, BeanClassLoaderAware, Ordered, AopInfrastructureBean {

  private static final Set<Class<? extends java.lang.annotation.Annotation>> ANNOTATIONS =
      Set.of(ReplicatedCommand.class, ReplicatedQuery.class);

  private final ReplicatedMethodRegistry registry;
  private final Supplier<ReplicatedCallDispatcher> dispatcher;
  private final Set<Class<?>> plainClasses = ConcurrentHashMap.newKeySet();
  private @Nullable ConfigurableListableBeanFactory beanFactory;
  private @Nullable ClassLoader classLoader = ClassUtils.getDefaultClassLoader();

  public ReplicatedMethodBeanPostProcessor(
      ReplicatedMethodRegistry registry, Supplier<ReplicatedCallDispatcher> dispatcher) {
    this.registry = registry;
    this.dispatcher = dispatcher;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    if (beanFactory instanceof ConfigurableListableBeanFactory clbf) {
      this.beanFactory = clbf;
    }
  }

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  /** Runs after other post-processors, so that beans they proxy are found as proxies. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
    if (bean instanceof AopInfrastructureBean) {
      return bean;
    }
    Class<?> targetClass = AopUtils.getTargetClass(bean);
    if (plainClasses.contains(targetClass)) {
      return bean;
    }
    Map<Method, ReplicatedMethod> methods;
    try {
      methods =
          AnnotationUtils.isCandidateClass(targetClass, ANNOTATIONS)
              ? ReplicatedMethod.findAll(beanName, targetClass, this::resolvePlaceholders)
              : Map.of();
    } catch (IllegalStateException e) {
      throw new BeanInitializationException(e.getMessage(), e);
    }
    if (methods.isEmpty()) {
      plainClasses.add(targetClass);
      return bean;
    }
    checkStableSingleton(beanName);
    ReplicatedMethodInterceptor interceptor =
        new ReplicatedMethodInterceptor(targetClass, methods, dispatcher);
    DefaultPointcutAdvisor advisor =
        new DefaultPointcutAdvisor(
            new StaticMethodMatcherPointcut() {
              @Override
              public boolean matches(Method method, Class<?> cls) {
                return interceptor.find(method) != null;
              }
            },
            interceptor);

    if (bean instanceof Advised advised) {
      if (advised.isFrozen()) {
        throw new BeanInitializationException(
            "bean '" + beanName + "' has replicated methods but its AOP proxy is frozen");
      }
      if (AopUtils.isJdkDynamicProxy(bean)) {
        checkOnInterfaces(beanName, advised, methods);
      }
      registry.register(beanName, rawTarget(advised), methods.values());
      advised.addAdvisor(0, advisor);
      return bean;
    }
    if (Modifier.isFinal(targetClass.getModifiers())) {
      throw new BeanInitializationException(
          "bean '" + beanName + "' has replicated methods, so its class " + targetClass.getName()
              + " must not be final (it is proxied)");
    }
    registry.register(beanName, () -> bean, methods.values());
    ProxyFactory factory = new ProxyFactory(bean);
    factory.setProxyTargetClass(true);
    factory.addAdvisor(advisor);
    return factory.getProxy(classLoader);
  }

  private String resolvePlaceholders(String value) {
    ConfigurableBeanFactory bf = beanFactory;
    String resolved = bf != null ? bf.resolveEmbeddedValue(value) : value;
    return resolved != null ? resolved : value;
  }

  /** The bean's name is how other nodes address it, so it must name one instance for good. */
  private void checkStableSingleton(String beanName) {
    ConfigurableListableBeanFactory bf = beanFactory;
    if (bf == null) {
      return;
    }
    if (!bf.containsBean(beanName)) {
      throw new BeanInitializationException(
          "bean '" + beanName + "' has replicated methods but is not a named bean (an inner"
              + " bean?); declare it as a top-level singleton bean");
    }
    if (bf.containsBeanDefinition(beanName) && !bf.getMergedBeanDefinition(beanName).isSingleton()) {
      throw new BeanInitializationException(
          "bean '" + beanName + "' has replicated methods, so it must be a singleton");
    }
  }

  private static void checkOnInterfaces(
      String beanName, Advised advised, Map<Method, ReplicatedMethod> methods) {
    for (Method m : methods.keySet()) {
      boolean reachable = false;
      for (Class<?> iface : advised.getProxiedInterfaces()) {
        reachable |= ReflectionUtils.findMethod(iface, m.getName(), m.getParameterTypes()) != null;
      }
      if (!reachable) {
        throw new BeanInitializationException(
            "bean '" + beanName + "' is an interface-based proxy, but its replicated method "
                + m.getName() + " is on none of its interfaces; use class-based proxies"
                + " (spring.aop.proxy-target-class=true) or declare the method on an interface");
      }
    }
  }

  /** The bean behind an existing proxy (and behind any proxies it wraps). */
  private static Supplier<Object> rawTarget(Advised advised) {
    TargetSource source = advised.getTargetSource();
    if (!source.isStatic()) {
      return () -> {
        try {
          return ultimateTarget(source.getTarget());
        } catch (Exception e) {
          throw new IllegalStateException("cannot obtain the target of " + source, e);
        }
      };
    }
    Object target;
    try {
      target = ultimateTarget(source.getTarget());
    } catch (Exception e) {
      throw new BeanInitializationException("cannot obtain the target of " + source, e);
    }
    return () -> target;
  }

  private static Object ultimateTarget(@Nullable Object candidate) {
    if (candidate == null) {
      throw new IllegalStateException("proxy without a target");
    }
    Object current = candidate;
    for (Object next = AopProxyUtils.getSingletonTarget(current);
        next != null;
        next = AopProxyUtils.getSingletonTarget(current)) {
      current = next;
    }
    return current;
  }
}
