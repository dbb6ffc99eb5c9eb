package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import dev.raftboot.spring.api.InvalidCommandException;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Command format 2. The expected bytes below were computed independently of the writer (by a
 * script that follows the field table in the package documentation), so they pin the format, not
 * whatever the writer happens to produce.
 */
class FormatTwoTests {

  /** {@code store.put("key-1", new byte[] {1, 2, 3})}: no codec named, no JSON. */
  static final String PUT =
      "0802120573746f72651a1270757428537472696e672c627974655b5d292a0722056b65792d312a052a03010203"
          + "35ca65dceb";

  /** {@code store.mixed(-7, 1L << 40, true, 0.5, Color.GREEN, null, StringValue.of("p"))}. */
  static final String MIXED =
      "0802120573746f72651a426d6978656428696e742c6c6f6e672c626f6f6c65616e2c646f75626c652c466f726d"
          + "617454776f546573747324436f6c6f722c537472696e672c4d657373616765292a02380d2a0738808080808040"
          + "2a0230012a0941000000000000e03f2a074a05475245454e2a002a26121f636f6d2e676f6f676c652e70726f74"
          + "6f6275662e537472696e6756616c75651a030a017035b38021ea";

  /** {@code store.boxed(Integer.MIN_VALUE, null, false, -0.0)}. */
  static final String BOXED =
      "0802120573746f72651a22626f78656428496e74656765722c4c6f6e672c426f6f6c65616e2c446f75626c6529"
          + "2a0638ffffffff0f2a002a0230002a09410000000000000080353deaa5c7";

  /** {@code store.points(List.of(new Point(1, -2)))}: the one argument that goes through JSON. */
  static final String POINTS =
      "0802120573746f72651a0c706f696e7473284c6973742922046a736f6e2a120a105b7b2278223a312c2279223a"
          + "2d327d5d35124f3005";

  static final List<String> GOLDEN = List.of(PUT, MIXED, BOXED, POINTS);

  @Test
  void theWriterProducesThePinnedBytes() {
    Node node = new Node();
    assertThat(hex(node.encode("put", "key-1", new byte[] {1, 2, 3}))).isEqualTo(PUT);
    assertThat(hex(node.encode("mixed", -7, 1L << 40, true, 0.5, Color.GREEN, null, StringValue.of("p"))))
        .isEqualTo(MIXED);
    assertThat(hex(node.encode("boxed", Integer.MIN_VALUE, null, false, -0.0))).isEqualTo(BOXED);
    assertThat(hex(node.encode("points", List.of(new Point(1, -2))))).isEqualTo(POINTS);
  }

  @Test
  void pinnedCallsAreApplied() throws Exception {
    Node node = new Node();
    assertThat(node.applier.apply(bytes(PUT))).isEqualTo("key-1=[1, 2, 3]");
    assertThat(node.applier.apply(bytes(MIXED)))
        .isEqualTo("-7/1099511627776/true/0.5/GREEN/null/" + StringValue.of("p"));
    assertThat(node.applier.apply(bytes(BOXED))).isEqualTo("-2147483648/null/false/-0.0");
    assertThat(node.applier.apply(bytes(POINTS))).isEqualTo("[Point[x=1, y=-2]]");
    assertThat(node.store.calls).containsExactly("put", "mixed", "boxed", "points");
  }

  @Test
  void formatOneAndFormatTwoOfOneCallApplyAlike() throws Exception {
    Node node = new Node();
    Object[] args = {-7, 1L << 40, true, 0.5, Color.GREEN, null, StringValue.of("p")};
    ByteString one = MethodCall.encode(node.method("mixed"), args, node.codec, MethodCall.FORMAT_1);
    ByteString two = MethodCall.encode(node.method("mixed"), args, node.codec, MethodCall.FORMAT_2);
    assertThat(node.applier.apply(two)).isEqualTo(node.applier.apply(one));
    assertThat(two.size()).isLessThan(one.size());
  }

