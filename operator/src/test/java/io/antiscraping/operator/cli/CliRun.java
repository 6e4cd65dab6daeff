package io.antiscraping.operator.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the command line as a user would, capturing what it prints and its exit code. */
final class CliRun {

  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private CliRun() {
  }

  static Result run(String... args) {
    return withStdin("", args);
  }

  static Result withStdin(String stdin, String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    CommandLine validate = cmd.getSubcommands().get("validate");
    ((ValidateCommand) validate.getCommand()).stdin =
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
