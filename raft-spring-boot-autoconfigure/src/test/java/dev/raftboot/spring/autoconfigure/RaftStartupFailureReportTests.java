package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What a user sees when a {@code raft.*} value cannot even be bound (not a number, not a URL, not
 * one of the allowed values): Boot's startup failure report, which names the property, the value
 * and the reason, and for enums lists the valid values. Values that bind but break a rule get the
 * same report with raft's own reason (see {@link RaftPropertiesTests} for each rule's message).
 */
@ExtendWith(OutputCaptureExtension.class)
class RaftStartupFailureReportTests {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
raft.node-id=abc                        | raft.node-id          | abc                      | failed to convert java.lang.String to long
raft.node-id=1.5                        | raft.node-id          | 1.5                      | failed to convert java.lang.String to long
raft.node-id=18446744073709551616       | raft.node-id          | 18446744073709551616     | failed to convert java.lang.String to long
raft.read-only=eventual                 | raft.read-only        | eventual                 | The following values are valid:\\n\\n    LEASE_BASED\\n    SAFE
raft.peers.two=http://10.0.0.2:8080     | raft.peers            | two                      | failed to convert java.lang.String to java.lang.Long
raft.peers.2=http://exa mple:8080       | raft.peers            | http://exa%20mple:8080   | raft.peers.2=http://exa%20mple:8080 is not an http or https URL with a host
raft.peers.2=10.0.0.2:8080              | raft.peers.2          | 10.0.0.2:8080            | raft.peers.2=10.0.0.2:8080 is not a URL: it has no scheme\\n\\nAction:\\n\\nGive the node
raft.tick-interval=soon                 | raft.tick-interval    | soon                     | failed to convert java.lang.String to java.time.Duration
raft.max-size-per-msg=lots              | raft.max-size-per-msg | lots                     | failed to convert java.lang.String to org.springframework.util.unit.DataSize
raft.node-id=0                          | raft.node-id          | 0                        | raft.node-id must be set to this node's ID
""")
  void reportsThePropertyTheValueAndTheReason(
      String property, String name, String value, String reason, CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(RaftPropertiesTests.PropertiesConfiguration.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "spring.main.banner-mode=off",
                        "raft.node-id=1",
                        "raft.peers.1=http://10.0.0.1:8080",
                        "raft.peers.3=http://10.0.0.3:8080")
                    .properties(property)
                    .run()
                    .close())
        .isInstanceOf(Exception.class);

    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains(name)
        .contains(value)
        .contains(reason.replace("\\n", System.lineSeparator()))
        .contains("Action:");
  }

  @Test
  void reportsPeersWithoutAuthenticationWithWhatToSet(CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(TransportConfiguration.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "spring.main.banner-mode=off",
                        "raft.node-id=1",
                        "raft.peers.1=http://10.0.0.1:8080",
                        "raft.peers.2=http://10.0.0.2:8080")
                    .run()
                    .close())
        .isInstanceOf(Exception.class);

    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("Raft peers are not authenticated, and some are not on loopback (raft.peers.1=http://10.0.0.1:8080,"
            + " raft.peers.2=http://10.0.0.2:8080)")
        .contains("Action:" + System.lineSeparator() + System.lineSeparator() + "Set raft.transport.token");
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @org.springframework.boot.autoconfigure.ImportAutoConfiguration(dev.raftboot.spring.autoconfigure.transport.RaftTransportAutoConfiguration.class)
  static class TransportConfiguration {}
}
