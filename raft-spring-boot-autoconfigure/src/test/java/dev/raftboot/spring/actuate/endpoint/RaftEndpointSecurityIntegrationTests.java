package dev.raftboot.spring.actuate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.test.RaftTestNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The endpoint's writes in an application that configures Spring Security (the filter chain of
 * src-docs/transport-and-security.md): enabled with {@code access=unrestricted}, they still need
 * the {@code RAFT_ADMIN} role; reads need nothing.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
      "raft.node-id=1",
      "raft.peers.1=http://localhost:8081",
      "raft.tick-interval=10ms",
      "management.endpoints.web.exposure.include=raft,health",
      "management.endpoint.raft.access=unrestricted",
      "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
    })
class RaftEndpointSecurityIntegrationTests extends SingleNodeWebApp {


  @BeforeEach
  void leaderElected() {
    RaftTestNode.awaitLeader(server);
  }

  @Test
  void anAnonymousCallerCannotWrite() throws Exception {
    HttpResponse<String> r = snapshot(null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("\"UNAUTHORIZED\"").contains("needs the role RAFT_ADMIN");
  }

  @Test
  void aCallerWithoutTheRoleCannotWrite() throws Exception {
    HttpResponse<String> r = snapshot("viewer");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("\"FORBIDDEN\"").contains("viewer does not have the role RAFT_ADMIN");
    HttpResponse<String> remove =
        http.send(
            HttpRequest.newBuilder(uri("/actuator/raft/members/1")).header("Authorization", basic("viewer")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(remove.statusCode()).isEqualTo(403);
    assertThat(server.status().voters()).containsExactly(1L);
  }

  @Test
  void anAdminCanWrite() throws Exception {
    HttpResponse<String> r = snapshot("admin");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"DONE\"");
  }

  @Test
  void readsNeedNoLogin() throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri("/actuator/raft")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> snapshot(@Nullable String user) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri("/actuator/raft/snapshot")).POST(HttpRequest.BodyPublishers.noBody());
    if (user != null) {
      b.header("Authorization", basic(user));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-password").getBytes(StandardCharsets.UTF_8));
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(SingleNodeWebApp.Beans.class)
  @EnableWebSecurity
  static class App {

    /** The chain the docs show: peers authenticate with their own signatures, callers with basic auth. */
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.requestMatchers("/raft/**").permitAll().anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.ignoringRequestMatchers("/raft/**", "/actuator/**"))
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("admin").password("{noop}admin-password").roles("RAFT_ADMIN").build(),
          User.withUsername("viewer").password("{noop}viewer-password").roles("VIEWER").build());
    }
  }
}
