/**
 * Replicated method calls: {@link dev.raftboot.spring.command.ReplicatedCommand} methods whose
 * calls go through the raft log and run on every node, and {@link
 * dev.raftboot.spring.command.ReplicatedQuery} methods that read local state at a chosen
 * consistency. The {@link dev.raftboot.spring.command.ReplicatedMethodBeanPostProcessor} proxies
 * the beans that declare them, the {@link dev.raftboot.spring.command.ReplicatedCallDispatcher}
 * proposes the calls, and the {@link dev.raftboot.spring.command.ReplicatedCommandApplier} invokes
 * them when they are applied. Arguments travel through a {@link
 * dev.raftboot.spring.command.CommandCodec}, JSON by default, except for the types that command
 * format 2 writes itself.
 *
 * <h2>Command formats</h2>
 *
 * <p>A command's log entry (inside the runtime's envelope) is a protobuf message that other tools
 * can read with this schema:
 *
 * <pre>
 * message MethodCall {
 *   uint32 version = 1;       // 1 or 2, always the first field
 *   string bean = 2;          // the bean's name
 *   string method = 3;        // 1: "com.example.Kv#put(java.lang.String,byte[])"
 *                             // 2: "put(String,byte[])"
 *   string codec = 4;         // CommandCodec.id(); in 2 only if an argument uses field 1
 *   repeated Argument args = 5;
 *   fixed32 checksum = 6;     // 2 only: CRC-32C (Castagnoli) of every byte before this field,
 *                             // which is the last five bytes of the entry
 * }
 * message Argument {          // no field set: null
 *   bytes codec_value = 1;    // written by the codec (1: every argument that is not a message)
 *   string proto_type = 2;    // a protobuf message: its class name ...
 *   bytes proto_data = 3;     // ... and its bytes
 *   string string_value = 4;  // 2 only, by the parameter's erased type: String (UTF-8)
 *   bytes bytes_value = 5;    //   byte[]
 *   bool bool_value = 6;      //   boolean, Boolean
 *   sint64 integer_value = 7; //   int, Integer (range-checked when read), long, Long
 *   double double_value = 8;  //   double, Double (the raw IEEE bits: -0.0 and NaN survive)
 *   string enum_name = 9;     //   an enum type: the constant's name()
 * }
 * </pre>
 *
 * <p>Version 2 changed four things. The method is named by its short id, the name and the erased
 * parameter types without packages ({@code Outer$Inner} for a nested class); two commands of one
 * bean with the same short id are refused when the bean is created. Arguments of the types above
 * go in their own fields, chosen from the parameter's declared type (never from the value), so an
 * argument in any other field than its parameter's is refused; any other type goes through the
 * codec, a protobuf message as in version 1. The codec id is written only when an argument went
 * through the codec. The checksum makes a damaged or cut entry fail on every node with {@code
 * InvalidCommandException} before anything is decoded, instead of possibly being read as another
 * call. Strings must be well-formed UTF-16: one with an unpaired surrogate, which UTF-8 cannot
 * carry, is refused when it is encoded, and nothing is proposed.
 *
 * <p>Compatibility: every node reads both versions, so logs and snapshots written by version 1
 * keep applying exactly as before. A node writes version 2 unless {@code
 * raft.command-format-version=1}; nodes of releases before version 2 read only version 1 (and
 * would fail version 2 entries that the others apply), so during a rolling upgrade keep writing 1
 * until every node runs a release that reads 2. Renaming a command method or changing its
 * parameter types makes older entries unreadable in either version; in version 2 moving the method
 * to another class of the bean's hierarchy does not.
 */
@NullMarked
package dev.raftboot.spring.command;

import org.jspecify.annotations.NullMarked;
