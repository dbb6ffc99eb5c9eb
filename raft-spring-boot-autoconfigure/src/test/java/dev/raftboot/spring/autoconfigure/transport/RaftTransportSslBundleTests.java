package dev.raftboot.spring.autoconfigure.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.transport.HttpRaftTransport;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The HTTP transport's SSL bundle: a name that does not exist stops the start with a clear reason. */
class RaftTransportSslBundleTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(SslAutoConfiguration.class, RaftTransportAutoConfiguration.class))
          .withPropertyValues(
              "raft.node-id=1", "raft.peers.1=https://10.0.0.1:8443", "raft.transport.token=0123456789abcdef");

  @Test
  void usesTheNamedBundle() {
    runner
        .withPropertyValues(
            "raft.transport.ssl-bundle=raft-peer",
            "spring.ssl.bundle.pem.raft-peer.truststore.certificate=classpath:tls/peer.crt")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(HttpRaftTransport.class));
  }

  @Test
  void refusesABundleNameThatDoesNotExist() {
    runner
        .withPropertyValues(
            "raft.transport.ssl-bundle=raft-peers",
            "spring.ssl.bundle.pem.raft-peer.truststore.certificate=classpath:tls/peer.crt")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining(
                        "Property raft.transport.ssl-bundle with value 'raft-peers' is invalid: there is"
                            + " no SSL bundle of that name (the bundles are [raft-peer]); define it as"
                            + " spring.ssl.bundle.jks.raft-peers.* or spring.ssl.bundle.pem.raft-peers.*,"
                            + " or correct the name"));
  }

  @Test
  void refusesABundleNameWhenTheApplicationHasNoBundles() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RaftTransportAutoConfiguration.class))
        .withPropertyValues(
            "raft.node-id=1", "raft.peers.1=https://10.0.0.1:8443", "raft.transport.ssl-bundle=raft-peer")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "Property raft.transport.ssl-bundle with value 'raft-peer' is invalid: this"
                            + " application has no SSL bundles; define it as spring.ssl.bundle.jks.raft-peer.*"));
  }
}
