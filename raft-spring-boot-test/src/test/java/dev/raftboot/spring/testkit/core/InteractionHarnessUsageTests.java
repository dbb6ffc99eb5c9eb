package dev.raftboot.spring.testkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.InteractionHarness;
import org.junit.jupiter.api.Test;

/**
 * raft-core's interaction harness used from outside raft-core, through its test-jar, as a
 * raft-core user would (the example of src-docs/testing.md).
 */
class InteractionHarnessUsageTests {

  private static final String ELECTION =
      """
      add-nodes 3 voters=(1,2,3) index=2
      ----
      INFO 1 switched to configuration voters=(1 2 3)
      INFO 1 became follower at term 0
      INFO newRaft 1 [peers: [1,2,3], term: 0, commit: 2, applied: 2, lastindex: 2, lastterm: 1]
      INFO 2 switched to configuration voters=(1 2 3)
      INFO 2 became follower at term 0
      INFO newRaft 2 [peers: [1,2,3], term: 0, commit: 2, applied: 2, lastindex: 2, lastterm: 1]
      INFO 3 switched to configuration voters=(1 2 3)
      INFO 3 became follower at term 0
      INFO newRaft 3 [peers: [1,2,3], term: 0, commit: 2, applied: 2, lastindex: 2, lastterm: 1]

      campaign 1
      ----
      INFO 1 is starting a new election at term 0
      INFO 1 became candidate at term 1
      INFO 1 [logterm: 1, index: 2] sent MsgVote request to 2 at term 1
      INFO 1 [logterm: 1, index: 2] sent MsgVote request to 3 at term 1

      stabilize log-level=none
      ----
      ok

      raft-state
      ----
      1: StateLeader (Voter) Term:1 Lead:1
      2: StateFollower (Voter) Term:1 Lead:1
      3: StateFollower (Voter) Term:1 Lead:1
      """;

  @Test
  void aScriptWithItsExpectedOutputPasses() {
    InteractionHarness.check(ELECTION);
  }

  @Test
  void anOutputThatDiffersFailsNamingTheDirective() {
    String wrong = ELECTION.replace("1: StateLeader", "1: StateFollower");

    assertThatThrownBy(() -> InteractionHarness.check(wrong))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("raft-state");
  }

  @Test
  void aTranscriptFillsInTheActualOutput() {
    String transcript = InteractionHarness.transcript(ELECTION.replace("StateLeader", "?"));

    assertThat(transcript).contains("1: StateLeader (Voter) Term:1 Lead:1");
    InteractionHarness.check(transcript);
  }
}
