package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CommandEnvelopeTests {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void writesTheDocumentedFieldsByteForByte() {
    ByteString bytes = new CommandEnvelope(1, 2, ByteString.copyFromUtf8("ab")).encode();

    // field 1 fixed64 (tag 0x09), field 2 varint (0x10), field 3 bytes (0x1a)
    assertThat(HEX.formatHex(bytes.toByteArray())).isEqualTo("090100000000000000" + "1002" + "1a026162");
  }

  @Test
  void writesTheKeyAndItsWindowOnlyWhenThereIsAKey() {
    ByteString bytes = new CommandEnvelope(1, 2, ByteString.copyFromUtf8("ab"), "k", 3).encode();

    assertThat(HEX.formatHex(bytes.toByteArray()))
        .isEqualTo("090100000000000000" + "1002" + "1a026162" + "22016b" + "2803");
  }

  @Test
  void aLargeEnvelopeIsOneFlatArrayAndDecodesToWhatWasEncoded() {
    ByteString payload = ByteString.copyFrom(new byte[5000]);
    CommandEnvelope env = new CommandEnvelope(-7, 3, payload, "key-1", 1000);

    ByteString bytes = env.encode();

    // A rope (what a growing output buffer hands out) would make every later read slow.
    assertThat(bytes.getClass().getSimpleName()).isEqualTo("LiteralByteString");
    assertThat(CommandEnvelope.decode(bytes)).isEqualTo(env);
  }

  @Test
  void refusesBytesThatAreNotAnEnvelope() {
    assertThatThrownBy(() -> CommandEnvelope.decode(ByteString.copyFrom(new byte[] {0x0a, 0x05, 1})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a raftboot command");
  }
}