  @Test
  void stringsSurviveExactlyAndUnpairedSurrogatesAreRefusedBeforeProposing() throws Exception {
    Node node = new Node();
    String astral = "k\uD83D\uDE00\u00e4\u0000";
    assertThat(node.applier.apply(node.encode("put", astral, new byte[0])))
        .isEqualTo(astral + "=[]");
    for (String bad : List.of("a\uD800b", "a\uDC00", "\uD800")) {
      assertThatThrownBy(() -> node.encode("put", bad, new byte[0]))
          .isExactlyInstanceOf(InvalidCommandException.class)
          .hasMessageContaining("argument 0 of store/")
          .hasMessageContaining("unpaired surrogate");
    }
  }

  @Test
  void everyTruncationFailsAsAnInvalidCommandTheSameWayOnEveryNode() {
    for (String golden : GOLDEN) {
      ByteString whole = bytes(golden);
      for (int n = 0; n < whole.size(); n++) {
        ByteString cut = whole.substring(0, n);
        assertThat(invalid(new Node(), cut))
            .as("%s cut at %d", golden, n)
            .startsWith(InvalidCommandException.class.getName())
            .isEqualTo(invalid(new Node(), cut));
      }
    }
  }

  @Test
  void everyFlippedBitFailsAsAnInvalidCommandTheSameWayOnEveryNode() {
    for (String golden : GOLDEN) {
      byte[] whole = bytes(golden).toByteArray();
      for (int i = 0; i < whole.length; i++) {
        for (int bit = 0; bit < 8; bit++) {
          byte[] garbled = whole.clone();
          garbled[i] ^= (byte) (1 << bit);
          ByteString data = ByteString.copyFrom(garbled);
          assertThat(invalid(new Node(), data))
              .as("%s byte %d bit %d", golden, i, bit)
              .startsWith(InvalidCommandException.class.getName())
              .isEqualTo(invalid(new Node(), data));
        }
      }
    }
  }

  @Test
  void argumentsThatDoNotFitTheirParameterAreRefusedEvenWithAValidChecksum() {
    Node node = new Node();
    // A string where put expects bytes.
    assertRefused(node, sealed("put(String,byte[])", arg(o -> write(o, 4, "k")), arg(o -> write(o, 4, "v"))),
        "argument 1 of store/", "is in field 4");
    // An int parameter given a long.
    assertRefused(node, sealed("boxed(Integer,Long,Boolean,Double)",
            arg(o -> sint64(o, 7, 1L << 31)), arg(o -> {}), arg(o -> {}), arg(o -> {})),
        "argument 0 of store/", "out of range for an int");
    // An enum constant this node does not have.
    assertRefused(node, sealed("mixed(int,long,boolean,double,FormatTwoTests$Color,String,Message)",
            arg(o -> sint64(o, 7, 1)), arg(o -> sint64(o, 7, 1)), arg(o -> bool(o, 6, true)),
            arg(o -> dbl(o, 8, 1)), arg(o -> write(o, 9, "BLUE")), arg(o -> {}), arg(o -> {})),
        "argument 4 of store/", "has no constant BLUE");
    // A JSON argument in a call that names no codec.
    assertRefused(node, sealed("points(List)", arg(o -> write(o, 1, "[]"))),
        "argument 0 of store/", "names none");
    // Two values in one argument.
    assertRefused(node, sealed("put(String,byte[])", arg(o -> { write(o, 4, "k"); write(o, 4, "k"); }),
            arg(o -> write(o, 5, "v"))),
        "malformed argument", "more than one value");
    // A null for a primitive.
    assertRefused(node, sealed("mixed(int,long,boolean,double,FormatTwoTests$Color,String,Message)",
            arg(o -> {}), arg(o -> {}), arg(o -> {}), arg(o -> {}), arg(o -> {}), arg(o -> {}), arg(o -> {})),
        "argument 0 of store/", "is null");
    // The full id of format 1 does not name a method in format 2.
    assertRefused(node, sealed(node.method("put").id(), arg(o -> write(o, 4, "k")), arg(o -> write(o, 5, "v"))),
        "bean 'store' has no replicated command", "#put(");
    assertThat(node.store.calls).isEmpty();
  }

