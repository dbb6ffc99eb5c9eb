package dev.raftboot.confchange;

import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import java.util.ArrayList;
import java.util.List;

/** Helpers that interpret conf change messages. */
public final class ConfChanges {

  private ConfChanges() {}

  /** The legacy single change {@code cc} as a V2 change (transition auto), context included. */
  public static ConfChangeV2 toV2(ConfChange cc) {
    ConfChangeV2.Builder b =
        ConfChangeV2.newBuilder()
            .addChanges(
                ConfChangeSingle.newBuilder().setType(cc.getType()).setNodeId(cc.getNodeId()));
    if (cc.hasContext()) {
      b.setContext(cc.getContext());
    }
    return b.build();
  }

  /**
   * Whether {@code cc} must be carried out through a joint config: it asks for one explicitly or
   * implicitly, or it changes more than one node.
   */
  public static boolean enterJoint(ConfChangeV2 cc) {
    return cc.getTransition() != ConfChangeTransition.ConfChangeTransitionAuto
        || cc.getChangesCount() > 1;
  }

  /**
   * Whether the joint config entered by {@code cc} is to be left automatically: true for the auto
   * and implicit transitions, false for the explicit one. False if {@code cc} enters no joint
   * config.
   */
  public static boolean autoLeave(ConfChangeV2 cc) {
    return enterJoint(cc)
        && cc.getTransition() != ConfChangeTransition.ConfChangeTransitionJointExplicit;
  }

  /**
   * Whether {@code cc} is the request to leave a joint config: the auto transition and no changes.
   * The context is not considered.
   */
  public static boolean leaveJoint(ConfChangeV2 cc) {
    return cc.getTransition() == ConfChangeTransition.ConfChangeTransitionAuto
        && cc.getChangesCount() == 0;
  }

  /**
   * Parses space-separated changes such as {@code v1 l2 r3 u4} (add voter, add learner, remove,
   * update; node IDs in decimal). A blank string gives no changes.
   *
   * @throws IllegalArgumentException {@code unknown token X}, {@code unknown input: X} or Go's
   *     {@code strconv.ParseUint} error for a bad ID
   */
  public static List<ConfChangeSingle> fromString(String s) {
    List<ConfChangeSingle> out = new ArrayList<>();
    String trimmed = GoText.trimSpace(s);
    if (trimmed.isEmpty()) {
      return out;
    }
    for (String tok : trimmed.split(" ", -1)) {
      if (GoText.byteLength(tok) < 2) {
        throw new IllegalArgumentException("unknown token " + tok);
      }
      ConfChangeType type =
          switch (tok.charAt(0)) {
            case 'v' -> ConfChangeType.ConfChangeAddNode;
            case 'l' -> ConfChangeType.ConfChangeAddLearnerNode;
            case 'r' -> ConfChangeType.ConfChangeRemoveNode;
            case 'u' -> ConfChangeType.ConfChangeUpdateNode;
            default -> throw new IllegalArgumentException("unknown input: " + tok);
          };
      long id = GoText.parseUint(tok.substring(1));
      out.add(ConfChangeSingle.newBuilder().setType(type).setNodeId(id).build());
    }
    return out;
  }
}
