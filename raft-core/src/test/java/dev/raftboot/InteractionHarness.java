package dev.raftboot;

import dev.raftboot.datadriven.DataDriven;
import dev.raftboot.datadriven.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * etcd's {@code rafttest} interaction harness for raft-core users' own tests: a cluster of {@link
 * RawNode}s on {@link MemoryStorage}, driven by a script of directives ({@code add-nodes}, {@code
 * campaign}, {@code propose}, {@code stabilize}, {@code deliver-msgs}, {@code process-ready},
 * {@code tick-heartbeat}, {@code partition}, ...; see {@code InteractionEnv} for the full list),
 * each followed by its expected output, in the datadriven format etcd's {@code testdata/*.txt} use.
 *
 * <pre>{@code
 * InteractionHarness.check("""
 *     add-nodes 1 voters=(1) index=2
 *     ----
 *     INFO 1 switched to configuration voters=(1)
 *     ...
 *     """);
 * }</pre>
 *
 * Shipped in raft-core's test-jar (Maven {@code <type>test-jar</type>}, test scope). One harness
 * holds one cluster; not thread-safe.
 */
public final class InteractionHarness {

  private final InteractionEnv env = new InteractionEnv();

  /** Runs one parsed directive against this harness's cluster and returns its output. */
  public String handle(TestData directive) {
    return env.handle(directive);
  }

  /**
   * Runs {@code script} (directives with their expected output) on a fresh cluster; throws an
   * {@link AssertionError} at the first directive whose output differs, naming its line.
   */
  public static void check(String script) {
    DataDriven.run(DataDriven.parse("script", script), new InteractionHarness()::handle);
  }

  /** {@link #check(String)} for a script file. */
  public static void check(Path script) {
    try {
      DataDriven.run(script, new InteractionHarness()::handle);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + script, e);
    }
  }

  /**
   * Runs {@code script} on a fresh cluster and returns it with every expected output replaced by
   * the actual one: how a new script gets its expected output (read it before pasting it in).
   */
  public static String transcript(String script) {
    InteractionHarness harness = new InteractionHarness();
    StringBuilder out = new StringBuilder();
    List<TestData> directives = DataDriven.parse("script", script);
    for (TestData d : directives) {
      out.append(d.directive()).append('\n');
      if (!d.input().isEmpty()) {
        out.append(d.input()).append('\n');
      }
      String actual = harness.handle(d);
      out.append("----\n").append(actual);
      if (!actual.endsWith("\n")) {
        out.append('\n');
      }
      out.append('\n');
    }
    return out.toString();
  }
}
