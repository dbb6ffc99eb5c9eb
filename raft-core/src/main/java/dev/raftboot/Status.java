package dev.raftboot;

import dev.raftboot.tracker.ProgressMap;
import dev.raftboot.tracker.TrackerConfig;

/**
 * A snapshot of a node's state.
 *
 * @param basic term, vote, commit, role, leader, applied index, transfer target
 * @param config a copy of the active configuration
 * @param progress a copy of every member's replication progress; {@code null} unless leader
 */
public record Status(BasicStatus basic, TrackerConfig config, ProgressMap progress) {

  public long id() {
    return basic.id();
  }

  public StateType raftState() {
    return basic.softState().raftState();
  }

  public long lead() {
    return basic.softState().lead();
  }

  public long term() {
    return basic.hardState().getTerm();
  }

  public long commit() {
    return basic.hardState().getCommit();
  }

  public long applied() {
    return basic.applied();
  }
}
