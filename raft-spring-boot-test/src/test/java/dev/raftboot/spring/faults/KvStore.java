package dev.raftboot.spring.faults;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.api.ReadConsistency;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedQuery;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The replicated state of the fault-injection nodes: a map of strings changed only through {@link
 * ReplicatedCommand} methods and read through {@link ReplicatedQuery} methods, one per {@link
 * ReadConsistency}. It snapshots itself, so restarted and lagging nodes also exercise snapshot
 * installation.
 */
public class KvStore implements StateSnapshotter {

  private final Map<String, String> data = new ConcurrentHashMap<>();
  /**
   * Every write the workload makes carries a value of its own, so a value applied twice means a
   * command was applied twice. Kept since this bean started (not in snapshots).
   */
  private final Set<String> appliedWrites = ConcurrentHashMap.newKeySet();
  private final List<String> appliedTwice = new CopyOnWriteArrayList<>();

  /** Sets {@code key}; returns the previous value (null if none). */
  @ReplicatedCommand
  public String put(String key, String value) {
    noteApplied("put", key, value);
    return data.put(key, value);
  }

  /** Removes {@code key}; returns whether it existed. */
  @ReplicatedCommand
  public boolean delete(String key) {
    return data.remove(key) != null;
  }

  /** Sets {@code key} to {@code value} if it holds {@code expected} (null: if absent). */
  @ReplicatedCommand
  public boolean compareAndSet(String key, String expected, String value) {
    noteApplied("cas", key, value);
    if (!Objects.equals(data.get(key), expected)) {
      return false;
    }
    data.put(key, value);
    return true;
  }

  @ReplicatedQuery(consistency = ReadConsistency.LINEARIZABLE)
  public String getLinearizable(String key) {
    return data.get(key);
  }

  @ReplicatedQuery(consistency = ReadConsistency.LEASE)
  public String getLease(String key) {
    return data.get(key);
  }

  @ReplicatedQuery(consistency = ReadConsistency.LOCAL)
  public String getLocal(String key) {
    return data.get(key);
  }

  private void noteApplied(String op, String key, String value) {
    if (!appliedWrites.add(op + " " + key + "=" + value)) {
      appliedTwice.add(op + " " + key + "=" + value);
    }
  }

  /** Writes this node applied more than once since it started. */
  public List<String> appliedTwice() {
    return List.copyOf(appliedTwice);
  }

  /** A copy of this node's whole map as it is now (no read barrier). */
  public Map<String, String> contents() {
    return new TreeMap<>(data);
  }

  @Override
  public ByteString snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      Map<String, String> copy = new TreeMap<>(data);
      out.writeInt(copy.size());
      for (Map.Entry<String, String> e : copy.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  @Override
  public void restore(ByteString snapshot) {
    Map<String, String> restored = new TreeMap<>();
    try (DataInputStream in = new DataInputStream(snapshot.newInput())) {
      for (int n = in.readInt(); n > 0; n--) {
        restored.put(in.readUTF(), in.readUTF());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt snapshot", e);
    }
    data.clear();
    data.putAll(restored);
  }
}
