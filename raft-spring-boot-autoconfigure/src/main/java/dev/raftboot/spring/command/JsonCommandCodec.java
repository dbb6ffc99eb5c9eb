package dev.raftboot.spring.command;

import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes arguments as JSON with Jackson 3, written and read as the parameter's declared type (so
 * records, generic collections and maps, and {@code @JsonTypeInfo} hierarchies round-trip). A
 * parameter declared as {@code Object} comes back as Jackson's default types (maps, lists, strings,
 * numbers); declare the concrete type instead.
 *
 * <p>Use the application's {@link JsonMapper} bean so that its modules and settings apply, and keep
 * that configuration the same on every node. The runtime calls {@link #bind} once per parameter,
 * which resolves the type and builds its reader and writer once; {@link #encode} and {@link
 * #decode} do that work on every call.
 */
public final class JsonCommandCodec implements CommandCodec {

  /** The codec id stored in every call encoded by this codec. */
  public static final String ID = "json";

  private final JsonMapper mapper;

  /** A codec with a default {@link JsonMapper}. */
  public JsonCommandCodec() {
    this(JsonMapper.builder().build());
  }

  public JsonCommandCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public byte[] encode(@Nullable Object value, Type type) {
    return bind(type).encode(value);
  }

  @Override
  public @Nullable Object decode(byte[] data, Type type) {
    return bind(type).decode(data);
  }

  @Override
  public Binding bind(Type type) {
    JavaType javaType = mapper.constructType(type);
    return new JsonBinding(mapper.writerFor(javaType), mapper.readerFor(javaType));
  }

  private record JsonBinding(ObjectWriter writer, ObjectReader reader) implements Binding {

    @Override
    public byte[] encode(@Nullable Object value) {
      return writer.writeValueAsBytes(value);
    }

    @Override
    public @Nullable Object decode(byte[] data) {
      return reader.readValue(data);
    }
  }
}