  @Test
  void aCallWrittenWithAnotherCodecIsRefused() {
    Node writer = new Node(new RenamedCodec());
    ByteString call = writer.encode("points", List.of(new Point(1, 2)));
    assertRefused(new Node(), call, "encoded with codec 'renamed'", "this node uses 'json'");
    // Without a codec argument no codec is named, so the call applies whatever the nodes' codecs.
    assertThat(invalid(new Node(), writer.encode("put", "k", new byte[0]))).isEqualTo("applied");
  }

  @Test
  void theCodecIsBoundOncePerParameterNotPerCall() throws Exception {
    CountingCodec codec = new CountingCodec();
    Node node = new Node(codec);
    for (int i = 0; i < 5; i++) {
      node.applier.apply(node.encode("points", List.of(new Point(i, i))));
      node.applier.apply(node.encode("put", "k", new byte[] {1}));
    }
    // points binds its one parameter once; put's String and byte[] never reach the codec.
    assertThat(codec.binds).hasValue(1);
    assertThat(codec.encodes).hasValue(5);
    assertThat(codec.decodes).hasValue(5);
  }

  @Test
  void twoCommandsWithTheSameShortIdAreRefusedAtRegistration() {
    assertThatThrownBy(() -> ReplicatedMethod.findAll("dates", Dates.class, s -> s))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bean 'dates'")
        .hasMessageContaining("same id in the log, at(Date)")
        .hasMessageContaining(Dates.class.getName() + "#at(java.util.Date)")
        .hasMessageContaining(Dates.class.getName() + "#at(java.sql.Date)");
  }

