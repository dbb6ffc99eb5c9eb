package dev.raftboot.spring.command;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
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
 * that configuration the same on every node.
 */
public final class JsonCommandCodec implements CommandCodec {

  /** The codec id stored in every call encoded by this codec. */
  public static final String ID = "json";

  private final JsonMapper mapper;
  // Building a writer or reader resolves the type each time; the parameter types are few and fixed.
  private final Map<Type, ObjectWriter> writers = new ConcurrentHashMap<>();
  private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();

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
    return writers.computeIfAbsent(type, t -> mapper.writerFor(mapper.constructType(t)))
        .writeValueAsBytes(value);
  }

  @Override
  public @Nullable Object decode(byte[] data, Type type) {
    return readers.computeIfAbsent(type, t -> mapper.readerFor(mapper.constructType(t)))
        .readValue(data);
  }
}
