package dev.raftboot.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The window of appends in flight to one follower: count and byte limits, release in order. */
class InflightsTest {

  @Test
  void fillsUpToItsSize() {
    Inflights in = new Inflights(3, 0);
    in.add(1, 10);
    in.add(2, 10);
    assertThat(in.full()).isFalse();
    in.add(3, 10);
    assertThat(in.count()).isEqualTo(3);
    assertThat(in.full()).isTrue();
    assertThatThrownBy(() -> in.add(4, 10)).isInstanceOf(IllegalStateException.class);
  }

  /** Acknowledging index i releases every append whose last index is at most i. */
  @Test
  void freeLeReleasesAPrefix() {
    Inflights in = new Inflights(10, 0);
    for (long i = 0; i < 10; i++) {
      in.add(i, 1);
    }
    in.freeLE(4);
    assertThat(in.count()).isEqualTo(5);
    in.freeLE(4); // again: nothing more
    assertThat(in.count()).isEqualTo(5);
    in.freeLE(3); // below what is left: nothing
    assertThat(in.count()).isEqualTo(5);
    in.freeLE(8);
    assertThat(in.count()).isEqualTo(1);
    in.freeLE(100);
    assertThat(in.count()).isZero();
    assertThat(in.full()).isFalse();
  }

  /** The ring buffer wraps around without losing the order of appends. */
  @Test
  void wrapsAround() {
    Inflights in = new Inflights(10, 0);
    for (long i = 0; i < 10; i++) {
      in.add(i, 1);
    }
    in.freeLE(4);
    for (long i = 10; i < 15; i++) {
      in.add(i, 1);
    }
    assertThat(in.full()).isTrue();
    in.freeLE(9);
    assertThat(in.count()).isEqualTo(5);
    in.freeLE(12);
    assertThat(in.count()).isEqualTo(2);
    in.add(15, 1);
    in.freeLE(14);
    assertThat(in.count()).isEqualTo(1);
    in.freeLE(15);
    assertThat(in.count()).isZero();
  }

  /** With a byte limit the window is full once the bytes in flight reach it. */
  @Test
  void byteLimit() {
    Inflights in = new Inflights(10, 100);
    in.add(1, 60);
    assertThat(in.full()).isFalse();
    in.add(2, 40);
    assertThat(in.full()).isTrue();
    in.freeLE(1);
    assertThat(in.full()).isFalse();
    in.add(3, 200);
    assertThat(in.full()).isTrue();
    in.freeLE(3);
    assertThat(in.full()).isFalse();
    assertThat(in.count()).isZero();
  }

  @Test
  void resetAndCopy() {
    Inflights in = new Inflights(4, 0);
    in.add(1, 1);
    in.add(2, 1);
    Inflights copy = in.copy();
    in.reset();
    assertThat(in.count()).isZero();
    assertThat(copy.count()).isEqualTo(2);
    copy.freeLE(1);
    assertThat(copy.count()).isEqualTo(1);
    in.add(7, 1);
    assertThat(in.count()).isEqualTo(1);
  }

  @Test
  void sizeMustBePositive() {
    assertThatThrownBy(() -> new Inflights(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