  @Test
  void shortIdsNameTheMethodAndItsParameterTypesWithoutPackages() throws Exception {
    assertThat(ReplicatedMethod.shortIdOf(Store.class.getMethod("put", String.class, byte[].class)))
        .isEqualTo("put(String,byte[])");
    assertThat(ReplicatedMethod.shortIdOf(
            Store.class.getMethod("mixed", int.class, long.class, boolean.class, double.class,
                Color.class, String.class, Message.class)))
        .isEqualTo("mixed(int,long,boolean,double,FormatTwoTests$Color,String,Message)");
    assertThat(ReplicatedMethod.shortIdOf(Object.class.getMethod("wait", long.class, int.class)))
        .isEqualTo("wait(long,int)");
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** "applied", or the exception's type and message; fails if anything was invoked. */
  private static String invalid(Node node, ByteString data) {
    String outcome;
    try {
      node.applier.apply(data);
      outcome = "applied";
    } catch (InvalidCommandException e) {
      assertThat(node.store.calls).isEmpty();
      return e.getClass().getName() + ": " + e.getMessage();
    } catch (Exception e) {
      outcome = e.toString();
    }
    return outcome;
  }

  private static void assertRefused(Node node, ByteString data, String... message) {
    Throwable thrown = catchThrowable(() -> node.applier.apply(data));
    assertThat(thrown).isExactlyInstanceOf(InvalidCommandException.class);
    for (String part : message) {
      assertThat(thrown).hasMessageContaining(part);
    }
  }

  @FunctionalInterface
  interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static ByteString arg(Fields fields) {
    return build(fields::write);
  }

  /** A format 2 call of bean "store" as another writer might produce it, with a valid checksum. */
  private static ByteString sealed(String method, ByteString... args) {
    ByteString body =
        build(
            o -> {
              o.writeUInt32(1, 2);
              o.writeString(2, "store");
              o.writeString(3, method);
              for (ByteString a : args) {
                o.writeBytes(5, a);
              }
            });
    CRC32C crc = new CRC32C();
    crc.update(body.toByteArray());
    return body.concat(build(o -> o.writeFixed32(6, (int) crc.getValue())));
  }

  private static ByteString build(Fields fields) {
    ByteString.Output bytes = ByteString.newOutput();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteString();
  }

  private static void write(CodedOutputStream o, int field, String s) throws IOException {
    o.writeString(field, s);
  }

  private static void sint64(CodedOutputStream o, int field, long v) throws IOException {
    o.writeSInt64(field, v);
  }

  private static void bool(CodedOutputStream o, int field, boolean v) throws IOException {
    o.writeBool(field, v);
  }

  private static void dbl(CodedOutputStream o, int field, double v) throws IOException {
    o.writeDouble(field, v);
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  private static String hex(ByteString data) {
    return HexFormat.of().formatHex(data.toByteArray());
  }

  /** One node's registry and applier with a fresh store. */
  private static final class Node {
    final Store store = new Store();
    final CommandCodec codec;
    final ReplicatedMethodRegistry registry = new ReplicatedMethodRegistry();
    final List<ReplicatedMethod> methods =
        new ArrayList<>(ReplicatedMethod.findAll("store", Store.class, s -> s).values());
    final ReplicatedCommandApplier applier;

    Node() {
      this(new JsonCommandCodec());
    }

    Node(CommandCodec codec) {
      this.codec = codec;
      this.applier = new ReplicatedCommandApplier(registry, codec);
      registry.register("store", () -> store, methods);
    }

    ByteString encode(String name, @Nullable Object... args) {
      return MethodCall.encode(method(name), args, codec, MethodCall.FORMAT_2);
    }

    ReplicatedMethod method(String name) {
      return methods.stream().filter(m -> m.method().getName().equals(name)).findFirst().orElseThrow();
    }
  }

  enum Color {
    RED,
    GREEN
  }

  record Point(int x, int y) {}

  static class Store {
    final List<String> calls = new ArrayList<>();

    @ReplicatedCommand
    public String put(String key, byte[] value) {
      calls.add("put");
      return key + "=" + java.util.Arrays.toString(value);
    }

    @ReplicatedCommand
    public String mixed(
        int n, long big, boolean flag, double ratio, Color color, String absent, Message message) {
      calls.add("mixed");
      return n + "/" + big + "/" + flag + "/" + ratio + "/" + color + "/" + absent + "/" + message;
    }

    @ReplicatedCommand
    public String boxed(Integer i, Long l, Boolean b, Double d) {
      calls.add("boxed");
      return i + "/" + l + "/" + b + "/" + d;
    }

    @ReplicatedCommand
    public String points(List<Point> points) {
      calls.add("points");
      return points.toString();
    }
  }

  static class Dates {
    @ReplicatedCommand
    public void at(java.util.Date date) {}

    @ReplicatedCommand
    public void at(java.sql.Date date) {}
  }

  /** JSON under another id. */
  static final class RenamedCodec implements CommandCodec {
    private final JsonCommandCodec json = new JsonCommandCodec();

    @Override
    public String id() {
      return "renamed";
    }

    @Override
    public byte[] encode(@Nullable Object value, Type type) {
      return json.encode(value, type);
    }

    @Override
    public @Nullable Object decode(byte[] data, Type type) {
      return json.decode(data, type);
    }
  }

  /** JSON that counts how often it is bound and used. */
  static final class CountingCodec implements CommandCodec {
    final AtomicInteger binds = new AtomicInteger();
    final AtomicInteger encodes = new AtomicInteger();
    final AtomicInteger decodes = new AtomicInteger();
    private final JsonCommandCodec json = new JsonCommandCodec();

    @Override
    public String id() {
      return JsonCommandCodec.ID;
    }

    @Override
    public byte[] encode(@Nullable Object value, Type type) {
      throw new AssertionError("the runtime uses bind()");
    }

    @Override
    public @Nullable Object decode(byte[] data, Type type) {
      throw new AssertionError("the runtime uses bind()");
    }

    @Override
    public Binding bind(Type type) {
      binds.incrementAndGet();
      Binding inner = json.bind(type);
      return new Binding() {
        @Override
        public byte[] encode(@Nullable Object value) {
          encodes.incrementAndGet();
          return inner.encode(value);
        }

        @Override
        public @Nullable Object decode(byte[] data) {
          decodes.incrementAndGet();
          return inner.decode(data);
        }
      };
    }
  }
}
