package dev.raftboot.spring.health;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Makes the {@code raft} health a member of the {@code readiness} group, whatever else that group
 * includes, so that a node that knows no leader (or is not a member) is not ready: {@link
 * RaftHealthIndicator} is then {@code OUT_OF_SERVICE}, which the readiness probe answers with 503.
 * Does nothing, with a warning, when there is no readiness group (availability probes are off and
 * no such group is configured).
 */
@Order(Ordered.LOWEST_PRECEDENCE)
public class RaftReadinessGroupPostProcessor implements HealthEndpointGroupsPostProcessor {

  static final String READINESS = "readiness";
  static final String RAFT = "raft";

  private static final Log logger = LogFactory.getLog(RaftReadinessGroupPostProcessor.class);

  @Override
  public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
    HealthEndpointGroup readiness = groups.get(READINESS);
    if (readiness == null) {
      logger.warn(
          "raft.health.readiness=true, but there is no readiness health group: set"
              + " management.endpoint.health.probes.enabled=true (on by default on Kubernetes)");
      return groups;
    }
    Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
    for (String name : groups.getNames()) {
      all.put(name, groups.get(name));
    }
    all.put(READINESS, new WithRaft(readiness));
    return HealthEndpointGroups.of(groups.getPrimary(), all);
  }

  /** A group that also counts the raft health among its members. */
  private record WithRaft(HealthEndpointGroup group) implements HealthEndpointGroup {

    @Override
    public boolean isMember(String name) {
      return RAFT.equals(name) || group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return group.showComponents(securityContext);
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return group.showDetails(securityContext);
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
