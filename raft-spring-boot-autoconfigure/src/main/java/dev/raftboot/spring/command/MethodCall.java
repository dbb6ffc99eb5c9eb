package dev.raftboot.spring.command;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import dev.raftboot.spring.api.InvalidCommandException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A replicated call as it is stored in the log. Encoded as a protobuf message so that other tools
 * can read it:
 *
 * <pre>
 * message MethodCall {
 *   uint32 version = 1;          // FORMAT_VERSION
 *   string bean = 2;             // bean name
 *   string method = 3;           // declaring class#name(parameter types)
 *   string codec = 4;            // CommandCodec.id() of the codec that wrote the arguments
 *   repeated Argument args = 5;
 * }
 * message Argument {             // no field set: null
 *   bytes value = 1;             // written by the codec
 *   string proto_type = 2;       // a protobuf message argument: its class name ...
 *   bytes proto_data = 3;        // ... and its bytes
 * }
 * </pre>
 */
record MethodCall(int version, String bean, String method, String codec, List<Argument> args) {

  static final int FORMAT_VERSION = 1;

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

  /** One argument: {@code value} from the codec, or a protobuf message, or neither for null. */
  record Argument(
      @Nullable ByteString value, @Nullable String protoType, @Nullable ByteString protoData) {

    ByteString encode() {
      ByteString.Output out = ByteString.newOutput();
      CodedOutputStream cos = CodedOutputStream.newInstance(out);
      try {
        if (value != null) {
          cos.writeBytes(1, value);
        }
        if (protoType != null && protoData != null) {
          cos.writeString(2, protoType);
          cos.writeBytes(3, protoData);
        }
        cos.flush();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return out.toByteString();
    }

    static Argument decode(ByteString data) throws IOException {
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
      return new Argument(value, protoType, protoData);
    }
  }

  /**
   * Encodes a call of {@code m} with {@code args}.
   *
   * @throws InvalidCommandException when the codec cannot encode an argument
   */
  static ByteString encode(ReplicatedMethod m, @Nullable Object[] args, CommandCodec codec) {
    ByteString.Output out = ByteString.newOutput();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeUInt32(1, FORMAT_VERSION);
      cos.writeString(2, m.beanName());
      cos.writeString(3, m.id());
      cos.writeString(4, codec.id());
      for (int i = 0; i < args.length; i++) {
        cos.writeBytes(5, argument(m, i, args[i], codec).encode());
      }
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteString();
  }

  private static Argument argument(ReplicatedMethod m, int i, @Nullable Object arg, CommandCodec codec) {
    if (arg == null) {
      return new Argument(null, null, null);
    }
    if (arg instanceof MessageLite message) {
      return new Argument(null, message.getClass().getName(), message.toByteString());
    }
    try {
      return new Argument(ByteString.copyFrom(codec.encode(arg, m.parameterTypes()[i])), null, null);
    } catch (RuntimeException e) {
      throw new InvalidCommandException(
          "argument " + i + " of " + m + " cannot be encoded: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a call from a log entry.
   *
   * @throws InvalidCommandException when the bytes are not a call this node can read
   */
  static MethodCall decode(ByteString data) {
    int version = 0;
    String bean = "";
    String method = "";
    String codec = "";
    List<Argument> args = new ArrayList<>();
    try {
      CodedInputStream in = data.newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 1 -> version = in.readUInt32();
          case 2 -> bean = in.readString();
          case 3 -> method = in.readString();
          case 4 -> codec = in.readString();
          case 5 -> args.add(Argument.decode(in.readBytes()));
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new InvalidCommandException("command is not a replicated method call: " + e.getMessage(), e);
    }
    if (version != FORMAT_VERSION) {
      throw new InvalidCommandException(
          "command format version " + version + " is not supported (this node reads version "
              + FORMAT_VERSION + ")");
    }
    return new MethodCall(version, bean, method, codec, List.copyOf(args));
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
      Object value;
      if (a.value() != null) {
        try {
          value = codec.decode(a.value().toByteArray(), m.parameterTypes()[i]);
        } catch (RuntimeException e) {
          throw new InvalidCommandException(
              "argument " + i + " of " + m + " cannot be decoded: " + e.getMessage(), e);
        }
      } else if (a.protoType() != null) {
        value = parseProto(m, i, a.protoType(), a.protoData());
      } else {
        value = null;
      }
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
