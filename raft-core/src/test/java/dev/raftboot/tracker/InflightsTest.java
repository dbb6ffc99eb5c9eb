package dev.raftboot.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InflightsTest {

  @Test
  void fillsUpToTheCountLimit() {
    Inflights in = new Inflights(3, 0);
    in.add(1, 100);
    in.add(2, 100);
    assertThat(in.full()).isFalse();
    in.add(3, 100);
    assertThat(in.full()).isTrue();
    assertThat(in.count()).isEqualTo(3);
    assertThatThrownBy(() -> in.add(4, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void freeLeReleasesAcknowledgedPrefix() {
    Inflights in = new Inflights(10, 0);
    for (long i = 1; i <= 5; i++) {
      in.add(i * 10, 1);
    }
    in.freeLE(5);
    assertThat(in.count()).isEqualTo(5);
    in.freeLE(25);
    assertThat(in.count()).isEqualTo(3);
    in.freeLE(20);
    assertThat(in.count()).isEqualTo(3);
    in.freeLE(50);
    assertThat(in.count()).isZero();
    in.freeLE(100);
    assertThat(in.count()).isZero();
  }

  @Test
  void ringBufferWrapsAround() {
    Inflights in = new Inflights(4, 0);
    for (long i = 1; i <= 4; i++) {
      in.add(i, 1);
    }
    in.freeLE(2);
    in.add(5, 1);
    in.add(6, 1);
    assertThat(in.full()).isTrue();
    in.freeLE(4);
    assertThat(in.count()).isEqualTo(2);
    in.add(7, 1);
    in.freeLE(6);
    assertThat(in.count()).isEqualTo(1);
    in.freeLE(7);
    assertThat(in.count()).isZero();
    in.add(8, 1);
    assertThat(in.count()).isEqualTo(1);
  }

  @Test
  void byteLimitFillsTheWindowAndFreeingReleasesBytes() {
    Inflights in = new Inflights(10, 100);
    in.add(1, 40);
    in.add(2, 50);
    assertThat(in.full()).isFalse();
    in.add(3, 10);
    assertThat(in.full()).isTrue();
    in.freeLE(1);
    assertThat(in.full()).isFalse();
    // A single large append may exceed the limit; it just fills the window.
    in.add(4, 1000);
    assertThat(in.full()).isTrue();
    assertThat(in.count()).isEqualTo(3);
  }

  @Test
  void zeroAndMaxMeanNoByteLimit() {
    for (long max : new long[] {0, -1L}) {
      Inflights in = new Inflights(2, max);
      in.add(1, Long.MAX_VALUE);
      assertThat(in.full()).isFalse();
    }
  }

  @Test
  void resetEmptiesTheWindow() {
    Inflights in = new Inflights(2, 10);
    in.add(1, 6);
    in.add(2, 4);
    assertThat(in.full()).isTrue();
    in.reset();
    assertThat(in.count()).isZero();
    assertThat(in.full()).isFalse();
    in.add(3, 5);
    assertThat(in.full()).isFalse();
  }

  @Test
  void copyIsIndependent() {
    Inflights in = new Inflights(3, 0);
    in.add(1, 1);
    in.add(2, 1);
    Inflights c = in.copy();
    in.freeLE(2);
    c.add(3, 1);
    assertThat(in.count()).isZero();
    assertThat(c.count()).isEqualTo(3);
    assertThat(c.full()).isTrue();
    c.freeLE(1);
    assertThat(c.count()).isEqualTo(2);
  }

  @Test
  void rejectsNonPositiveSize() {
    assertThatThrownBy(() -> new Inflights(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
