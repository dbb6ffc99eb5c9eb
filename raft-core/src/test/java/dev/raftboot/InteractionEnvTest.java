package dev.raftboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.raftboot.datadriven.CmdArg;
import dev.raftboot.datadriven.TestData;
import dev.raftboot.raftpb.ConfChangeSingle;
import dev.raftboot.raftpb.ConfChangeType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of the interaction harness that do not need a cluster. */
class InteractionEnvTest {

  private static TestData directive(String cmd, String... args) {
    List<CmdArg> cmdArgs = new ArrayList<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      cmdArgs.add(eq < 0 ? new CmdArg(a, List.of()) : new CmdArg(a.substring(0, eq), List.of(a.substring(eq + 1))));
    }
    return new TestData("test:1", cmd, cmdArgs, "", "");
  }

  @Test
  void unknownCommandIsOutput() {
    InteractionEnv env = new InteractionEnv();
    assertThat(env.handle(directive("no-such-thing"))).isEqualTo("unknown command");
  }

  @Test
  void breakpointIsOk() {
    assertThat(new InteractionEnv().handle(directive("_breakpoint"))).isEqualTo("ok");
  }

  @Test
  void logLevels() {
    InteractionEnv env = new InteractionEnv();
    assertThat(env.handle(directive("log-level", "bogus")))
        .isEqualTo("log levels must be either of [DEBUG INFO WARN ERROR FATAL NONE]");
    assertThat(env.handle(directive("log-level", "WaRn"))).isEqualTo("ok");
    assertThat(env.output.level()).isEqualTo(RedirectLogger.WARN);
    assertThat(env.handle(directive("log-level", "none"))).isEqualTo("ok");
    // quiet: errors are still returned, alone
    assertThat(env.handle(directive("no-such-thing"))).isEqualTo("unknown command");
    assertThat(env.handle(directive("log-level", "debug"))).isEqualTo("ok");
  }

  @Test
  void loggerFormatsAndFilters() {
    RedirectLogger log = new RedirectLogger();
    log.info("%x became leader at term %d", 26L, 3L);
    log.debug("plain");
    log.warn("ends in newline\n");
    log.error("ignoring MsgForgetLeader due to ReadOnlyLeaseBased");
    log.fatal("boom %s", "x");
    assertThat(log.contents())
        .isEqualTo(
            "INFO 1a became leader at term 3\n"
                + "DEBUG plain\n"
                + "WARN ends in newline\n"
                + "ERROR ignoring MsgForgetLeader due to ReadOnlyLeaseBased\n"
                + "FATAL boom x\n");
    log.reset();
    log.level(RedirectLogger.WARN);
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assertThat(log.contents()).isEqualTo("WARN w\nERROR e\n");
    log.reset();
    log.level(RedirectLogger.NONE);
    log.fatal("f");
    log.write("harness text");
    assertThat(log.contents()).isEmpty();
    assertThat(-1L).isEqualTo(RaftUtil.NO_LIMIT); // %x of -1 would be unsigned hex
    log.level(RedirectLogger.DEBUG);
    log.info("%x", -1L);
    assertThat(log.contents()).isEqualTo("INFO ffffffffffffffff\n");
  }

  @Test
  void indentationCapturesLogsAndNests() {
    InteractionEnv env = new InteractionEnv();
    env.output.write("> 1 header\n");
    env.withIndent(
        () -> {
          env.output.write("line a\nline b");
          env.output.info("logged %d", 1);
          env.withIndent(() -> env.output.write("inner\n  deeper\n"));
        });
    assertThat(env.output.contents())
        .isEqualTo(
            "> 1 header\n"
                + "  line a\n"
                + "  line bINFO logged 1\n"
                + "    inner\n"
                + "      deeper\n");
  }

  @Test
  void indentationEmitsCapturedTextOnError() {
    InteractionEnv env = new InteractionEnv();
    assertThatThrownBy(
            () ->
                env.withIndent(
                    () -> {
                      env.output.write("partial\n");
                      throw new InteractionError("bad");
                    }))
        .isInstanceOf(InteractionError.class);
    assertThat(env.output.contents()).isEqualTo("  partial\n");
  }

  @Test
  void confChangeTokens() {
    assertThat(InteractionCommands.parseConfChanges("")).isEmpty();
    assertThat(InteractionCommands.parseConfChanges("  v1 l2 r3 u4 "))
        .containsExactly(
            cc(ConfChangeType.ConfChangeAddNode, 1),
            cc(ConfChangeType.ConfChangeAddLearnerNode, 2),
            cc(ConfChangeType.ConfChangeRemoveNode, 3),
            cc(ConfChangeType.ConfChangeUpdateNode, 4));
    assertThatThrownBy(() -> InteractionCommands.parseConfChanges("v1 x"))
        .hasMessage("unknown token x");
    assertThatThrownBy(() -> InteractionCommands.parseConfChanges("v1  v2"))
        .hasMessage("unknown token ");
    assertThatThrownBy(() -> InteractionCommands.parseConfChanges("x1"))
        .hasMessage("unknown input: x1");
    assertThatThrownBy(() -> InteractionCommands.parseConfChanges("vx"))
        .hasMessage("strconv.ParseUint: parsing \"x\": invalid syntax");
  }

  private static ConfChangeSingle cc(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  @Test
  void goStrconv() {
    assertThat(GoStrconv.parseUint("18446744073709551615")).isEqualTo(-1L);
    assertThatThrownBy(() -> GoStrconv.parseUint("18446744073709551616"))
        .hasMessage("strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
    assertThatThrownBy(() -> GoStrconv.parseUint("+1"))
        .hasMessage("strconv.ParseUint: parsing \"+1\": invalid syntax");
    assertThatThrownBy(() -> GoStrconv.parseUint(""))
        .hasMessage("strconv.ParseUint: parsing \"\": invalid syntax");
    assertThat(GoStrconv.parseBool("T")).isTrue();
    assertThat(GoStrconv.parseBool("False")).isFalse();
    assertThatThrownBy(() -> GoStrconv.parseBool("yes"))
        .hasMessage("strconv.ParseBool: parsing \"yes\": invalid syntax");
    assertThat(GoStrconv.parseInt("-3")).isEqualTo(-3);
    assertThat(GoStrconv.parseInt("+3")).isEqualTo(3);
  }

  @Test
  void harnessMisuseFailsTheTest() {
    InteractionEnv env = new InteractionEnv();
    assertThatThrownBy(() -> env.handle(directive("campaign", "x"))).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> env.handle(directive("campaign", "1"))).isInstanceOf(AssertionError.class);
  }

  @Test
  void outputErrorsOfCommands() {
    InteractionEnv env = new InteractionEnv();
    assertThat(env.handle(directive("add-nodes", "1", "read-only=fast")))
        .isEqualTo("invalid read-only option \"fast\"");
    assertThat(env.handle(directive("add-nodes", "1", "index=1")))
        .isEqualTo("index must be specified as > 1 due to bootstrap");
    assertThat(env.handle(directive("add-nodes", "2", "voters=1")))
        .isEqualTo("index must be specified as > 1 due to bootstrap");
    assertThat(env.handle(directive("report-unreachable", "1")))
        .isEqualTo("must specify exactly two node indexes: node on which to report, and reported node");
    assertThat(env.nodes).isEmpty();
  }

  @Test
  void ownAddNodesOptionsReachTheConfig() {
    InteractionEnv env = new InteractionEnv();
    // MaxInflightBytes below the (unlimited) MaxSizePerMsg fails validation: reported as output.
    assertThat(env.handle(directive("add-nodes", "1", "max-inflight-bytes=100")))
        .isEqualTo("max inflight bytes must be >= max message size");
    assertThat(env.nodes).isEmpty();
    env.handle(
        directive(
            "add-nodes",
            "1",
            "max-inflight-bytes=100",
            "max-size-per-msg=10",
            "max-uncommitted-size=7",
            "disable-proposal-forwarding=true"));
    Config c = env.nodes.get(0).config;
    assertThat(c.maxInflightBytes()).isEqualTo(100);
    assertThat(c.maxSizePerMsg()).isEqualTo(10);
    assertThat(c.maxUncommittedEntriesSize()).isEqualTo(7);
    assertThat(c.disableProposalForwarding()).isTrue();
  }

  @Test
  void readIndexWithoutLeaderIsDropped() {
    InteractionEnv env = new InteractionEnv();
    env.handle(directive("add-nodes", "1", "voters=1", "index=2"));
    assertThat(env.handle(directive("read-index", "1", "ctx")))
        .isEqualTo("INFO 1 no leader at term 0; dropping index reading msg\n");
    assertThatThrownBy(() -> env.handle(directive("read-index", "1")))
        .isInstanceOf(AssertionError.class);
  }
}
