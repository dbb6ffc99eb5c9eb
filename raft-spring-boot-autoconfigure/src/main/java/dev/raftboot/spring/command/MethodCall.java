package dev.raftboot.spring.command;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import dev.raftboot.spring.api.InvalidCommandException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * A replicated call as it is stored in the log: a protobuf message, so that other tools can read
 * it, in one of two formats (the package documentation describes both). Version 1 names the method
 * by its full id and writes every argument through the {@link CommandCodec}; version 2 names it by
 * its short id, writes common argument types in their own fields, names the codec only when an
 * argument used it, and ends with a CRC-32C of the bytes before it, so that a damaged entry fails
 * on every node instead of being read as another call. Both are read; the dispatcher chooses which
 * one it writes.
 *
 * @param codec the codec id; in version 2 {@code null} when no argument was written by a codec
 * @param args the arguments as written, not yet converted to the parameter types
 */
record MethodCall(
    int version, String bean, String method, @Nullable String codec, List<Argument> args) {

  /** The first format: full method id, every argument through the codec. */
  static final int FORMAT_1 = 1;
  /** The compact format, written by default. */
  static final int FORMAT_2 = 2;

  /** Field 6, a fixed32: the last five bytes of a version 2 call. */
  private static final int CHECKSUM_TAG = 6 << 3 | WireFormat.WIRETYPE_FIXED32;
  private static final int CHECKSUM_SIZE = 5;
  private static final int ARGUMENT_TAG = 5 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int PROTO_TYPE_TAG = 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int PROTO_DATA_TAG = 3 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  /** The default instance of each protobuf message class, whose parser reads arguments. */
  private static final ClassValue<MessageLite> PROTOTYPES =
      new ClassValue<>() {
        @Override
        protected MessageLite computeValue(Class<?> type) {
          try {
            return (MessageLite) type.getMethod("getDefaultInstance").invoke(null);
          } catch (ReflectiveOperationException | ClassCastException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getTargetException() : e;
            throw new IllegalArgumentException("no default instance: " + cause, cause);
          }
        }
      };

  /**
   * One argument as read from the entry.
   *
   * @param field the {@code Argument} field that holds the value ({@link ArgumentKind#field}), 2
   *     for a protobuf message, 0 for null
   * @param value a {@link ByteString} (fields 1, 3 and 5), {@link String} (4 and 9), {@link
   *     Boolean}, {@link Long} or {@link Double}
   * @param protoType the message class name (field 2)
   */
  record Argument(int field, @Nullable Object value, @Nullable String protoType) {

    private static final Argument NULL = new Argument(0, null, null);

    /** Reads a version 1 argument exactly as that version did: the codec's bytes win. */
    static Argument decodeFormat1(ByteString data) throws IOException {
      CodedInputStream in = data.newCodedInput();
      ByteString value = null;
      String protoType = null;
      ByteString protoData = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 1 -> value = in.readBytes();
          case 2 -> protoType = in.readString();
          case 3 -> protoData = in.readBytes();
          default -> in.skipField(tag);
        }
      }
      if (value != null) {
        return new Argument(ArgumentKind.CODEC.field, value, null);
      }
      if (protoType != null) {
        return new Argument(2, protoData == null ? ByteString.EMPTY : protoData, protoType);
      }
      return NULL;
    }

    /**
     * Reads a version 2 argument: one value field, or the two fields of a message, or nothing.
     *
     * @throws IOException when it is anything else
     */
    static Argument decodeFormat2(ByteString data) throws IOException {
      CodedInputStream in = data.newCodedInput();
      int field = 0;
      Object value = null;
      String protoType = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == PROTO_TYPE_TAG && protoType == null && (field == 0 || field == 3)) {
          protoType = in.readStringRequireUtf8();
          continue;
        }
        if (field != 0) {
          throw new InvalidProtocolBufferException("argument has more than one value");
        }
        field = tag >>> 3;
        value = switch (tag) {
          case PROTO_DATA_TAG -> in.readBytes();
          case 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readBytes();
          case 4 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readStringRequireUtf8();
          case 5 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readBytes();
          case 6 << 3 | WireFormat.WIRETYPE_VARINT -> in.readBool();
          case 7 << 3 | WireFormat.WIRETYPE_VARINT -> in.readSInt64();
          case 8 << 3 | WireFormat.WIRETYPE_FIXED64 -> in.readDouble();
          case 9 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readStringRequireUtf8();
          default -> throw new InvalidProtocolBufferException("unknown argument field, tag " + tag);
        };
      }
      if ((protoType != null) != (field == 3)) {
        throw new InvalidProtocolBufferException("a message argument needs its type and its bytes");
      }
      return field == 0 ? NULL : new Argument(field == 3 ? 2 : field, value, protoType);
    }
  }

  /**
   * Encodes a call of {@code m} with {@code args} in format {@code version}.
   *
   * @throws InvalidCommandException when an argument cannot be encoded
   */
  static ByteString encode(
      ReplicatedMethod m, @Nullable Object[] args, CommandCodec codec, int version) {
    return version == FORMAT_1 ? encodeFormat1(m, args, codec) : encodeFormat2(m, args, codec);
  }

  private static ByteString encodeFormat1(ReplicatedMethod m, @Nullable Object[] args, CommandCodec codec) {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeUInt32(1, FORMAT_1);
      cos.writeString(2, m.beanName());
      cos.writeString(3, m.id());
      cos.writeString(4, codec.id());
      for (int i = 0; i < args.length; i++) {
        cos.writeBytes(5, format1Argument(m, i, args[i], codec));
      }
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteString();
  }

  private static ByteString format1Argument(
      ReplicatedMethod m, int i, @Nullable Object arg, CommandCodec codec) {
    if (arg == null) {
      return ByteString.EMPTY;
    }
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      if (arg instanceof MessageLite message) {
        cos.writeString(2, message.getClass().getName());
        cos.writeBytes(3, message.toByteString());
      } else {
        cos.writeByteArray(1, encodeWithCodec(m, i, arg, codec));
      }
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteString();
  }

  private static byte[] encodeWithCodec(ReplicatedMethod m, int i, Object arg, CommandCodec codec) {
    try {
      return m.codecBindings().get(codec, i).encode(arg);
    } catch (RuntimeException e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " cannot be encoded: " + e.getMessage(), e);
    }
  }

  /**
   * Sizes everything first and writes into one array of exactly that size, so the entry is built
   * without a growing buffer or a copy.
   */
  private static ByteString encodeFormat2(ReplicatedMethod m, @Nullable Object[] args, CommandCodec codec) {
    int n = args.length;
    ArgumentKind[] kinds = m.argumentKinds();
    Object[] values = new Object[n];
    int[] sizes = new int[n];
    boolean usedCodec = false;
    int size =
        CodedOutputStream.computeUInt32Size(1, FORMAT_2)
            + CodedOutputStream.computeStringSize(2, m.beanName())
            + CodedOutputStream.computeStringSize(3, m.shortId());
    for (int i = 0; i < n; i++) {
      Object arg = args[i];
      int argSize;
      if (arg == null) {
        argSize = 0;
      } else if (arg instanceof MessageLite message) {
        ByteString data = message.toByteString();
        values[i] = data;
        argSize =
            CodedOutputStream.computeStringSize(2, message.getClass().getName())
                + CodedOutputStream.computeBytesSize(3, data);
      } else {
        ArgumentKind kind = kinds[i];
        int field = kind.field;
        values[i] = switch (kind) {
          case STRING -> requireWellFormed(m, i, (String) arg);
          case ENUM -> ((Enum<?>) arg).name();
          case INT -> (long) (Integer) arg;
          case CODEC -> encodeWithCodec(m, i, arg, codec);
          case BYTES, BOOLEAN, LONG, DOUBLE -> arg;
        };
        usedCodec |= kind == ArgumentKind.CODEC;
        argSize = switch (kind) {
          case STRING, ENUM -> CodedOutputStream.computeStringSize(field, (String) values[i]);
          case BYTES, CODEC -> CodedOutputStream.computeByteArraySize(field, (byte[]) values[i]);
          case BOOLEAN -> CodedOutputStream.computeBoolSize(field, (Boolean) arg);
          case INT, LONG -> CodedOutputStream.computeSInt64Size(field, (Long) values[i]);
          case DOUBLE -> CodedOutputStream.computeDoubleSize(field, (Double) arg);
        };
      }
      sizes[i] = argSize;
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(argSize) + argSize;
    }
    if (usedCodec) {
      size += CodedOutputStream.computeStringSize(4, codec.id());
    }
    byte[] out = new byte[size + CHECKSUM_SIZE];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeUInt32(1, FORMAT_2);
      cos.writeString(2, m.beanName());
      cos.writeString(3, m.shortId());
      if (usedCodec) {
        cos.writeString(4, codec.id());
      }
      for (int i = 0; i < n; i++) {
        cos.writeUInt32NoTag(ARGUMENT_TAG);
        cos.writeUInt32NoTag(sizes[i]);
        Object arg = args[i];
        if (arg == null) {
          continue;
        }
        if (arg instanceof MessageLite message) {
          cos.writeString(2, message.getClass().getName());
          cos.writeBytes(3, (ByteString) values[i]);
          continue;
        }
        ArgumentKind kind = kinds[i];
        switch (kind) {
          case STRING, ENUM -> cos.writeString(kind.field, (String) values[i]);
          case BYTES, CODEC -> cos.writeByteArray(kind.field, (byte[]) values[i]);
          case BOOLEAN -> cos.writeBool(kind.field, (Boolean) arg);
          case INT, LONG -> cos.writeSInt64(kind.field, (Long) values[i]);
          case DOUBLE -> cos.writeDouble(kind.field, (Double) arg);
        }
      }
      CRC32C crc = new CRC32C();
      crc.update(out, 0, size);
      cos.writeFixed32(6, (int) crc.getValue());
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return UnsafeByteOperations.unsafeWrap(out);
  }

  /**
   * Refuses what UTF-8 cannot carry: protobuf would write an unpaired surrogate as '?', and the
   * method would be applied with another string than the caller passed.
   */
  private static String requireWellFormed(ReplicatedMethod m, int i, String s) {
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || k + 1 == s.length()
            || !Character.isLowSurrogate(s.charAt(k + 1))) {
          throw new InvalidCommandException(
              "argument " + i + " of " + m + " cannot be encoded: unpaired surrogate at index " + k
                  + " has no UTF-8 form");
        }
        k++;
      }
    }
    return s;
  }

  /**
   * Reads a call from a log entry.
   *
   * @throws InvalidCommandException when the bytes are not a call this node can read
   */
  static MethodCall decode(ByteString data) {
    int version = 0;
    ByteString bean = ByteString.EMPTY;
    ByteString method = ByteString.EMPTY;
    ByteString codec = null;
    List<ByteString> args = new ArrayList<>();
    int checksumAt = -1;
    int checksum = 0;
    try {
      CodedInputStream in = data.newCodedInput();
      while (true) {
        int at = in.getTotalBytesRead();
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        switch (tag >>> 3) {
          case 1 -> version = in.readUInt32();
          case 2 -> bean = in.readBytes();
          case 3 -> method = in.readBytes();
          case 4 -> codec = in.readBytes();
          case 5 -> args.add(in.readBytes());
          default -> {
            if (tag == CHECKSUM_TAG) {
              checksumAt = at;
              checksum = in.readFixed32();
            } else {
              in.skipField(tag);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new InvalidCommandException("command is not a replicated method call: " + e.getMessage(), e);
    }
    if (version == FORMAT_1) {
      return decodeFormat1(bean, method, codec, args);
    }
    if (version == FORMAT_2) {
      return decodeFormat2(data, checksumAt, checksum, bean, method, codec, args);
    }
    throw new InvalidCommandException(
        "command format version " + version + " is not supported (this node reads versions "
            + FORMAT_1 + " and " + FORMAT_2 + ")");
  }

  private static MethodCall decodeFormat1(
      ByteString bean, ByteString method, @Nullable ByteString codec, List<ByteString> args) {
    List<Argument> decoded = new ArrayList<>(args.size());
    try {
      for (ByteString arg : args) {
        decoded.add(Argument.decodeFormat1(arg));
      }
    } catch (IOException e) {
      throw new InvalidCommandException("command is not a replicated method call: " + e.getMessage(), e);
    }
    return new MethodCall(
        FORMAT_1,
        bean.toStringUtf8(),
        method.toStringUtf8(),
        codec == null ? "" : codec.toStringUtf8(),
        List.copyOf(decoded));
  }

  private static MethodCall decodeFormat2(
      ByteString data,
      int checksumAt,
      int checksum,
      ByteString bean,
      ByteString method,
      @Nullable ByteString codec,
      List<ByteString> args) {
    if (checksumAt != data.size() - CHECKSUM_SIZE) {
      throw new InvalidCommandException("command does not end with its checksum: damaged or cut short");
    }
    ByteBuffer checked = data.asReadOnlyByteBuffer();
    checked.limit(checksumAt);
    CRC32C crc = new CRC32C();
    crc.update(checked);
    if ((int) crc.getValue() != checksum) {
      throw new InvalidCommandException("command checksum does not match: the entry is damaged");
    }
    List<Argument> decoded = new ArrayList<>(args.size());
    try {
      for (ByteString arg : args) {
        decoded.add(Argument.decodeFormat2(arg));
      }
    } catch (IOException e) {
      throw new InvalidCommandException("command has a malformed argument: " + e.getMessage(), e);
    }
    if (!bean.isValidUtf8() || !method.isValidUtf8() || (codec != null && !codec.isValidUtf8())) {
      throw new InvalidCommandException("command has a bean, method or codec name that is not UTF-8");
    }
    return new MethodCall(
        FORMAT_2,
        bean.toStringUtf8(),
        method.toStringUtf8(),
        codec == null ? null : codec.toStringUtf8(),
        List.copyOf(decoded));
  }

  /**
   * Decodes the arguments for {@code m}.
   *
   * @throws InvalidCommandException when they do not fit the method's parameters
   */
  @Nullable Object[] arguments(ReplicatedMethod m, CommandCodec codec) {
    Class<?>[] params = m.argumentClasses();
    if (args.size() != params.length) {
      throw new InvalidCommandException(
          m + " takes " + params.length + " arguments, the command has " + args.size());
    }
    @Nullable Object[] out = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      Argument a = args.get(i);
      ArgumentKind kind = m.argumentKinds()[i];
      if (version == FORMAT_2 && a.field() != 0 && a.field() != kind.field
          && !(a.field() == 2 && kind == ArgumentKind.CODEC)) {
        throw new InvalidCommandException(
            "argument " + i + " of " + m + " is in field " + a.field() + ", a parameter of type "
                + params[i].getName() + " is read from field " + kind.field);
      }
      Object value = switch (a.field()) {
        case 0 -> null;
        case 1 -> decodeWithCodec(m, i, (ByteString) a.value(), codec);
        case 2 -> parseProto(m, i, a.protoType(), (ByteString) a.value());
        case 4 -> a.value();
        case 5 -> ((ByteString) a.value()).toByteArray();
        case 6, 8 -> a.value();
        case 7 -> kind == ArgumentKind.INT ? toInt(m, i, (Long) a.value()) : a.value();
        case 9 -> enumConstant(m, i, params[i], (String) a.value());
        default -> throw new IllegalStateException("field " + a.field());
      };
      if (value == null && m.parameterTypes()[i] instanceof Class<?> c && c.isPrimitive()) {
        throw new InvalidCommandException("argument " + i + " of " + m + " is null");
      }
      if (value != null && !params[i].isInstance(value)) {
        throw new InvalidCommandException(
            "argument " + i + " of " + m + " decoded as " + value.getClass().getName());
      }
      out[i] = value;
    }
    return out;
  }

  private @Nullable Object decodeWithCodec(
      ReplicatedMethod m, int i, ByteString data, CommandCodec nodeCodec) {
    if (codec == null) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " was written by a codec, but the command names none");
    }
    try {
      return m.codecBindings().get(nodeCodec, i).decode(data.toByteArray());
    } catch (RuntimeException e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " cannot be decoded: " + e.getMessage(), e);
    }
  }

  private static Integer toInt(ReplicatedMethod m, int i, Long value) {
    if (value != value.intValue()) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " is " + value + ", out of range for an int");
    }
    return value.intValue();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Enum<?> enumConstant(ReplicatedMethod m, int i, Class<?> type, String name) {
    try {
      return Enum.valueOf((Class) type, name);
    } catch (IllegalArgumentException e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + ": " + type.getName() + " has no constant " + name, e);
    }
  }

  private static MessageLite parseProto(
      ReplicatedMethod m, int i, String type, @Nullable ByteString data) {
    Class<?> param = m.argumentClasses()[i];
    MessageLite prototype = m.prototypes().get(type);
    if (prototype == null) {
      prototype = prototype(m, i, type, param);
      m.prototypes().putIfAbsent(type, prototype);
    }
    try {
      return prototype.getParserForType().parseFrom(data == null ? ByteString.EMPTY : data);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " is not a valid " + type + ": " + e.getMessage(), e);
    }
  }

  /** Looks up a message class by name; once per method and class, the result is kept. */
  private static MessageLite prototype(ReplicatedMethod m, int i, String type, Class<?> param) {
    Class<?> cls;
    try {
      cls = Class.forName(type, false, m.method().getDeclaringClass().getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + ": unknown protobuf message type " + type, e);
    }
    if (!MessageLite.class.isAssignableFrom(cls) || !param.isAssignableFrom(cls)) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + ": " + type + " is not a protobuf message of type "
              + param.getName());
    }
    try {
      return PROTOTYPES.get(cls);
    } catch (IllegalArgumentException e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " is not a valid " + type + ": " + e.getMessage(), e);
    }
  }
}
