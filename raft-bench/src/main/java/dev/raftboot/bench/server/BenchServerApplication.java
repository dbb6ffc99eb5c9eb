package dev.raftboot.bench.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * One node of the cluster benchmark: a Spring Boot application on raft-spring-boot-starter whose
 * replicated state is {@link BenchKvStore}. Clients put values with {@code PUT /kv/{key}} (see
 * {@link PutServlet}); peers talk through the starter's HTTP transport. Prints {@code READY} once
 * the application has started, which is what the benchmark driver waits for.
 */
@SpringBootApplication
public class BenchServerApplication {

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(BenchServerApplication.class);
    app.addListeners(
        (ApplicationListener<ApplicationReadyEvent>)
            e -> {
              System.out.println("READY pid " + ProcessHandle.current().pid());
              System.out.flush();
            });
    app.run(args);
  }
}
