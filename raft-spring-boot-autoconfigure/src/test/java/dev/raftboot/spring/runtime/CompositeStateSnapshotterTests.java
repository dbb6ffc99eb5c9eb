package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompositeStateSnapshotterTests {

  @Test
  void restoresEveryPartIntoTheSnapshotterOfItsName() {
    Part a = new Part("alpha");
    Part b = new Part("beta");
    ByteString data = composite(Map.of("a", a, "b", b)).snapshot();
    Part a2 = new Part("");
    Part b2 = new Part("");
    // Bean order does not matter, only the names do.
    composite(ordered("b", b2, "a", a2)).restore(data);
    assertThat(a2.state).isEqualTo("alpha");
    assertThat(b2.state).isEqualTo("beta");
  }

  @Test
  void ownPartNameWinsOverTheBeanName() {
    Part renamed = new Part("stock").named("inventory");
    ByteString data = composite(Map.of("inventoryService", renamed)).snapshot();
    Part restored = new Part("").named("inventory");
    composite(Map.of("stockKeeper", restored)).restore(data);
    assertThat(restored.state).isEqualTo("stock");
    assertThat(composite(Map.of("x", restored)).partNames()).containsExactly("inventory");
  }

  @Test
  void unknownOrMissingPartIsRefusedBeforeAnythingIsRestored() {
    ByteString data = composite(Map.of("a", new Part("1"), "b", new Part("2"))).snapshot();
    Part a = new Part("untouched");
    Part c = new Part("untouched");
    assertThatThrownBy(() -> composite(Map.of("a", a, "c", c)).restore(data))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds the parts [a, b]")
        .hasMessageContaining("beans are [a, c]")
        .hasMessageContaining("no bean restores [b]")
        .hasMessageContaining("no part for [c]")
        .hasMessageContaining("acceptsMissingPart()");
    assertThat(a.state).isEqualTo("untouched");
    assertThat(c.state).isEqualTo("untouched");
  }

  @Test
  void snapshotterAddedLaterMayStartEmpty() {
    ByteString data = composite(Map.of("a", new Part("1"))).snapshot();
    Part a = new Part("");
    Part added = new Part("stale").acceptingMissingPart();
    composite(Map.of("a", a, "added", added)).restore(data);
    assertThat(a.state).isEqualTo("1");
    assertThat(added.state).isEmpty();
  }

  @Test
  void snapshotOfASingleSnapshotterInTheOldFormatRestoresIntoTheOnlyOne() {
    ByteString old = ByteString.copyFromUtf8("{\"apples\":3}");
    Part only = new Part("");
    composite(Map.of("inventory", only)).restore(old);
    assertThat(only.state).isEqualTo("{\"apples\":3}");
  }

  @Test
  void snapshotInTheOldFormatIsRefusedWithSeveralSnapshotters() {
    Part a = new Part("untouched");
    assertThatThrownBy(
            () -> composite(Map.of("a", a, "b", new Part(""))).restore(ByteString.copyFromUtf8("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("written by raftboot 0.1 for a single StateSnapshotter")
        .hasMessageContaining("has 2 [a, b]")
        .hasMessageContaining("POST /actuator/raft/snapshot");
    assertThat(a.state).isEqualTo("untouched");
  }

  @Test
  void twoSnapshottersMayNotShareAPartName() {
    assertThatThrownBy(
            () -> composite(ordered("a", new Part("").named("x"), "b", new Part("").named("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beans a and b both store their snapshot part as \"x\"");
  }

  @Test
  void emptyPartsRoundTrip() {
    ByteString data = composite(Map.of("a", new Part(""))).snapshot();
    Part a = new Part("before");
    composite(Map.of("a", a)).restore(data);
    assertThat(a.state).isEmpty();
  }

  private static CompositeStateSnapshotter composite(Map<String, Part> parts) {
    return new CompositeStateSnapshotter(parts);
  }

  private static Map<String, Part> ordered(String k1, Part v1, String k2, Part v2) {
    Map<String, Part> map = new LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return map;
  }

  private static final class Part implements StateSnapshotter {
    String state;
    private String name;
    private boolean acceptsMissing;

    Part(String state) {
      this.state = state;
    }

    Part named(String name) {
      this.name = name;
      return this;
    }

    Part acceptingMissingPart() {
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
}
