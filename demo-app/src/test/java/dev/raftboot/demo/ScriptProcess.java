package dev.raftboot.demo;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A command run as a child process (a shell script, a JVM), with its output (stdout and stderr
 * merged) collected line by line and echoed to the test's output with a prefix.
 */
final class ScriptProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;
  /** Every descendant seen while the process ran, so that close() can kill orphans too. */
  private final List<ProcessHandle> seen = new CopyOnWriteArrayList<>();

  private ScriptProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::readOutput, "output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static ScriptProcess start(String name, Path dir, Map<String, String> env, String... command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      System.out.println("[" + name + "] started " + String.join(" ", command) + " (pid " + process.pid() + ")");
      return new ScriptProcess(name, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void readOutput() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
        System.out.println("[" + name + "] " + line);
      }
    } catch (IOException e) {
      System.out.println("[" + name + "] output closed: " + e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  String output() {
    return String.join("\n", lines);
  }

  /**
   * Waits for the first output line that matches and returns it. Fails if the process ends
   * without printing it, or after {@code timeout}.
   */
  String awaitLine(Predicate<String> matches, String what, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : lines) {
        if (matches.test(line)) {
          return line;
        }
      }
      rememberDescendants();
      if (!process.isAlive()) {
        reader.join(10_000);
        for (String line : lines) {
          if (matches.test(line)) {
            return line;
          }
        }
        fail(name + " exited (status " + process.exitValue() + ") without printing " + what
            + "; its output:\n" + output());
      }
      if (System.nanoTime() > deadline) {
        fail(name + " did not print " + what + " within " + timeout + "; its output:\n" + output());
      }
      Thread.sleep(200);
    }
  }

  /**
   * Sends SIGTERM (what the script's Ctrl-C trap also handles). Through the process handle:
   * Process.destroy() would also close the output stream, and the last lines would be lost.
   */
  void terminate() {
    rememberDescendants();
    process.toHandle().destroy();
  }

  /** Waits for the process to exit and for its output to be read; fails after {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      fail(name + " did not exit within " + timeout + "; its output:\n" + output());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  void rememberDescendants() {
    process.descendants().forEach(seen::add);
  }

  /** Kills the process and everything it started that still runs. */
  @Override
  public void close() {
    rememberDescendants();
    List<ProcessHandle> all = new ArrayList<>(seen);
    all.add(process.toHandle());
    for (ProcessHandle handle : all) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.out.println("[" + name + "] process " + handle.pid() + " did not exit: " + e);
      }
    }
  }
}
