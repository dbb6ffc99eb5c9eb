package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.spi.StateSnapshotter;
import dev.raftboot.spring.test.StringState;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompositeStateSnapshotterTests {

  @Test
  void restoresEveryPartIntoTheSnapshotterOfItsName() {
    StringState a = new StringState("alpha");
    StringState b = new StringState("beta");
    ByteString data = composite(Map.of("a", a, "b", b)).snapshot();
    StringState a2 = new StringState("");
    StringState b2 = new StringState("");
    // Bean order does not matter, only the names do.
    composite(ordered("b", b2, "a", a2)).restore(data);
    assertThat(a2.state).isEqualTo("alpha");
    assertThat(b2.state).isEqualTo("beta");
  }

  @Test
  void ownPartNameWinsOverTheBeanName() {
    StringState renamed = new StringState("stock").named("inventory");
    ByteString data = composite(Map.of("inventoryService", renamed)).snapshot();
    StringState restored = new StringState("").named("inventory");
    composite(Map.of("stockKeeper", restored)).restore(data);
    assertThat(restored.state).isEqualTo("stock");
    assertThat(composite(Map.of("x", restored)).partNames()).containsExactly("inventory");
  }

  @Test
  void unknownOrMissingPartIsRefusedBeforeAnythingIsRestored() {
    ByteString data =
        composite(Map.of("a", new StringState("1"), "b", new StringState("2"))).snapshot();
    StringState a = new StringState("untouched");
    StringState c = new StringState("untouched");
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
    ByteString data = composite(Map.of("a", new StringState("1"))).snapshot();
    StringState a = new StringState("");
    StringState added = new StringState("stale").acceptingMissingPart();
    composite(Map.of("a", a, "added", added)).restore(data);
    assertThat(a.state).isEqualTo("1");
    assertThat(added.state).isEmpty();
  }

  @Test
  void snapshotOfASingleSnapshotterInTheOldFormatRestoresIntoTheOnlyOne() {
    ByteString old = ByteString.copyFromUtf8("{\"apples\":3}");
    StringState only = new StringState("");
    composite(Map.of("inventory", only)).restore(old);
    assertThat(only.state).isEqualTo("{\"apples\":3}");
  }

  @Test
  void snapshotInTheOldFormatIsRefusedWithSeveralSnapshotters() {
    StringState a = new StringState("untouched");
    assertThatThrownBy(
            () ->
                composite(Map.of("a", a, "b", new StringState("")))
                    .restore(ByteString.copyFromUtf8("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("written by raftboot 0.1 for a single StateSnapshotter")
        .hasMessageContaining("has 2 [a, b]")
        .hasMessageContaining("POST /actuator/raft/snapshot");
    assertThat(a.state).isEqualTo("untouched");
  }

  @Test
  void twoSnapshottersMayNotShareAPartName() {
    assertThatThrownBy(
            () ->
                composite(
                    ordered(
                        "a", new StringState("").named("x"), "b", new StringState("").named("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beans a and b both store their snapshot part as \"x\"");
  }

  @Test
  void emptyPartsRoundTrip() {
    ByteString data = composite(Map.of("a", new StringState(""))).snapshot();
    StringState a = new StringState("before");
    composite(Map.of("a", a)).restore(data);
    assertThat(a.state).isEmpty();
  }

  private static CompositeStateSnapshotter composite(Map<String, StringState> parts) {
    return new CompositeStateSnapshotter(parts);
  }

  private static Map<String, StringState> ordered(
      String k1, StringState v1, String k2, StringState v2) {
    Map<String, StringState> map = new LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return map;
  }
}
