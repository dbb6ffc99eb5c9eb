package dev.raftboot.datadriven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDrivenTest {

  @TempDir Path dir;

  private Path file(String content) throws IOException {
    return Files.writeString(dir.resolve("f.txt"), content);
  }

  private List<TestData> parse(String content) throws IOException {
    return DataDriven.parse(file(content));
  }

  private static DirectiveParser.Directive line(String l) {
    return DirectiveParser.parse(l);
  }

  @Test
  void commentsBlankLinesAndPositions() throws IOException {
    List<TestData> ds =
        parse("# comment\n\n   \n  # indented comment\ncmd a\n----\nout\n\n\n\nnext\n----\nok\n");
    assertThat(ds).hasSize(2);
    assertThat(ds.get(0).pos()).endsWith("f.txt:5");
    assertThat(ds.get(0).cmd()).isEqualTo("cmd");
    assertThat(ds.get(0).expected()).isEqualTo("out\n");
    assertThat(ds.get(1).pos()).endsWith("f.txt:11");
    assertThat(ds.get(1).expected()).isEqualTo("ok\n");
  }

  @Test
  void inputBlockKeepsCommentsAndBlankLinesAndIsTrimmed() throws IOException {
    TestData d = parse("cmd\n\n  v1 v2\n# not a comment\n\n----\nx\n").get(0);
    assertThat(d.input()).isEqualTo("v1 v2\n# not a comment");
  }

  @Test
  void expectedEndsAtWhitespaceOnlyLineAndKeepsFollowingCommentOut() throws IOException {
    List<TestData> ds = parse("a\n----\nl1\n  l2  \n \t\n# c\nb\n----\n# part of output\n");
    assertThat(ds.get(0).expected()).isEqualTo("l1\n  l2  \n");
    assertThat(ds.get(1).expected()).isEqualTo("# part of output\n");
  }

  @Test
  void missingSeparatorOrEmptyExpected() throws IOException {
    assertThat(parse("a\n----\n").get(0).expected()).isEmpty();
    assertThat(parse("a\n----\n\nb\n----\nx").get(0).expected()).isEmpty();
    TestData noSep = parse("a\ninput\nmore").get(0);
    assertThat(noSep.input()).isEqualTo("input\nmore");
    assertThat(noSep.expected()).isEmpty();
  }

  @Test
  void lastLineWithoutNewlineAndCrLf() throws IOException {
    TestData d = parse("cmd k=v\r\nin\r\n----\r\nout\r\nout2").get(0);
    assertThat(d.cmdArgs()).containsExactly(new CmdArg("k", List.of("v")));
    assertThat(d.input()).isEqualTo("in");
    assertThat(d.expected()).isEqualTo("out\nout2\n");
  }

  @Test
  void continuationJoinsTrimmedLines() throws IOException {
    TestData d = parse("cmd a=1 \\\n    b=(2,\\\n   3)\n----\nok\n").get(0);
    assertThat(d.cmdArgs())
        .containsExactly(new CmdArg("a", List.of("1")), new CmdArg("b", List.of("2", "3")));
    assertThat(d.pos()).endsWith(":1");
  }

  @Test
  void doubleSeparatorAllowsBlankLinesAndSingleSeparators() throws IOException {
    List<TestData> ds = parse("a\n----\n----\nx\n\n----\ny\n\n----\n----\n\nb\n----\nz\n");
    assertThat(ds).hasSize(2);
    assertThat(ds.get(0).expected()).isEqualTo("x\n\n----\ny\n\n");
    assertThat(ds.get(1).expected()).isEqualTo("z\n");
  }

  @Test
  void doubleSeparatorAtEofAndNonBlankLineAfterIt() throws IOException {
    assertThat(parse("a\n----\n----\nx\n----").get(0).expected()).isEqualTo("x\n----\n");
    assertThat(parse("a\n----\n----\nx\n----\n----").get(0).expected()).isEqualTo("x\n");
    assertThatThrownBy(() -> parse("a\n----\n----\nx\n----\n----\nb\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("f.txt:1")
        .hasMessageContaining("non-blank line after end of double ---- separator section");
  }

  @Test
  void parseLineForms() {
    DirectiveParser.Directive d =
        line("  cmd  flag k=v e= e2=  list=(a,  b c, (x, (y)), z) last=(one)");
    assertThat(d.cmd()).isEqualTo("cmd");
    assertThat(d.args())
        .containsExactly(
            new CmdArg("flag", List.of()),
            new CmdArg("k", List.of("v")),
            new CmdArg("e", List.of("")),
            new CmdArg("e2", List.of("")),
            new CmdArg("list", List.of("a", "b c", "(x, (y))", "z")),
            new CmdArg("last", List.of("one")));
    assertThat(line("c e=").args()).containsExactly(new CmdArg("e", List.of("")));
    assertThat(line("   ")).isNull();
  }

  @Test
  void parseLineValueDetails() {
    assertThat(line("c v=(1 2 3)").args().get(0).vals()).containsExactly("1 2 3");
    assertThat(line("c v=( a ,b)").args().get(0).vals()).containsExactly(" a ", "b");
    assertThat(line("c v=(a)b").args())
        .containsExactly(new CmdArg("v", List.of("a")), new CmdArg("b", List.of()));
    assertThat(line("c v=a=b(c").args()).containsExactly(new CmdArg("v", List.of("a=b(c")));
    assertThat(line("propose 1 \"foo bar\"").args())
        .extracting(CmdArg::key)
        .containsExactly("1", "\"foo", "bar\"");
    assertThat(line("c v=()").args().get(0).vals()).containsExactly("");
  }

  @Test
  void parseLineErrors() {
    assertThatThrownBy(() -> line("cmd a=(1, 2"))
        .hasMessage("cannot parse directive at column 11: cmd a=(1, 2");
    assertThatThrownBy(() -> line("cmd a=(x(1, 2)"))
        .hasMessage("cannot parse directive at column 8: cmd a=(x(1, 2)");
    assertThatThrownBy(() -> line("cmd =x"))
        .hasMessage("cannot parse directive at column 5: cmd =x");
    assertThatThrownBy(() -> line("∞ =x")).hasMessage("cannot parse directive at column 5: ∞ =x");
  }

  @Test
  void parseErrorNamesPosition() throws IOException {
    assertThatThrownBy(() -> parse("\n\ncmd k=(\n----\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "f.txt:3: cannot parse directive at column 8: cmd k=("
                .replace("f.txt", dir.resolve("f.txt").toString()));
  }

  @Test
  void typedValues() {
    assertThat(new CmdArg("a", List.of("18446744073709551615")).longVal()).isEqualTo(-1L);
    assertThat(new CmdArg("a", List.of("-5")).longVal()).isEqualTo(-5L);
    assertThat(new CmdArg("a", List.of("42")).intVal()).isEqualTo(42);
    for (String t : List.of("1", "t", "T", "TRUE", "true", "True")) {
      assertThat(new CmdArg("b", List.of(t)).boolVal()).isTrue();
    }
    for (String f : List.of("0", "f", "F", "FALSE", "false", "False")) {
      assertThat(new CmdArg("b", List.of(f)).boolVal()).isFalse();
    }
    assertThatThrownBy(() -> new CmdArg("b", List.of("yes")).boolVal())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CmdArg("a", List.of("1x")).longVal())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CmdArg("a", List.of("1", "2")).val())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new CmdArg("a", List.of()).val()).isEmpty();
    assertThat(new CmdArg("a", List.of("1", "2"))).hasToString("a=(1, 2)");
  }

  @Test
  void argLookup() throws IOException {
    TestData d = parse("cmd x=1 x=2 y\n----\n").get(0);
    assertThat(d.hasArg("x")).isTrue();
    assertThat(d.hasArg("z")).isFalse();
    assertThat(d.arg("x").val()).isEqualTo("1");
    assertThatThrownBy(() -> d.arg("z")).hasMessageContaining("missing argument: z");
  }

  @Test
  void runComparesWithAppendedNewline() throws IOException {
    Path f = file("echo\nhello\n----\nhello\n\nnothing\n----\n");
    DataDriven.run(f, d -> d.input());
  }

  @Test
  void runReportsFirstDifference() throws IOException {
    Path f = file("echo\nabc\n----\nabc\n\necho a=1\nl1\nl2\nl3\n----\nl1\nl2\nl3\n");
    assertThatThrownBy(() -> DataDriven.run(f, d -> d.input().replace("l2", "L2")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("f.txt:6: output mismatch for directive: echo a=1")
        .hasMessageContaining("first difference at output line 2:")
        .hasMessageContaining("expected: \"l2\"")
        .hasMessageContaining("actual:   \"L2\"");
  }

  @Test
  void rewriteReplacesExpectedBlocksAndKeepsEverythingElse() throws IOException {
    Path f =
        file(
            "# header\n\necho\nnew\n----\nold\nold2\n\n\n# between\necho\nx\n----\nx\n\n"
                + "echo\nlast\n----\n");
    assertThat(DataDriven.rewrite(f, d -> d.input())).isTrue();
    assertThat(Files.readString(f))
        .isEqualTo(
            "# header\n\necho\nnew\n----\nnew\n\n\n# between\necho\nx\n----\nx\n\n"
                + "echo\nlast\n----\nlast\n");
    // A second rewrite is a no-op and the result passes.
    assertThat(DataDriven.rewrite(f, d -> d.input())).isFalse();
    DataDriven.run(f, d -> d.input());
  }

  @Test
  void rewriteUsesDoubleSeparatorForBlankLinesAndHandlesMissingSeparator() throws IOException {
    Path f = file("a\n----\n----\nold\n\nold\n----\n----\n\nb\n----\nz\n\nc");
    DataDriven.rewrite(
        f,
        d ->
            switch (d.cmd()) {
              case "a" -> "one";
              case "b" -> "two\n\nthree";
              default -> "";
            });
    assertThat(Files.readString(f))
        .isEqualTo("a\n----\none\n\nb\n----\n----\ntwo\n\nthree\n----\n----\n\nc\n----\n");
    List<TestData> ds = DataDriven.parse(f);
    assertThat(ds).extracting(TestData::expected).containsExactly("one\n", "two\n\nthree\n", "");
  }
}
