package dev.raftboot.spring.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.spring.faults.MutualExclusionChecker.Applied;
import dev.raftboot.spring.faults.MutualExclusionChecker.Held;
import org.junit.jupiter.api.Test;

/** Hand-written histories that the checker must accept or reject. */
class MutualExclusionCheckerTests {

  private final MutualExclusionChecker checker = new MutualExclusionChecker();

  private void grant(String lock, String owner, long token, long from, long until) {
    checker.applied(new Applied(1, lock, owner, token));
    checker.held(new Held(lock, owner, token, from, until, "c-" + owner));
  }

  @Test
  void acceptsHoldersOneAfterAnotherWithGrowingTokens() {
    grant("a", "x", 1, 0, 10);
    grant("a", "y", 3, 11, 20);
    grant("b", "z", 2, 5, 15);
    assertThat(checker.check()).isEmpty();
  }

  @Test
  void rejectsOverlappingHolders() {
    grant("a", "x", 1, 0, 10);
    grant("a", "y", 2, 10, 20);
    assertThat(checker.check()).singleElement().asString().contains("relied on it until");
  }

  @Test
  void rejectsATokenThatDoesNotGrow() {
    grant("a", "x", 5, 0, 10);
    grant("a", "y", 4, 11, 20);
    assertThat(checker.check()).singleElement().asString().contains("follows token 5");
  }

  @Test
  void rejectsAGrantNoNodeApplied() {
    checker.held(new Held("a", "x", 1, 0, 10, "c-x"));
    assertThat(checker.check()).singleElement().asString().contains("applied by no node");
  }

  @Test
  void rejectsOneTokenAppliedForTwoGrants() {
    grant("a", "x", 1, 0, 10);
    checker.applied(new Applied(2, "a", "y", 1));
    assertThat(checker.check()).anySatisfy(v -> assertThat(v).contains("applied for two grants"));
  }
}
