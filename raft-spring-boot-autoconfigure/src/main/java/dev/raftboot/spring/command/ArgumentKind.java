package dev.raftboot.spring.command;

import com.google.protobuf.WireFormat;

/**
 * How command format 2 writes the arguments of one parameter: in the {@code Argument} field for
 * the parameter's erased type, or through the {@link CommandCodec} (field 1) for any other type.
 * Chosen once per parameter from its declared type, never from the value, so the reader knows
 * which field to expect. Protobuf messages and {@code null} are recognised by value, as in format 1.
 */
enum ArgumentKind {
  CODEC(1, WireFormat.WIRETYPE_LENGTH_DELIMITED),
  STRING(4, WireFormat.WIRETYPE_LENGTH_DELIMITED),
  BYTES(5, WireFormat.WIRETYPE_LENGTH_DELIMITED),
  BOOLEAN(6, WireFormat.WIRETYPE_VARINT),
  /** {@code int}: the same zigzag varint field as {@code long}, range-checked when read. */
  INT(7, WireFormat.WIRETYPE_VARINT),
  LONG(7, WireFormat.WIRETYPE_VARINT),
  DOUBLE(8, WireFormat.WIRETYPE_FIXED64),
  ENUM(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  /** The {@code Argument} field number. */
  final int field;
  /** The field's tag: number and wire type. */
  final int tag;

  ArgumentKind(int field, int wireType) {
    this.field = field;
    this.tag = field << 3 | wireType;
  }

  /** The kind for a parameter of erased type {@code type}. */
  static ArgumentKind of(Class<?> type) {
    if (type == String.class) {
      return STRING;
    } else if (type == byte[].class) {
      return BYTES;
    } else if (type == boolean.class || type == Boolean.class) {
      return BOOLEAN;
    } else if (type == int.class || type == Integer.class) {
      return INT;
    } else if (type == long.class || type == Long.class) {
      return LONG;
    } else if (type == double.class || type == Double.class) {
      return DOUBLE;
    } else if (type.isEnum()) {
      return ENUM;
    }
    return CODEC;
  }
}
