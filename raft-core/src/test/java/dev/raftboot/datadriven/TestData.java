package dev.raftboot.datadriven;

import java.util.List;

/**
 * One directive of a datadriven file.
 *
 * @param pos {@code file:line} of the directive line, for error messages
 * @param cmd the command (first word of the directive line)
 * @param cmdArgs the arguments in the order written
 * @param input the lines between the directive and {@code ----}, trimmed
 * @param expected the expected output; ends with {@code \n} unless empty
 */
public record TestData(
    String pos, String cmd, List<CmdArg> cmdArgs, String input, String expected) {

  public TestData {
    cmdArgs = List.copyOf(cmdArgs);
  }

  public boolean hasArg(String key) {
    return cmdArgs.stream().anyMatch(a -> a.key().equals(key));
  }

  /** The first argument named {@code key}; throws if there is none. */
  public CmdArg arg(String key) {
    return cmdArgs.stream()
        .filter(a -> a.key().equals(key))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException(pos + ": " + cmd + ": missing argument: " + key));
  }

  /** The directive line, reassembled from the parsed command and arguments. */
  public String directive() {
    StringBuilder sb = new StringBuilder(cmd);
    cmdArgs.forEach(a -> sb.append(' ').append(a));
    return sb.toString();
  }
}
