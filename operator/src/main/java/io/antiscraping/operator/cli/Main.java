package io.antiscraping.operator.cli;

import io.antiscraping.operator.runtime.RunCommand;
import io.antiscraping.operator.tools.DiffCommand;
import io.antiscraping.operator.tools.RenderCommand;
import io.antiscraping.operator.tools.TestCommand;
import io.antiscraping.operator.tools.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code antiscraping-operator <command>}. */
@Command(name = "antiscraping-operator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Protects storefronts from large-scale scraping: evaluates ScrapingPolicy signals against "
        + "Prometheus and reconfigures the rate limits and WAF rules of the ingress in front of them.",
    subcommands = {RunCommand.class, ValidateCommand.class, TestCommand.class, RenderCommand.class,
        DiffCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with a one-line error (exit code 2) for bad flags. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main()).setUsageHelpWidth(120);
    cmd.setParameterExceptionHandler((ex, args) -> {
      ex.getCommandLine().getErr().println(ex.getCommandLine().getCommandSpec().qualifiedName() + ": "
          + ex.getMessage() + " (see --help)");
      return CommandLine.ExitCode.USAGE;
    });
    return cmd;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"antiscraping-operator " + (v == null ? "dev" : v)};
    }
  }
}
