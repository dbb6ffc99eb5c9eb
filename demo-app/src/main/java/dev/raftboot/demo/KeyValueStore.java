package dev.raftboot.demo;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.springframework.stereotype.Component;

/**
 * The replicated state: a sorted map of strings. The {@link ReplicatedCommand} methods change it;
 * every node runs them in the same order, so every node holds the same map. They are deterministic:
 * their result depends only on the map and their arguments.
 *
 * <p>Reads are plain methods; callers decide how current the state must be first (see {@link
 * KeyValueController}). The map is concurrent so reads never block the apply thread.
 */
@Component
public class KeyValueStore implements StateSnapshotter {

  private final ConcurrentSkipListMap<String, String> data = new ConcurrentSkipListMap<>();

  /** Sets {@code key} and returns its previous value (null if it had none). */
  @ReplicatedCommand
  public String put(String key, String value) {
    return data.put(key, value);
  }

  /** Removes {@code key}; returns whether it existed. */
  @ReplicatedCommand
  public boolean delete(String key) {
    return data.remove(key) != null;
  }

  /**
   * Sets {@code key} to {@code value} only if it currently holds {@code expected} ({@code null}:
   * only if absent). Returns whether it did.
   */
  @ReplicatedCommand
  public boolean compareAndSet(String key, String expected, String value) {
    if (!Objects.equals(data.get(key), expected)) {
      return false;
    }
    data.put(key, value);
    return true;
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(data.get(key));
  }

  /** The entries whose key starts with {@code prefix}, in key order. */
  public NavigableMap<String, String> list(String prefix) {
    if (prefix.isEmpty()) {
      return data;
    }
    return data.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
  }

  @Override
  public ByteString snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(data.size());
      for (Map.Entry<String, String> e : data.entrySet()) {
        writeString(out, e.getKey());
        writeString(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  @Override
  public void restore(ByteString snapshot) {
    data.clear();
    try (DataInputStream in = new DataInputStream(snapshot.newInput())) {
      for (int n = in.readInt(); n > 0; n--) {
        data.put(readString(in), readString(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt key-value snapshot", e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
