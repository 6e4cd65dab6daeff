package io.antiscraping.operator.tools;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import io.antiscraping.operator.cli.Main;
import picocli.CommandLine;

/** Runs the command line as a user would, capturing what it prints and its exit code. */
final class CliRun {

  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private static ByteArrayInputStream in(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
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
    ((ValidateCommand) cmd.getSubcommands().get("validate").getCommand()).stdin = in(stdin);
    ((RenderCommand) cmd.getSubcommands().get("render").getCommand()).stdin = in(stdin);
    ((TestCommand) cmd.getSubcommands().get("test").getCommand()).stdin = in(stdin);
    ((DiffCommand) cmd.getSubcommands().get("diff").getCommand()).stdin = in(stdin);
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
