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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated state of the fault-injection nodes: a map of strings changed only through {@link
 * ReplicatedCommand} methods and read through {@link ReplicatedQuery} methods, one per {@link
 * ReadConsistency}. It snapshots itself, so restarted and lagging nodes also exercise snapshot
 * installation.
 *
 * <p>Every write carries the id its client gave it (the same id on every retry), and the store
 * keeps the ids of the writes it applied, in log order, as part of its replicated state (snapshots
 * carry them): so each node, however it caught up, can be asked which writes it applied and how
 * often ({@link ApplyOnceCheck}).
 */
public class KvStore implements StateSnapshotter {

  private final Map<String, String> data = new ConcurrentHashMap<>();
  /** Ids of the applied writes in log order; changed on the apply thread, read by the test. */
  private final List<String> applied = Collections.synchronizedList(new ArrayList<>());

  /** Write {@code writeId}: sets {@code key}; returns the previous value (null if none). */
  @ReplicatedCommand
  public String put(String writeId, String key, String value) {
    applied.add(writeId);
    return data.put(key, value);
  }

  /** Write {@code writeId}: removes {@code key}; returns whether it existed. */
  @ReplicatedCommand
  public boolean delete(String writeId, String key) {
    applied.add(writeId);
    return data.remove(key) != null;
  }

  /**
   * Write {@code writeId}: sets {@code key} to {@code value} if it holds {@code expected} (null: if
   * absent). Applied (and recorded) whether or not it swaps.
   */
  @ReplicatedCommand
  public boolean compareAndSet(String writeId, String key, String expected, String value) {
    applied.add(writeId);
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

  /** The ids of the writes this node applied, in log order (no read barrier). */
  public List<String> appliedWrites() {
    synchronized (applied) {
      return List.copyOf(applied);
    }
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
      List<String> ids = appliedWrites();
      out.writeInt(ids.size());
      for (String id : ids) {
        out.writeUTF(id);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  @Override
  public void restore(ByteString snapshot) {
    Map<String, String> restored = new TreeMap<>();
    List<String> ids = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(snapshot.newInput())) {
      for (int n = in.readInt(); n > 0; n--) {
        restored.put(in.readUTF(), in.readUTF());
      }
      for (int n = in.readInt(); n > 0; n--) {
        ids.add(in.readUTF());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt snapshot", e);
    }
    data.clear();
    data.putAll(restored);
    synchronized (applied) {
      applied.clear();
      applied.addAll(ids);
    }
  }
}
