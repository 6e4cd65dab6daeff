package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.Plans;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code antiscraping-operator render}: what the operator would write on the data plane for a level. */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Print exactly the objects and annotations the operator would write for a level of a policy, "
        + "from the operator's own planner and data-plane renderers. For Envoy Gateway, with --targets the output "
        + "holds the targets and the operator's policies: ready for `egctl x translate`.",
        "",
        "Example:  antiscraping-operator render examples/storefront-policy.yaml --level severe --bans bans.txt "
            + "--provider IngressNginx --targets ingresses.yaml"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:rendered", "1:the policy is invalid, or a ban is not an address or CIDR", "2:bad usage"})
public final class RenderCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "POLICY", description = "File with one ScrapingPolicy, or - for stdin.")
  String policyFile;

  @Option(names = "--level", paramLabel = "NAME", required = true, description = "The level to render.")
  String level;

  @Option(names = "--bans", paramLabel = "FILE", description = "Bans in force: one address or CIDR per line "
      + "(# comments).")
  Path bans;

  @Option(names = "--known-good", paramLabel = "FILE", description = "Known-good clients, same format (exempt "
      + "from a route budget).")
  Path knownGood;

  @Option(names = "--provider", paramLabel = "P", description = "IngressNginx, EnvoyGateway or Traefik. Default: "
      + "the policy's spec.targets.provider.")
  String provider;

  @Option(names = "--targets", paramLabel = "FILE", description = "The data plane's objects (Ingresses, or "
      + "Gateway API objects with HTTPRoutes): the policy's selector picks its targets among them.")
  Path targets;

  @Option(names = "--allow-snippet-annotations", description = "As the operator's flag of that name "
      + "(ingress-nginx modsecurity-snippet).")
  boolean allowSnippets;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "yaml", description = "yaml (default) "
      + "or json.")
  String output;

  InputStream stdin = System.in;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!List.of("yaml", "json").contains(output)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "-o: expected yaml or json, got " + output);
    }
    PolicySource policy;
    try {
      policy = PolicySource.load(spec.commandLine(), policyFile, stdin);
    } catch (PolicySource.Invalid e) {
      e.messages.forEach(err::println);
      err.flush();
      return 1;
    }
    List<String> levels = policy.spec().getLevels().stream().map(Level::getName).toList();
    if (!levels.contains(level)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--level: the policy has no level " + level
          + " (levels: " + String.join(", ", levels) + ")");
    }
    Targets.Provider p;
    try {
      p = provider == null ? policy.spec().getTargets().getProvider() : DataPlaneRender.provider(provider);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--provider: " + e.getMessage());
    }
    List<Cidr> banList;
    List<Cidr> goodList;
    List<YamlDocuments.Document> targetDocs = null;
    try {
      banList = addresses(bans);
      goodList = addresses(knownGood);
      if (targets != null) {
        targetDocs = readTargets(targets);
      }
    } catch (Bad e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    EnforcementPlan plan = Plans.forLevel(policy.spec(), level, banList, goodList);
    DataPlaneRender.Output rendered = DataPlaneRender.render(policy, p, plan, targetDocs, allowSnippets);
    if ("json".equals(output)) {
      ObjectNode root = PolicyCheck.MAPPER.createObjectNode();
      ArrayNode objects = root.putArray("objects");
      rendered.objects().forEach(objects::add);
      ArrayNode ne = root.putArray("notEnforceable");
      rendered.notEnforceable().forEach(ne::add);
      ArrayNode notes = root.putArray("notes");
      rendered.notes().forEach(notes::add);
      out.println(root.toPrettyString());
    } else {
      out.print(rendered.yaml());
    }
    out.flush();
    return 0;
  }

  private List<YamlDocuments.Document> readTargets(Path file) throws Bad {
    if (!Files.isReadable(file)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--targets: " + file + ": no such file");
    }
    try {
      return YamlDocuments.read(file, stdin);
    } catch (YamlDocuments.SourceException e) {
      throw new Bad(e.where() + ": error: " + e.getMessage());
    }
  }

  /** Addresses and CIDRs, one per line, {@code #} comments, a leading YAML list dash tolerated. */
  private List<Cidr> addresses(Path file) throws Bad {
    if (file == null) {
      return List.of();
    }
    if (!Files.isReadable(file)) {
      throw new CommandLine.ParameterException(spec.commandLine(), file + ": no such file");
    }
    return parseAddresses(file);
  }

  static List<Cidr> parseAddresses(Path file) throws Bad {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new Bad(file + ": error: cannot read: " + e.getMessage());
    }
    TreeSet<Cidr> out = new TreeSet<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      int hash = l.indexOf('#');
      String s = (hash >= 0 ? l.substring(0, hash) : l).trim();
      if (s.startsWith("- ")) {
        s = s.substring(2).trim();
      }
      if (s.isEmpty()) {
        continue;
      }
      String entry = s;
      int line = i + 1;
      Cidr.parse(entry).map(Cidr::unmapIpv4).ifPresentOrElse(out::add,
          () -> errors.add(file + ":" + line + ": error: \"" + entry
              + "\" is not an IPv4/IPv6 address or CIDR"));
    }
    if (!errors.isEmpty()) {
      throw new Bad(String.join("\n", errors));
    }
    return List.copyOf(out);
  }

  static final class Bad extends Exception {
    Bad(String message) {
      super(message);
    }
  }
}
