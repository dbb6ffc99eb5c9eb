package dev.raftboot;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeV2;
import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.Message;
import dev.raftboot.raftpb.Snapshot;
import java.util.List;
import java.util.function.Function;

/**
 * Human-readable, single-purpose renderings of raft's data types, meant for log lines, debugging
 * and tests.
 *
 * <p>The formats are stable and match the ones etcd raft's own describe helpers produce byte for
 * byte, so that scenario scripts written for etcd raft can be replayed against this library and
 * compared textually. They are not a serialization format: nothing parses them back.
 *
 * <p>Conventions: unsigned 64-bit values held in a {@code long} (terms, indexes, IDs) are always
 * printed unsigned; node IDs in message headers are printed in hexadecimal, while terms, indexes,
 * votes and leaders are decimal, as the originals do. Entry payloads are quoted with {@link
 * #goQuote(ByteString)} unless a different formatter is passed.
 */
public final class Describe {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Describe() {}

  // ---------------------------------------------------------------------------------------------
  // primitives

  /**
   * The name used for a message endpoint: {@code None} for 0, {@code AppendThread} / {@code
   * ApplyThread} for the two local storage threads, otherwise the ID in lowercase hexadecimal.
   */
  public static String target(long id) {
    if (id == RaftUtil.NONE) {
      return "None";
    }
    if (id == RaftUtil.LOCAL_APPEND_THREAD) {
      return "AppendThread";
    }
    if (id == RaftUtil.LOCAL_APPLY_THREAD) {
      return "ApplyThread";
    }
    return Long.toHexString(id);
  }

  /**
   * Quotes bytes the way Go's {@code strconv.Quote} does: surrounded by double quotes; quote and
   * backslash escaped; printable characters of well-formed UTF-8 kept as they are; the usual C
   * escapes ({@code \a \b \f \n \r \t \v}); other control characters and every byte that is not
   * part of well-formed UTF-8 as {@code \xNN}; other non-printable characters as <code>&#92;uNNNN</code> or
   * {@code \UNNNNNNNN}. Whether a character is printable is decided from Java's Unicode character
   * categories (letters, marks, numbers, punctuation, symbols and the ASCII space), which agrees
   * with Go except for characters assigned in Unicode versions the two runtimes do not share.
   */
  public static String goQuote(ByteString b) {
    int n = b.size();
    StringBuilder sb = new StringBuilder(n + 2);
    sb.append('"');
    int i = 0;
    while (i < n) {
      int c = b.byteAt(i) & 0xff;
      if (c < 0x80) {
        appendQuotedRune(sb, c);
        i++;
        continue;
      }
      long decoded = decodeUtf8(b, i);
      if (decoded < 0) {
        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        i++;
        continue;
      }
      int rune = (int) (decoded & 0xffffffffL);
      int width = (int) (decoded >>> 32);
      appendQuotedRune(sb, rune);
      i += width;
    }
    sb.append('"');
    return sb.toString();
  }

  /**
   * Decodes the well-formed UTF-8 sequence starting at {@code i} (whose first byte is not ASCII).
   * Returns {@code width << 32 | codePoint}, or -1 if the bytes there are not well-formed UTF-8
   * (truncated sequences, overlong forms, surrogates, values beyond U+10FFFF, stray continuation
   * bytes).
   */
  private static long decodeUtf8(ByteString b, int i) {
    int n = b.size();
    int c0 = b.byteAt(i) & 0xff;
    int width;
    int lo = 0x80;
    int hi = 0xbf;
    int cp;
    if (c0 >= 0xc2 && c0 <= 0xdf) {
      width = 2;
      cp = c0 & 0x1f;
    } else if (c0 >= 0xe0 && c0 <= 0xef) {
      width = 3;
      cp = c0 & 0x0f;
      if (c0 == 0xe0) {
        lo = 0xa0;
      } else if (c0 == 0xed) {
        hi = 0x9f;
      }
    } else if (c0 >= 0xf0 && c0 <= 0xf4) {
      width = 4;
      cp = c0 & 0x07;
      if (c0 == 0xf0) {
        lo = 0x90;
      } else if (c0 == 0xf4) {
        hi = 0x8f;
      }
    } else {
      return -1;
    }
    if (i + width > n) {
      return -1;
    }
    for (int k = 1; k < width; k++) {
      int ck = b.byteAt(i + k) & 0xff;
      int min = k == 1 ? lo : 0x80;
      int max = k == 1 ? hi : 0xbf;
      if (ck < min || ck > max) {
        return -1;
      }
      cp = (cp << 6) | (ck & 0x3f);
    }
    return ((long) width << 32) | cp;
  }

