package dev.raftboot.spring.test;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.StateSnapshotter;

/**
 * A snapshot part whose whole state is one string, for tests of how parts are snapshotted and
 * restored. Remembers what the last restore handed it; part name and missing-part tolerance are set
 * by the test.
 */
public final class StringState implements StateSnapshotter {

  public volatile String state;
  /** The state the last {@link #restore} set, or null if none has run. */
  public volatile String restoredFrom;
  private volatile String name;
  private volatile boolean acceptsMissing;

  public StringState(String state) {
    this.state = state;
  }

  /** Stores this part under {@code name} instead of the bean's name. */
  public StringState named(String name) {
    this.name = name;
    return this;
  }

  /** Lets a snapshot without this part restore, leaving the state as it is. */
  public StringState acceptingMissingPart() {
    this.acceptsMissing = true;
    return this;
  }

  @Override
  public ByteString snapshot() {
    return ByteString.copyFromUtf8(state);
  }

  @Override
  public void restore(ByteString data) {
    state = data.toStringUtf8();
    restoredFrom = state;
  }

  @Override
  public String snapshotPartName() {
    return name;
  }

  @Override
  public boolean acceptsMissingPart() {
    return acceptsMissing;
  }
}
