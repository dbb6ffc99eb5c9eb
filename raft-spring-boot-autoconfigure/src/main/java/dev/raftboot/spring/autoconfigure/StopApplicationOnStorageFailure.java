package dev.raftboot.spring.autoconfigure;

import java.util.function.IntConsumer;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code raft.storage.on-failure=stop-application}: closes the application context through {@link
 * SpringApplication#exit} (which publishes the exit code and stops every bean, the raft node
 * included) and then ends the JVM with that code, {@value #EXIT_CODE} (EX_IOERR) unless an {@link
 * ExitCodeGenerator} bean says otherwise. A JVM whose context was closed would otherwise end with
 * code 0, and a supervisor that restarts on failure would not restart it.
 */
final class StopApplicationOnStorageFailure implements Runnable {

  /** sysexits.h EX_IOERR: "an error occurred while doing I/O on some file". */
  static final int EXIT_CODE = 74;

  private final ConfigurableApplicationContext context;
  private final IntConsumer exitJvm;

  StopApplicationOnStorageFailure(ConfigurableApplicationContext context, IntConsumer exitJvm) {
    this.context = context;
    this.exitJvm = exitJvm;
  }

  @Override
  public void run() {
    exitJvm.accept(SpringApplication.exit(context, () -> EXIT_CODE));
  }
}
