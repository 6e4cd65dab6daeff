package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code antiscraping-operator validate}: the API server's and the operator's verdict on policies, offline. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Check ScrapingPolicies offline, as the API server and the operator would: the CRD schema "
        + "(unknown fields rejected, as kubectl's strict field validation), its CEL rules, then the operator's own "
        + "validator. Multi-document YAML works; documents of other kinds are skipped with a note.",
        "",
        "Example:  antiscraping-operator validate --strict examples/ && kustomize build overlays/prod | "
            + "antiscraping-operator validate -"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every policy is valid", "1:a policy is invalid (or unreadable YAML)", "2:bad usage"})
public final class ValidateCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE|DIR|-", arity = "1..*",
      description = "Files, directories (their *.yaml and *.yml files) or - for stdin.")
  List<String> sources;

  @Option(names = "--strict", description = "Also warn on risky choices: no cooldown, an offender bar without "
      + "`for`, bans broader than /24 or /48, WAF Blocking on ingress-nginx without snippets, a per-client query "
      + "without `by (`.")
  boolean strict;

  @Option(names = "--fail-on-warnings", description = "Exit 1 on warnings too (with --strict).")
  boolean failOnWarnings;

  @Option(names = "--allow-snippet-annotations", description = "The operator runs with "
      + "--allow-snippet-annotations: do not warn on WAF Blocking and paranoia levels on ingress-nginx.")
  boolean snippets;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json.")
  String output;

  InputStream stdin = System.in;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CommandLineInputs.requireFormat(spec, output);
    List<Path> files = CommandLineInputs.files(spec, sources);
    List<PolicyCheck.Result> results = new ArrayList<>();
    List<PolicyCheck.Finding> unreadable = new ArrayList<>();
    for (Path f : files) {
      try {
        for (YamlDocuments.Document d : YamlDocuments.read(f, stdin)) {
          results.add(PolicyCheck.check(d, strict, snippets));
        }
      } catch (YamlDocuments.SourceException e) {
        unreadable.add(new PolicyCheck.Finding("error", "yaml", e.source, e.line, "", e.getMessage()));
      }
    }
    long policies = results.stream().filter(r -> !r.skipped()).count();
    long invalid = results.stream().filter(r -> !r.skipped() && !r.valid()).count() + unreadable.size();
    long warnings = results.stream().flatMap(r -> r.findings().stream())
        .filter(f -> "warning".equals(f.severity())).count();
    boolean failed = invalid > 0 || (failOnWarnings && warnings > 0);
    if ("json".equals(output)) {
      out.println(json(results, unreadable, failed));
    } else {
      unreadable.forEach(f -> err.println(f.human()));
      for (PolicyCheck.Result r : results) {
        r.findings().forEach(f -> (f.error() ? err : out).println(f.human()));
        if (!r.skipped() && r.valid()) {
          out.println(r.document().source() + ":" + r.document().line() + ": ScrapingPolicy "
              + qualified(r.document()) + " is valid");
        }
      }
      String summary = policies + " " + (policies == 1 ? "policy" : "policies") + " checked, " + invalid
          + " invalid, " + warnings + " " + (warnings == 1 ? "warning" : "warnings");
      (failed ? err : out).println(summary);
    }
    out.flush();
    err.flush();
    return failed ? 1 : 0;
  }

  private static String qualified(YamlDocuments.Document d) {
    return d.namespace().isEmpty() ? d.name() : d.namespace() + "/" + d.name();
  }

  private static String json(List<PolicyCheck.Result> results, List<PolicyCheck.Finding> unreadable,
                             boolean failed) {
    ObjectNode root = PolicyCheck.MAPPER.createObjectNode();
    root.put("valid", !failed);
    ArrayNode docs = root.putArray("documents");
    for (PolicyCheck.Result r : results) {
      ObjectNode d = docs.addObject();
      d.put("file", r.document().source());
      d.put("line", r.document().line());
      d.put("kind", r.document().kind());
      d.put("name", r.document().name());
      d.put("namespace", r.document().namespace());
      d.put("skipped", r.skipped());
      if (!r.skipped()) {
        d.put("valid", r.valid());
      }
      findings(d.putArray("findings"), r.findings());
    }
    findings(root.putArray("errors"), unreadable);
    return root.toPrettyString();
  }

  private static void findings(ArrayNode array, List<PolicyCheck.Finding> findings) {
    for (PolicyCheck.Finding f : findings) {
      ObjectNode o = array.addObject();
      o.put("severity", f.severity());
      o.put("stage", f.stage());
      o.put("file", f.source());
      o.put("line", f.line());
      o.put("path", f.path());
      o.put("message", f.message());
    }
  }
}
