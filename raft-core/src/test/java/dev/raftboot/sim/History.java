package dev.raftboot.sim;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * What one simulated run did, as the checks saw it, kept for the record: leaders, commits, applies,
 * reads and the faults injected, in order. It is kept as packed numbers while the run goes (a few
 * per event) and written as text only when asked ({@link #write}), in a line-oriented format that
 * {@link HistoryCheck} (or any other tool) can read back and re-check without the simulation:
 *
 * <pre>
 * # raftboot simulation history 1          first line: the format and its version
 * # seed=7 steps=5000 broken=NONE          comment lines start with '#'
 * STEP TIME leader node=N term=T           node N became leader of term T
 * STEP TIME commit node=N index=I entry=H by=commit|apply
 *                                          N knows entry H (a 64-bit fingerprint of index, term,
 *                                          type and data, in hex) committed at index I, from its
 *                                          commit index or because it applied the entry
 * STEP TIME state node=N index=I hash=H    N's state machine hash after index I (applied or
 *                                          restored from a snapshot)
 * STEP TIME read node=N ctx=C lease=B      a client asked N for a read (C: request number;
 *                                          B: true when answered from a lease)
 * STEP TIME read-index node=N ctx=C index=I   read C is answered at index I
 * STEP TIME fault kind=K node=N detail...  a fault (node=0: not one node; detail: free text)
 * STEP TIME violation check=C detail...    the in-run checker's verdict, when it failed
 * </pre>
 *
 * STEP counts simulation events from 1; TIME is simulated time (10 units a tick).
 */
final class History {

  static final String HEADER = "# raftboot simulation history 1";

  private static final int STRIDE = 6;
  static final int LEADER = 1;
  static final int COMMIT = 2;
  static final int APPLY = 3;
  static final int STATE = 4;
  static final int READ = 5;
  static final int READ_INDEX = 6;
  static final int FAULT = 7;

  private long[] ev = new long[STRIDE * 1024];
  private int size;
  private final ArrayList<String> texts = new ArrayList<>();

  /** The current step and simulated time, set by the simulation before each step. */
  long step;
  long now;

  private void add(int kind, long node, long a, long b) {
    if (size + STRIDE > ev.length) {
      ev = Arrays.copyOf(ev, ev.length * 2);
    }
    ev[size] = step;
    ev[size + 1] = now;
    ev[size + 2] = kind;
    ev[size + 3] = node;
    ev[size + 4] = a;
    ev[size + 5] = b;
    size += STRIDE;
  }

  void leader(long node, long term) {
    add(LEADER, node, term, 0);
  }

  void committed(long node, long index, long entry, boolean byApply) {
    add(byApply ? APPLY : COMMIT, node, index, entry);
  }

  void state(long node, long index, long hash) {
    add(STATE, node, index, hash);
  }

  void read(long node, ByteString ctx, boolean lease) {
    add(READ, node, ctxNumber(ctx), lease ? 1 : 0);
  }

  void readIndex(long node, ByteString ctx, long index) {
    add(READ_INDEX, node, ctxNumber(ctx), index);
  }

  void fault(String kind, long node, String detail) {
    texts.add("kind=" + kind + " node=" + node + (detail.isEmpty() ? "" : " " + detail));
    add(FAULT, texts.size() - 1, 0, 0);
  }

  /** Request contexts are "r" and a number. */
  private static long ctxNumber(ByteString ctx) {
    return Long.parseLong(ctx.toStringUtf8().substring(1));
  }

  /** Writes the history, with {@code header} lines as comments and an optional last line. */
  void write(Path file, String header, String lastLine) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      for (String h : header.split("\n")) {
        w.write("# " + h + "\n");
      }
      StringBuilder sb = new StringBuilder(96);
      for (int i = 0; i < size; i += STRIDE) {
        sb.setLength(0);
        sb.append(ev[i]).append(' ').append(ev[i + 1]).append(' ');
        long node = ev[i + 3];
        long a = ev[i + 4];
        long b = ev[i + 5];
        switch ((int) ev[i + 2]) {
          case LEADER -> sb.append("leader node=").append(node).append(" term=").append(a);
          case COMMIT, APPLY -> sb.append("commit node=").append(node).append(" index=").append(a)
              .append(" entry=").append(Long.toHexString(b))
              .append(ev[i + 2] == APPLY ? " by=apply" : " by=commit");
          case STATE -> sb.append("state node=").append(node).append(" index=").append(a)
              .append(" hash=").append(Long.toHexString(b));
          case READ -> sb.append("read node=").append(node).append(" ctx=").append(a)
              .append(" lease=").append(b == 1);
          case READ_INDEX -> sb.append("read-index node=").append(node).append(" ctx=").append(a)
              .append(" index=").append(b);
          case FAULT -> sb.append("fault ").append(texts.get((int) node));
          default -> throw new IllegalStateException("event kind " + ev[i + 2]);
        }
        w.write(sb.append('\n').toString());
      }
      if (lastLine != null) {
        w.write(lastLine.replace('\n', ' ') + "\n");
      }
    }
  }
}
