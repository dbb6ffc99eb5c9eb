package dev.raftboot.spring.command;

import dev.raftboot.spring.api.InvalidCommandException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;

/**
 * The replicated command methods of this application's beans, by bean name and method id. Filled
 * by the {@link ReplicatedMethodBeanPostProcessor} as beans are created, read by the {@link
 * ReplicatedCommandApplier}. A command for a bean that has not been created yet (a lazy bean)
 * creates it through the bean factory, so every node resolves the same commands.
 */
public final class ReplicatedMethodRegistry implements BeanFactoryAware {

  private final Map<String, Registration> beans = new ConcurrentHashMap<>();
  private volatile @Nullable BeanFactory beanFactory;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    this.beanFactory = beanFactory;
  }

  /** The names of the beans with replicated commands created so far. */
  public Set<String> beanNames() {
    return new TreeSet<>(beans.keySet());
  }

  /** The ids of {@code beanName}'s replicated commands, empty if it has none. */
  public Set<String> commandIds(String beanName) {
    Registration r = beans.get(beanName);
    return r == null ? Set.of() : new TreeSet<>(r.commands().keySet());
  }

  /**
   * @throws IllegalStateException when two commands have the same short id ({@link
   *     ReplicatedMethod#findAll} refuses such beans first)
   */
  void register(String beanName, Supplier<Object> target, Collection<ReplicatedMethod> methods) {
    List<ReplicatedMethod> commands = methods.stream().filter(ReplicatedMethod::command).toList();
    if (!commands.isEmpty()) {
      beans.put(
          beanName,
          new Registration(
              target,
              commands.stream().collect(Collectors.toUnmodifiableMap(ReplicatedMethod::id, m -> m)),
              commands.stream()
                  .collect(Collectors.toUnmodifiableMap(ReplicatedMethod::shortId, m -> m))));
    }
  }

  /**
   * The command {@code methodId} of bean {@code beanName}, with the instance to invoke it on.
   *
   * @param formatVersion the command format the id comes from: 1 names methods by {@link
   *     ReplicatedMethod#id()}, 2 by {@link ReplicatedMethod#shortId()}
   * @throws InvalidCommandException when there is no such bean or command on this node
   */
  Resolved resolve(String beanName, String methodId, int formatVersion) {
    Registration r = beans.get(beanName);
    BeanFactory bf = beanFactory;
    if (r == null && bf != null && bf.containsBean(beanName)) {
      try {
        bf.getBean(beanName);
      } catch (BeansException e) {
        throw new InvalidCommandException(
            "bean '" + beanName + "' of replicated command " + methodId + " cannot be created", e);
      }
      r = beans.get(beanName);
    }
    if (r == null) {
      throw new InvalidCommandException(
          "no bean '" + beanName + "' with replicated commands for " + methodId);
    }
    ReplicatedMethod m =
        (formatVersion == 1 ? r.commands() : r.commandsByShortId()).get(methodId);
    if (m == null) {
      throw new InvalidCommandException(
          "bean '" + beanName + "' has no replicated command " + methodId);
    }
    return new Resolved(m, r.target());
  }

  /** A command method and where its bean's instance comes from. */
  record Resolved(ReplicatedMethod method, Supplier<Object> target) {}

  private record Registration(
      Supplier<Object> target,
      Map<String, ReplicatedMethod> commands,
      Map<String, ReplicatedMethod> commandsByShortId) {}
}
