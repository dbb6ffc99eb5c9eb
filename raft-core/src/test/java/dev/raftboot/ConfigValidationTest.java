package dev.raftboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Config.validate(): every rejection with its message, and the defaults it fills in. */
class ConfigValidationTest {

  /** A configuration that passes validation. */
  private static Config valid() {
    return new Config()
        .id(1)
        .electionTick(10)
        .heartbeatTick(1)
        .storage(new MemoryStorage())
        .maxInflightMsgs(256);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("id 0", (Consumer<Config>) c -> c.id(0), "cannot use none as id"),
        Arguments.of(
            "append thread id",
            (Consumer<Config>) c -> c.id(RaftUtil.LOCAL_APPEND_THREAD),
            "cannot use local target as id"),
        Arguments.of(
            "apply thread id",
            (Consumer<Config>) c -> c.id(RaftUtil.LOCAL_APPLY_THREAD),
            "cannot use local target as id"),
        Arguments.of(
            "heartbeat 0",
            (Consumer<Config>) c -> c.heartbeatTick(0),
            "heartbeat tick must be greater than 0"),
        Arguments.of(
            "heartbeat negative",
            (Consumer<Config>) c -> c.heartbeatTick(-1),
            "heartbeat tick must be greater than 0"),
        Arguments.of(
            "election equal to heartbeat",
            (Consumer<Config>) c -> c.electionTick(1),
            "election tick must be greater than heartbeat tick"),
        Arguments.of(
            "election below heartbeat",
            (Consumer<Config>) c -> c.electionTick(3).heartbeatTick(5),
            "election tick must be greater than heartbeat tick"),
        Arguments.of(
            "no storage", (Consumer<Config>) c -> c.storage(null), "storage cannot be nil"),
        Arguments.of(
            "no inflight messages",
            (Consumer<Config>) c -> c.maxInflightMsgs(0),
            "max inflight messages must be greater than 0"),
        Arguments.of(
            "negative inflight messages",
            (Consumer<Config>) c -> c.maxInflightMsgs(-3),
            "max inflight messages must be greater than 0"),
        Arguments.of(
            "inflight bytes below message size",
            (Consumer<Config>) c -> c.maxSizePerMsg(1024).maxInflightBytes(1023),
            "max inflight bytes must be >= max message size"),
        Arguments.of(
            "inflight bytes below unlimited message size",
            (Consumer<Config>) c -> c.maxSizePerMsg(RaftUtil.NO_LIMIT).maxInflightBytes(1 << 20),
            "max inflight bytes must be >= max message size"),
        Arguments.of(
            "lease reads without CheckQuorum",
            (Consumer<Config>) c -> c.readOnlyOption(ReadOnlyOption.LEASE_BASED),
            "CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejected(String name, Consumer<Config> breakIt, String message) {
    Config c = valid();
    breakIt.accept(c);
    assertThatThrownBy(c::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    // Constructing a node validates too.
    Config again = valid();
    breakIt.accept(again);
    assertThatThrownBy(() -> new RawNode(again))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  /** Checks run in a fixed order: the first problem is reported. */
  @Test
  void firstProblemIsReported() {
    Config c = valid().id(0).heartbeatTick(0).storage(null);
    assertThatThrownBy(c::validate).hasMessage("cannot use none as id");
    c.id(1);
    assertThatThrownBy(c::validate).hasMessage("heartbeat tick must be greater than 0");
    c.heartbeatTick(1);
    assertThatThrownBy(c::validate).hasMessage("storage cannot be nil");
  }

  @Test
  void validEdgeCasesPass() {
    assertThatCode(() -> valid().validate()).doesNotThrowAnyException();
    assertThatCode(() -> valid().electionTick(2).heartbeatTick(1).validate())
        .doesNotThrowAnyException();
    assertThatCode(() -> valid().maxSizePerMsg(1024).maxInflightBytes(1024).validate())
        .doesNotThrowAnyException();
    assertThatCode(
            () -> valid().checkQuorum(true).readOnlyOption(ReadOnlyOption.LEASE_BASED).validate())
        .doesNotThrowAnyException();
    assertThatCode(() -> valid().id(RaftUtil.LOCAL_APPLY_THREAD - 1).validate())
        .doesNotThrowAnyException();
  }

  /** Zero limits mean their documented defaults; a logger and a random source are supplied. */
  @Test
  void defaultsAreFilledIn() {
    Config c = valid().maxSizePerMsg(4096);
    c.validate();
    assertThat(c.maxUncommittedEntriesSize()).isEqualTo(RaftUtil.NO_LIMIT);
    assertThat(c.maxCommittedSizePerReady()).isEqualTo(4096);
    assertThat(c.maxInflightBytes()).isEqualTo(RaftUtil.NO_LIMIT);
    assertThat(c.logger()).isNotNull();
    assertThat(c.random()).isNotNull();
    assertThat(c.readOnlyOption()).isEqualTo(ReadOnlyOption.SAFE);

    Config explicit =
        valid()
            .maxSizePerMsg(4096)
            .maxCommittedSizePerReady(100)
            .maxUncommittedEntriesSize(7)
            .maxInflightBytes(8192);
    explicit.validate();
    assertThat(explicit.maxCommittedSizePerReady()).isEqualTo(100);
    assertThat(explicit.maxUncommittedEntriesSize()).isEqualTo(7);
    assertThat(explicit.maxInflightBytes()).isEqualTo(8192);
  }

  /** A node works on its own copy: later changes to the caller's Config have no effect. */
  @Test
  void nodeKeepsItsOwnCopy() {
    Config c = valid().storage(RaftTestKit.storage(1)).logger(RaftTestKit.QUIET);
    RawNode rn = new RawNode(c);
    c.id(5).electionTick(50);
    assertThat(rn.raft.id).isEqualTo(1);
    assertThat(rn.raft.electionTimeout).isEqualTo(10);
    Config copy = c.copy();
    assertThat(copy.id()).isEqualTo(5);
    copy.id(6);
    assertThat(c.id()).isEqualTo(5);
  }

  @Test
  void anUnsetApplyQuotaWithUnlimitedSingleEntryMessagesMeansNoLimit() {
    Config c = new Config().id(1).electionTick(10).heartbeatTick(1).storage(new MemoryStorage()).maxInflightMsgs(1);
    c.validate();
    assertThat(c.maxCommittedSizePerReady()).isEqualTo(RaftUtil.NO_LIMIT);
    // A single node with every size left at its default commits and applies its entries.
    MemoryStorage storage = new MemoryStorage();
    RawNode rn =
        new RawNode(new Config().id(1).electionTick(10).heartbeatTick(1).storage(storage).maxInflightMsgs(1));
    rn.bootstrap(java.util.List.of(new Peer(1)));
    rn.campaign();
    int applied = 0;
    for (int i = 0; i < 10 && rn.hasReady(); i++) {
      Ready rd = rn.ready();
      storage.append(rd.entries());
      applied += rd.committedEntries().size();
      rn.advance();
    }
    assertThat(applied).isPositive();
  }
}
