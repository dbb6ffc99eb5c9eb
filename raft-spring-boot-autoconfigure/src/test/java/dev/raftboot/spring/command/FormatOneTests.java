package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import dev.raftboot.spring.api.InvalidCommandException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Commands as format version 1 wrote them (the bytes below were captured from that writer) are
 * applied, so existing logs and snapshots keep working; damaged ones fail the same way everywhere.
 */
class FormatOneTests {

  /** {@code store.put("key-1", "välue")}, every argument as JSON. */
  static final String PUT =
      "0801120573746f72651a576465762e72616674626f6f742e737072696e672e636f6d6d616e642e466f726d61744f"
          + "6e6554657374732453746f726523707574286a6176612e6c616e672e537472696e672c6a6176612e6c616e67"
          + "2e537472696e672922046a736f6e2a090a07226b65792d31222a0a0a082276c3a46c756522";

  /** {@code store.mixed(-7, null, new byte[] {1, 2}, StringValue.of("p"))}. */
  static final String MIXED =
      "0801120573746f72651a6f6465762e72616674626f6f742e737072696e672e636f6d6d616e642e466f726d61744f"
          + "6e6554657374732453746f7265236d6978656428696e742c6a6176612e6c616e672e537472696e672c627974"
          + "655b5d2c636f6d2e676f6f676c652e70726f746f6275662e4d6573736167652922046a736f6e2a040a022d37"
          + "2a002a080a06224151493d222a26121f636f6d2e676f6f676c652e70726f746f6275662e537472696e675661"
          + "6c75651a030a0170";

  @Test
  void callsWrittenByFormatOneAreApplied() throws Exception {
    Node node = new Node();
    assertThat(node.applier.apply(bytes(PUT))).isEqualTo("key-1=välue");
    assertThat(node.applier.apply(bytes(MIXED))).isEqualTo("-7/null/2/" + StringValue.of("p"));
    // The message class was looked up once and is kept for the next command.
    assertThat(node.applier.apply(bytes(MIXED))).isEqualTo("-7/null/2/" + StringValue.of("p"));
    assertThat(node.mixed().prototypes()).containsOnlyKeys(StringValue.class.getName());
    assertThat(node.store.calls).containsExactly("put", "mixed", "mixed");
  }

  @Test
  void theWriterStillProducesTheseBytes() {
    // Guards the captured constants: while arguments are JSON, the current writer must agree.
    Node node = new Node();
    assertThat(MethodCall.encode(
            node.put(), new Object[] {"key-1", "välue"}, new JsonCommandCodec(), MethodCall.FORMAT_1))
        .isEqualTo(bytes(PUT));
  }

  @Test
  void everyTruncationFailsAsAnInvalidCommandTheSameWayOnEveryNode() {
    ByteString whole = bytes(MIXED);
    Node one = new Node();
    Node two = new Node();
    for (int n = 0; n < whole.size(); n++) {
      ByteString cut = whole.substring(0, n);
      Throwable a = catchThrowable(() -> one.applier.apply(cut));
      Throwable b = catchThrowable(() -> two.applier.apply(cut));
      assertThat(a).as("cut at %d", n).isInstanceOf(InvalidCommandException.class);
      assertThat(b).as("cut at %d", n).isInstanceOf(InvalidCommandException.class);
      assertThat(a.getMessage()).isEqualTo(b.getMessage());
    }
    assertThat(one.store.calls).isEmpty();
    assertThat(two.store.calls).isEmpty();
  }

  @Test
  void everyFlippedByteEitherAppliesOrFailsTheSameWayOnEveryNode() {
    byte[] whole = bytes(MIXED).toByteArray();
    for (int i = 0; i < whole.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] garbled = whole.clone();
        garbled[i] ^= (byte) (1 << bit);
        ByteString data = ByteString.copyFrom(garbled);
        assertThat(outcome(new Node(), data)).as("byte %d bit %d", i, bit).isEqualTo(outcome(new Node(), data));
      }
    }
  }

  /** What applying {@code data} does on a fresh node: its result, or its exception's type and message. */
  private static String outcome(Node node, ByteString data) {
    try {
      return "applied " + node.applier.apply(data) + " " + node.store.calls;
    } catch (Exception e) {
      return e.getClass().getName() + ": " + e.getMessage() + " " + node.store.calls;
    }
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  /** One node's registry and applier with a fresh store. */
  private static final class Node {
    final Store store = new Store();
    final ReplicatedMethodRegistry registry = new ReplicatedMethodRegistry();
    final List<ReplicatedMethod> methods =
        new ArrayList<>(ReplicatedMethod.findAll("store", Store.class, s -> s).values());
    final ReplicatedCommandApplier applier = new ReplicatedCommandApplier(registry, new JsonCommandCodec());

    Node() {
      registry.register("store", () -> store, methods);
    }

    ReplicatedMethod put() {
      return method("put");
    }

    ReplicatedMethod mixed() {
      return method("mixed");
    }

    private ReplicatedMethod method(String name) {
      return methods.stream().filter(m -> m.method().getName().equals(name)).findFirst().orElseThrow();
    }
  }

  /** Package-private, so its methods are reached only because the handle was made accessible. */
  static class Store {
    final List<String> calls = new ArrayList<>();

    @ReplicatedCommand
    public String put(String key, String value) {
      calls.add("put");
      return key + "=" + value;
    }

    @ReplicatedCommand
    public String mixed(int n, String absent, byte[] bytes, Message message) {
      calls.add("mixed");
      return n + "/" + absent + "/" + bytes.length + "/" + message;
    }
  }
}
