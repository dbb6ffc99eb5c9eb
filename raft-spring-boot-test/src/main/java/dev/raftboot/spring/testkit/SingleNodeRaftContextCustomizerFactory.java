package dev.raftboot.spring.testkit;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Registered by {@link SingleNodeRaft}; customizes the contexts of annotated test classes only. */
final class SingleNodeRaftContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public @Nullable ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    return TestContextAnnotationUtils.hasAnnotation(testClass, SingleNodeRaft.class)
        ? new SingleNodeRaftContextCustomizer()
        : null;
  }
}
