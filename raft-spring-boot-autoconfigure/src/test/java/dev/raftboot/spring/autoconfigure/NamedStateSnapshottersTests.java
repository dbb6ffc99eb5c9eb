package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedStateSnapshottersTests {

  static final class Value implements StateSnapshotter {
    String state;

    Value(String state) {
      this.state = state;
    }

    @Override
    public ByteString snapshot() {
      return ByteString.copyFromUtf8(state);
    }

    @Override
    public void restore(ByteString data) {
      state = data.toStringUtf8();
    }
  }

  @Test
  void noneIsNoSnapshotterAndOneIsTheBeanItself() {
    Value only = new Value("x");
    assertThat(NamedStateSnapshotters.of(Map.of())).isNull();
    assertThat(NamedStateSnapshotters.of(Map.of("only", only))).isSameAs(only);
  }

  @Test
  void severalAreSnapshottedAndRestoredByBeanName() {
    Value a = new Value("apples");
    Value b = new Value("");
    StateSnapshotter both = NamedStateSnapshotters.of(new LinkedHashMap<>(Map.of("a", a, "b", b)));
    ByteString snapshot = both.snapshot();

    Value a2 = new Value("old");
    Value b2 = new Value("old");
    NamedStateSnapshotters.of(Map.of("b", b2, "a", a2)).restore(snapshot);
    assertThat(a2.state).isEqualTo("apples");
    assertThat(b2.state).isEmpty();
  }

  @Test
  void aSnapshotOfOneBeanIsRefusedWithWhatToDo() {
    StateSnapshotter both = NamedStateSnapshotters.of(Map.of("a", new Value("a"), "b", new Value("b")));
    assertThatIllegalStateException()
        .isThrownBy(() -> both.restore(ByteString.copyFromUtf8("raw state of one bean")))
        .withMessageContaining("remove its data directory");
  }

  @Test
  void aSnapshotNamingABeanThisNodeLacksIsRefused() {
    ByteString snapshot =
        NamedStateSnapshotters.of(Map.of("a", new Value("a"), "c", new Value("c"))).snapshot();
    StateSnapshotter here = NamedStateSnapshotters.of(Map.of("a", new Value("a"), "b", new Value("b")));
    assertThatIllegalStateException()
        .isThrownBy(() -> here.restore(snapshot))
        .withMessageContaining("bean 'c'");
  }
}
