package dev.raftboot;

import dev.raftboot.raftpb.HardState;
import dev.raftboot.raftpb.MessageType;
import dev.raftboot.raftpb.Snapshot;

/** Small public helpers on the wire types, shared by the library and its users. */
public final class RaftUtil {

  /** The ID that means "no node". */
  public static final long NONE = 0;

  /** The target of {@code MsgStorageAppend}: the local append thread (2^64-1). */
  public static final long LOCAL_APPEND_THREAD = -1L;

  /** The target of {@code MsgStorageApply}: the local apply thread (2^64-2). */
  public static final long LOCAL_APPLY_THREAD = -2L;

  /** "No limit" for the uint64 size settings (2^64-1). */
  public static final long NO_LIMIT = -1L;

  private RaftUtil() {}

  public static boolean isEmptyHardState(HardState hs) {
    return hs.getTerm() == 0 && hs.getVote() == 0 && hs.getCommit() == 0;
  }

  public static boolean isEmptySnap(Snapshot s) {
    return s.getMetadata().getIndex() == 0;
  }

  /** Whether {@code id} is one of the two local thread targets. */
  public static boolean isLocalTarget(long id) {
    return id == LOCAL_APPEND_THREAD || id == LOCAL_APPLY_THREAD;
  }

  /** Message types that never leave the node. */
  public static boolean isLocalMsg(MessageType t) {
    switch (t) {
      case MsgHup:
      case MsgBeat:
      case MsgUnreachable:
      case MsgSnapStatus:
      case MsgCheckQuorum:
      case MsgStorageAppend:
      case MsgStorageAppendResp:
      case MsgStorageApply:
      case MsgStorageApplyResp:
        return true;
      default:
        return false;
    }
  }

  /** Message types that answer another message. */
  public static boolean isResponseMsg(MessageType t) {
    switch (t) {
      case MsgAppResp:
      case MsgVoteResp:
      case MsgHeartbeatResp:
      case MsgUnreachable:
      case MsgReadIndexResp:
      case MsgPreVoteResp:
      case MsgStorageAppendResp:
      case MsgStorageApplyResp:
        return true;
      default:
        return false;
    }
  }

  /** The response type that goes with a vote request type. */
  static MessageType voteRespMsgType(MessageType t) {
    switch (t) {
      case MsgVote:
        return MessageType.MsgVoteResp;
      case MsgPreVote:
        return MessageType.MsgPreVoteResp;
      default:
        throw new IllegalArgumentException("not a vote message: " + t);
    }
  }
}
