package io.antiscraping.operator.tools;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/** What the policy tools read from their command line alike: the output format and the files to read. */
final class CommandLineInputs {

  private CommandLineInputs() {
  }

  /** {@code -o}: text or json; anything else is bad usage (exit code 2). */
  static void requireFormat(CommandLine.Model.CommandSpec spec, String output) {
    if (!List.of("text", "json").contains(output)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "-o: expected text or json, got " + output);
    }
  }

  /** The files named on the command line (a folder's *.yaml and *.yml, - for stdin); a missing one is bad usage. */
  static List<Path> files(CommandLine.Model.CommandSpec spec, List<String> sources) {
    try {
      return YamlDocuments.expand(sources);
    } catch (YamlDocuments.MissingSource e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