  private static void appendQuotedRune(StringBuilder sb, int r) {
    if (r == '"' || r == '\\') {
      sb.append('\\').append((char) r);
      return;
    }
    if (isPrint(r)) {
      sb.appendCodePoint(r);
      return;
    }
    switch (r) {
      case 0x07:
        sb.append("\\a");
        return;
      case '\b':
        sb.append("\\b");
        return;
      case '\f':
        sb.append("\\f");
        return;
      case '\n':
        sb.append("\\n");
        return;
      case '\r':
        sb.append("\\r");
        return;
      case '\t':
        sb.append("\\t");
        return;
      case 0x0b:
        sb.append("\\v");
        return;
      default:
        break;
    }
    if (r < ' ' || r == 0x7f) {
      sb.append("\\x").append(HEX[r >> 4]).append(HEX[r & 0xf]);
    } else if (r < 0x10000) {
      sb.append("\\u");
      appendHex(sb, r, 4);
    } else {
      sb.append("\\U");
      appendHex(sb, r, 8);
    }
  }

  private static void appendHex(StringBuilder sb, int v, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      sb.append(HEX[(v >>> shift) & 0xf]);
    }
  }

  /** Go's notion of a printable character: a letter, mark, number, punctuation, symbol or ' '. */
  static boolean isPrint(int r) {
    if (r <= 0xff) {
      return (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r != 0xad);
    }
    switch (Character.getType(r)) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
      case Character.MATH_SYMBOL:
      case Character.CURRENCY_SYMBOL:
      case Character.MODIFIER_SYMBOL:
      case Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }

  /**
   * Whether a proto2 enum field holds a number this build does not know: protobuf then keeps it
   * among the unknown fields and the getter falls back to the default constant.
   */
  private static boolean isUnknownEnum(boolean has, UnknownFieldSet unknown, int field) {
    return !has && unknown.hasField(field) && !unknown.getField(field).getVarintList().isEmpty();
  }

  /** The constant's name, or for an unknown number the number itself, as Go prints it. */
  private static String enumName(boolean unknownValue, String name, UnknownFieldSet unknown, int field) {
    if (!unknownValue) {
      return name;
    }
    List<Long> vs = unknown.getField(field).getVarintList();
    return Long.toString((int) (long) vs.get(vs.size() - 1));
  }

  private static String u(long v) {
    return Long.toUnsignedString(v);
  }

  /** {@code [a b c]}: decimal, unsigned, space-separated, in the given order. */
  private static String idList(List<Long> ids) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(u(ids.get(i)));
    }
    return sb.append(']').toString();
  }

  // ---------------------------------------------------------------------------------------------
  // entries

  /** {@code <term>/<index> <type>[ <payload>]}, with normal payloads quoted by {@link #goQuote}. */
  public static String entry(Entry e) {
    return entry(e, Describe::goQuote);
  }

  /**
   * {@code <term>/<index> <type>} followed, if the rendered payload is not empty, by a space and
   * the payload. Normal entries render their data with {@code formatter}; conf-change entries (V1
   * and V2) render their changes as with {@link #confChanges(List)}, or the decoding error.
   */
  public static String entry(Entry e, Function<ByteString, String> formatter) {
    String payload;
    boolean unknownType = isUnknownEnum(e.hasType(), e.getUnknownFields(), Entry.TYPE_FIELD_NUMBER);
    switch (unknownType ? "" : e.getType().name()) {
      case "EntryConfChange":
        try {
          payload = confChanges(toV2(ConfChange.parseFrom(e.getData())).getChangesList());
        } catch (InvalidProtocolBufferException ex) {
          payload = String.valueOf(ex.getMessage());
        }
        break;
      case "EntryConfChangeV2":
        try {
          payload = confChanges(ConfChangeV2.parseFrom(e.getData()).getChangesList());
        } catch (InvalidProtocolBufferException ex) {
          payload = String.valueOf(ex.getMessage());
        }
        break;
      case "EntryNormal":
        payload = formatter.apply(e.getData());
        break;
      default:
        payload = "";
        break;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(u(e.getTerm())).append('/').append(u(e.getIndex())).append(' ')
        .append(enumName(unknownType, e.getType().name(), e.getUnknownFields(), Entry.TYPE_FIELD_NUMBER));
    if (!payload.isEmpty()) {
      sb.append(' ').append(payload);
    }
    return sb.toString();
  }

  /** One {@link #entry(Entry)} per line, each line ending in a newline. */
  public static String entries(List<Entry> ents) {
    return entries(ents, Describe::goQuote);
  }

  /** One {@link #entry(Entry, Function)} per line, each line ending in a newline. */
  public static String entries(List<Entry> ents, Function<ByteString, String> formatter) {
    StringBuilder sb = new StringBuilder();
    for (Entry e : ents) {
      sb.append(entry(e, formatter)).append('\n');
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // messages

  /** A message on one logical line; entries, snapshots and responses may add indented lines. */
  public static String message(Message m) {
    return message(m, Describe::goQuote);
  }

  /**
   * {@code <from>-><to> <type> Term:<t> Log:<logTerm>/<index>} followed by the rejection, commit,
   * vote, entries, snapshot and nested responses when present. The context is never shown.
   * Multi-entry lists, the snapshot and responses continue on further lines indented by two spaces
   * per nesting level.
   */
  public static String message(Message m, Function<ByteString, String> formatter) {
    StringBuilder sb = new StringBuilder();
    appendMessage(sb, "", m, formatter);
    return sb.toString();
  }

  private static void appendMessage(
      StringBuilder sb, String indent, Message m, Function<ByteString, String> formatter) {
    sb.append(indent)
        .append(target(m.getFrom()))
        .append("->")
        .append(target(m.getTo()))
        .append(' ')
        .append(
            enumName(
                isUnknownEnum(m.hasType(), m.getUnknownFields(), Message.TYPE_FIELD_NUMBER),
                m.getType().name(),
                m.getUnknownFields(),
                Message.TYPE_FIELD_NUMBER))
        .append(" Term:")
        .append(u(m.getTerm()))
        .append(" Log:")
        .append(u(m.getLogTerm()))
        .append('/')
        .append(u(m.getIndex()));
    if (m.getReject()) {
      sb.append(" Rejected (Hint: ").append(u(m.getRejectHint())).append(')');
    }
    if (m.getCommit() != 0) {
      sb.append(" Commit:").append(u(m.getCommit()));
    }
    if (m.getVote() != 0) {
      sb.append(" Vote:").append(u(m.getVote()));
    }
    int ne = m.getEntriesCount();
    if (ne == 1) {
      sb.append(" Entries:[").append(entry(m.getEntries(0), formatter)).append(']');
    } else if (ne > 1) {
      sb.append(" Entries:[");
      for (Entry e : m.getEntriesList()) {
        sb.append('\n').append(indent).append("  ").append(entry(e, formatter));
      }
      sb.append('\n').append(indent).append(']');
    }
    if (m.hasSnapshot() && !RaftUtil.isEmptySnap(m.getSnapshot())) {
      sb.append('\n').append(indent).append("  Snapshot: ").append(snapshot(m.getSnapshot()));
    }
    if (m.getResponsesCount() > 0) {
      sb.append(" Responses:[");
      for (Message r : m.getResponsesList()) {
        sb.append('\n');
        appendMessage(sb, indent + "  ", r, formatter);
      }
      sb.append('\n').append(indent).append(']');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // states

  /** {@code Term:<t>[ Vote:<v>] Commit:<c>}; the vote is shown only when set. */
  public static String hardState(HardState hs) {
    StringBuilder sb = new StringBuilder("Term:").append(u(hs.getTerm()));
    if (hs.getVote() != 0) {
      sb.append(" Vote:").append(u(hs.getVote()));
    }
    return sb.append(" Commit:").append(u(hs.getCommit())).toString();
  }

  /** {@code Lead:<lead> State:<role>}. */
  public static String softState(SoftState ss) {
    return "Lead:" + u(ss.lead()) + " State:" + ss.raftState();
  }

  /** {@code Voters:[..] VotersOutgoing:[..] Learners:[..] LearnersNext:[..] AutoLeave:<bool>}. */
  public static String confState(ConfState cs) {
    return "Voters:"
        + idList(cs.getVotersList())
        + " VotersOutgoing:"
        + idList(cs.getVotersOutgoingList())
        + " Learners:"
        + idList(cs.getLearnersList())
        + " LearnersNext:"
        + idList(cs.getLearnersNextList())
        + " AutoLeave:"
        + cs.getAutoLeave();
  }

  /** {@code Index:<i> Term:<t> ConfState:<conf state>}; the data is never shown. */
  public static String snapshot(Snapshot s) {
    return "Index:"
        + u(s.getMetadata().getIndex())
        + " Term:"
        + u(s.getMetadata().getTerm())
        + " ConfState:"
        + confState(s.getMetadata().getConfState());
  }

  /**
   * A Ready as a block of lines: {@code Ready MustSync=<bool>:} followed by the soft state, hard
   * state, read states, entries, snapshot, committed entries and messages that it carries, each
   * line ending in a newline. A Ready carrying none of these is {@code <empty Ready>}, without a
   * newline.
   */
  public static String ready(Ready rd) {
    return ready(rd, Describe::goQuote);
  }

  /** {@link #ready(Ready)} with a custom formatter for normal entry payloads. */
  public static String ready(Ready rd, Function<ByteString, String> formatter) {
    StringBuilder sb = new StringBuilder();
    if (rd.softState() != null) {
      sb.append(softState(rd.softState())).append('\n');
    }
    if (rd.hardState() != null && !RaftUtil.isEmptyHardState(rd.hardState())) {
      sb.append("HardState ").append(hardState(rd.hardState())).append('\n');
    }
    if (rd.readStates() != null && !rd.readStates().isEmpty()) {
      sb.append("ReadStates ").append(readStates(rd.readStates())).append('\n');
    }
    if (rd.entries() != null && !rd.entries().isEmpty()) {
      sb.append("Entries:\n").append(entries(rd.entries(), formatter));
    }
    if (rd.snapshot() != null && !RaftUtil.isEmptySnap(rd.snapshot())) {
      sb.append("Snapshot ").append(snapshot(rd.snapshot())).append('\n');
    }
    if (rd.committedEntries() != null && !rd.committedEntries().isEmpty()) {
      sb.append("CommittedEntries:\n").append(entries(rd.committedEntries(), formatter));
    }
    if (rd.messages() != null && !rd.messages().isEmpty()) {
      sb.append("Messages:\n");
      for (Message m : rd.messages()) {
        sb.append(message(m, formatter)).append('\n');
      }
    }
    if (sb.length() == 0) {
      return "<empty Ready>";
    }
    return "Ready MustSync=" + rd.mustSync() + ":\n" + sb;
  }

  /** {@code [{<index> [<ctx bytes in decimal>]} ...]}. */
  public static String readStates(List<ReadState> rs) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < rs.size(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      ReadState r = rs.get(i);
      sb.append('{').append(u(r.index())).append(" [");
      ByteString ctx = r.requestCtx() == null ? ByteString.EMPTY : r.requestCtx();
      for (int k = 0; k < ctx.size(); k++) {
        if (k > 0) {
          sb.append(' ');
        }
        sb.append(ctx.byteAt(k) & 0xff);
      }
      sb.append("]}");
    }
    return sb.append(']').toString();
  }

  // ---------------------------------------------------------------------------------------------
  // configuration changes

  /** A legacy conf change as the equivalent single-step V2 change (automatic transition). */
  private static ConfChangeV2 toV2(ConfChange cc) {
    ConfChangeSingle.Builder single = ConfChangeSingle.newBuilder().setNodeId(cc.getNodeId());
    if (isUnknownEnum(cc.hasType(), cc.getUnknownFields(), ConfChange.TYPE_FIELD_NUMBER)) {
      // keep the unrecognised type number visible to the renderers
      single.setUnknownFields(
          UnknownFieldSet.newBuilder()
              .addField(
                  ConfChangeSingle.TYPE_FIELD_NUMBER,
                  cc.getUnknownFields().getField(ConfChange.TYPE_FIELD_NUMBER))
              .build());
    } else {
      single.setType(cc.getType());
    }
    ConfChangeV2.Builder b = ConfChangeV2.newBuilder().addChanges(single);
    if (cc.hasContext()) {
      b.setContext(cc.getContext());
    }
    return b.build();
  }

  /** A legacy conf change, rendered after conversion to V2; see {@link #confChange(ConfChangeV2)}. */
  public static String confChange(ConfChange cc) {
    return confChange(toV2(cc));
  }

  /**
   * {@code transition:<name>} then {@code changes:{type:<type> node_id:<id>}} per change, then
   * {@code context:<quoted>} when the context is not empty, all space-separated.
   */
  public static String confChange(ConfChangeV2 cc) {
    StringBuilder sb =
        new StringBuilder("transition:")
            .append(
                enumName(
                    isUnknownEnum(
                        cc.hasTransition(), cc.getUnknownFields(), ConfChangeV2.TRANSITION_FIELD_NUMBER),
                    cc.getTransition().name(),
                    cc.getUnknownFields(),
                    ConfChangeV2.TRANSITION_FIELD_NUMBER));
    for (ConfChangeSingle s : cc.getChangesList()) {
      sb.append(" changes:{type:")
          .append(
              enumName(
                  isUnknownEnum(s.hasType(), s.getUnknownFields(), ConfChangeSingle.TYPE_FIELD_NUMBER),
                  s.getType().name(),
                  s.getUnknownFields(),
                  ConfChangeSingle.TYPE_FIELD_NUMBER))
          .append(" node_id:")
          .append(u(s.getNodeId()))
          .append('}');
    }
    if (!cc.getContext().isEmpty()) {
      sb.append(" context:").append(goQuote(cc.getContext()));
    }
    return sb.toString();
  }

  /**
   * Changes as space-separated tokens: {@code v<id>} add voter, {@code l<id>} add learner, {@code
   * r<id>} remove, {@code u<id>} update, {@code unknown<id>} otherwise; IDs in decimal. An empty
   * list is the empty string.
   */
  public static String confChanges(List<ConfChangeSingle> ccs) {
    StringBuilder sb = new StringBuilder();
    for (ConfChangeSingle s : ccs) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      boolean unknown =
          isUnknownEnum(s.hasType(), s.getUnknownFields(), ConfChangeSingle.TYPE_FIELD_NUMBER);
      if (unknown) {
        sb.append("unknown").append(u(s.getNodeId()));
        continue;
      }
      switch (s.getType()) {
        case ConfChangeAddNode:
          sb.append('v');
          break;
        case ConfChangeAddLearnerNode:
          sb.append('l');
          break;
        case ConfChangeRemoveNode:
          sb.append('r');
          break;
        case ConfChangeUpdateNode:
          sb.append('u');
          break;
        default:
          sb.append("unknown");
          break;
      }
      sb.append(u(s.getNodeId()));
    }
    return sb.toString();
  }
}
