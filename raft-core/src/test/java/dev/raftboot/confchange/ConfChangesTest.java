package dev.raftboot.confchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.ConfChange;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeTransition;
import dev.raftboot.raftpb.ConfChangeType;
import dev.raftboot.raftpb.ConfChangeV2;
import org.junit.jupiter.api.Test;

class ConfChangesTest {

  private static ConfChangeSingle cc(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  @Test
  void fromStringParsesEveryOperation() {
    assertThat(ConfChanges.fromString("  v1 l2 r3 u18446744073709551615\n"))
        .containsExactly(
            cc(ConfChangeType.ConfChangeAddNode, 1),
            cc(ConfChangeType.ConfChangeAddLearnerNode, 2),
            cc(ConfChangeType.ConfChangeRemoveNode, 3),
            cc(ConfChangeType.ConfChangeUpdateNode, -1L));
    assertThat(ConfChanges.fromString(" \t")).isEmpty();
    // The type is set explicitly even for the default value, so that it is printed.
    assertThat(ConfChanges.fromString("v0").get(0).hasType()).isTrue();
  }

  @Test
  void fromStringErrorsUseEtcdTexts() {
    assertThatThrownBy(() -> ConfChanges.fromString("v1 x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown token x");
    assertThatThrownBy(() -> ConfChanges.fromString("v1  v2")).hasMessage("unknown token ");
    assertThatThrownBy(() -> ConfChanges.fromString("x1")).hasMessage("unknown input: x1");
    assertThatThrownBy(() -> ConfChanges.fromString("vx"))
        .hasMessage("strconv.ParseUint: parsing \"x\": invalid syntax");
    assertThatThrownBy(() -> ConfChanges.fromString("v-1"))
        .hasMessage("strconv.ParseUint: parsing \"-1\": invalid syntax");
    assertThatThrownBy(() -> ConfChanges.fromString("v18446744073709551616"))
        .hasMessage("strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
    assertThatThrownBy(() -> ConfChanges.fromString("v99999999999999999999x"))
        .hasMessage("strconv.ParseUint: parsing \"99999999999999999999x\": value out of range");
    assertThatThrownBy(() -> ConfChanges.fromString("v1\"\\\u0001é\u200b"))
        .hasMessage("strconv.ParseUint: parsing \"1\\\"\\\\\\x01é\\u200b\": invalid syntax");
  }

  @Test
  void toV2CarriesTheChangeAndContext() {
    ConfChange v1 =
        ConfChange.newBuilder()
            .setType(ConfChangeType.ConfChangeRemoveNode)
            .setNodeId(7)
            .setContext(ByteString.copyFromUtf8("ctx"))
            .setId(99)
            .build();
    ConfChangeV2 v2 = ConfChanges.toV2(v1);
    assertThat(v2.getTransition()).isEqualTo(ConfChangeTransition.ConfChangeTransitionAuto);
    assertThat(v2.getChangesList()).containsExactly(cc(ConfChangeType.ConfChangeRemoveNode, 7));
    assertThat(v2.getContext().toStringUtf8()).isEqualTo("ctx");
    assertThat(ConfChanges.toV2(ConfChange.getDefaultInstance()).hasContext()).isFalse();
    assertThat(ConfChanges.enterJoint(v2)).isFalse();
    assertThat(ConfChanges.leaveJoint(v2)).isFalse();
  }

  @Test
  void jointTransitions() {
    ConfChangeV2 one = v2(ConfChangeTransition.ConfChangeTransitionAuto, 1);
    ConfChangeV2 two = v2(ConfChangeTransition.ConfChangeTransitionAuto, 2);
    ConfChangeV2 implicit = v2(ConfChangeTransition.ConfChangeTransitionJointImplicit, 1);
    ConfChangeV2 explicit = v2(ConfChangeTransition.ConfChangeTransitionJointExplicit, 1);
    assertThat(ConfChanges.enterJoint(one)).isFalse();
    assertThat(ConfChanges.autoLeave(one)).isFalse();
    assertThat(ConfChanges.enterJoint(two)).isTrue();
    assertThat(ConfChanges.autoLeave(two)).isTrue();
    assertThat(ConfChanges.enterJoint(implicit)).isTrue();
    assertThat(ConfChanges.autoLeave(implicit)).isTrue();
    assertThat(ConfChanges.enterJoint(explicit)).isTrue();
    assertThat(ConfChanges.autoLeave(explicit)).isFalse();
  }

  @Test
  void leaveJointIsTheEmptyAutoChangeWhateverTheContext() {
    assertThat(ConfChanges.leaveJoint(ConfChangeV2.getDefaultInstance())).isTrue();
    assertThat(
            ConfChanges.leaveJoint(
                ConfChangeV2.newBuilder()
                    .setTransition(ConfChangeTransition.ConfChangeTransitionAuto)
                    .setContext(ByteString.copyFromUtf8("x"))
                    .build()))
        .isTrue();
    assertThat(ConfChanges.leaveJoint(v2(ConfChangeTransition.ConfChangeTransitionAuto, 1)))
        .isFalse();
    assertThat(
            ConfChanges.leaveJoint(v2(ConfChangeTransition.ConfChangeTransitionJointExplicit, 0)))
        .isFalse();
  }

  private static ConfChangeV2 v2(ConfChangeTransition t, int changes) {
    ConfChangeV2.Builder b = ConfChangeV2.newBuilder().setTransition(t);
    for (int i = 0; i < changes; i++) {
      b.addChanges(cc(ConfChangeType.ConfChangeAddNode, i + 1));
    }
    return b.build();
  }
}
