package dev.raftboot.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The result line the embedded run sends back from the leader's JVM. */
class RowTest {

  @Test
  void aRowSurvivesItsTsvLine() {
    Row row =
        new Row("raftboot", "3 JVMs, client in the leader's JVM", 256, 20.0012, 441_960, 10.45, 35.14,
            55.01, 61.2, 3, 36.01, 0.0, 36.8);
    Row back = Row.parseTsv(row.tsv() + "\n");
    assertThat(back.markdown()).isEqualTo(row.markdown());
    assertThat(back.ops()).isEqualTo(441_960);
    assertThat(back.concurrency()).isEqualTo(256);
    assertThat(back.errors()).isEqualTo(3);
  }

  @Test
  void refusesALineThatIsNotARow() {
    assertThatThrownBy(() -> Row.parseTsv("HTTP 500 something went wrong"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a result line");
  }
}
