package dev.raftboot.datadriven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * Turns the etcd raft scenario scripts into JUnit tests. The scripts are read in place from the
 * directory named by the system property {@value #PROPERTY}.
 */
public final class ConformanceFiles {

  /** System property naming the directory that holds etcd raft's script folders. */
  public static final String PROPERTY = "raft.conformance.dir";

  private ConformanceFiles() {}

  /**
   * One JUnit DynamicTest per *.txt under &lt;raft.conformance.dir&gt;/&lt;subdir&gt;,
   * lexicographic, named after the file without extension (skip ".*", "*~", "#*#"). If the
   * directory is missing, aborts the test via Assumptions with a clear message naming the property
   * and path.
   *
   * <p>The abort happens inside a single placeholder test, so that the reason appears in the test
   * reports. Subdirectories are walked too; their tests are named {@code dir/file}. {@code
   * handlerFactory} is called once per file, so a handler may keep state across the directives of
   * its file.
   */
  public static Stream<DynamicTest> tests(
      String subdir, Function<Path, Function<TestData, String>> handlerFactory) {
    String root = System.getProperty(PROPERTY);
    if (root == null || root.isBlank()) {
      return skipped(
          "system property " + PROPERTY + " is not set; skipping the conformance scripts");
    }
    Path dir = Path.of(root).resolve(subdir);
    if (!Files.isDirectory(dir)) {
      return skipped(
          "conformance scripts not found at "
              + dir.toAbsolutePath().normalize()
              + " (system property "
              + PROPERTY
              + "="
              + root
              + "); skipping");
    }
    return testsIn(dir, false, handlerFactory);
  }

  /**
   * One JUnit DynamicTest per *.txt under {@code dir} (which must exist), named and ordered as in
   * {@link #tests}. With {@code rewrite}, each test instead regenerates its file's expected
   * outputs ({@link DataDriven#rewrite}) and never fails on a mismatch.
   */
  public static Stream<DynamicTest> testsIn(
      Path dir, boolean rewrite, Function<Path, Function<TestData, String>> handlerFactory) {
    List<DynamicTest> tests = new ArrayList<>();
    collect(dir, "", rewrite, handlerFactory, tests);
    return tests.stream();
  }

  /** A single aborted test, so that the reason shows up in the test reports. */
  private static Stream<DynamicTest> skipped(String reason) {
    return Stream.of(
        DynamicTest.dynamicTest(
            "conformance scripts unavailable", () -> Assumptions.abort(reason)));
  }

  private static void collect(
      Path dir,
      String prefix,
      boolean rewrite,
      Function<Path, Function<TestData, String>> handlerFactory,
      List<DynamicTest> out) {
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted((a, b) -> name(a).compareTo(name(b))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path p : entries) {
      String n = name(p);
      if (n.startsWith(".") || n.endsWith("~") || (n.startsWith("#") && n.endsWith("#"))) {
        continue;
      }
      if (Files.isDirectory(p)) {
        collect(p, prefix + n + "/", rewrite, handlerFactory, out);
      } else if (n.endsWith(".txt")) {
        String testName = prefix + n.substring(0, n.length() - ".txt".length());
        out.add(
            DynamicTest.dynamicTest(
                testName,
                p.toUri(),
                () -> {
                  if (rewrite) {
                    DataDriven.rewrite(p, handlerFactory.apply(p));
                  } else {
                    DataDriven.run(p, handlerFactory.apply(p));
                  }
                }));
      }
    }
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }
}
