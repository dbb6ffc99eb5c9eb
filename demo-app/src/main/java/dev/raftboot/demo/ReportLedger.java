package dev.raftboot.demo;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedQuery;
import dev.raftboot.spring.spi.StateSnapshotter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Replicated record of the report job's runs: which node ran each one. Kept apart from the
 * key-value store, so the job never touches the keys clients use.
 */
@Component
public class ReportLedger implements StateSnapshotter {

  /** How many runs are kept. */
  static final int KEPT = 100;

  /**
   * One run of the job: its number, the node that ran it, and the period (the wall-clock second the
   * schedule fired at, as that node saw it).
   */
  public record Run(long number, long node, long period) {}

  private final Deque<Run> runs = new ArrayDeque<>();
  private long count;

  /** Records a run by {@code node} in {@code period}; returns its number. */
  @ReplicatedCommand
  public synchronized long record(long node, long period) {
    count++;
    runs.addLast(new Run(count, node, period));
    if (runs.size() > KEPT) {
      runs.removeFirst();
    }
    return count;
  }

  /** The latest runs, oldest first, after a linearizable read barrier. */
  @ReplicatedQuery
  public synchronized List<Run> recent() {
    return List.copyOf(runs);
  }

  @Override
  public synchronized ByteString snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(count);
      out.writeInt(runs.size());
      for (Run r : runs) {
        out.writeLong(r.number());
        out.writeLong(r.node());
        out.writeLong(r.period());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  @Override
  public synchronized void restore(ByteString data) {
    runs.clear();
    try (DataInputStream in = new DataInputStream(data.newInput())) {
      count = in.readLong();
      for (int n = in.readInt(); n > 0; n--) {
        runs.addLast(new Run(in.readLong(), in.readLong(), in.readLong()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt report ledger snapshot", e);
    }
  }
}
