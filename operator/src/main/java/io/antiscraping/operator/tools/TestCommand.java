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

/** {@code antiscraping-operator test}: promtool-style unit tests of a policy's decisions. */
@Command(name = "test", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run unit tests of a policy's decisions: signal values over time (promtool's expanding notation: "
        + "0+10x30, _ for a missing sample, NaN) through the operator's own evaluation (detection's reading of "
        + "the answers, the decision engine, the memory kept in the status), asserting at given times the level, "
        + "the bans and prefixes, the rendered data-plane excerpt and the conditions. Needs no cluster and no "
        + "Prometheus.",
        "",
        "Example:  antiscraping-operator test --policy-root examples examples/tests/*.yaml"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every test passed", "1:a test failed, or a test file or its policy is invalid",
        "2:bad usage"})
public final class TestCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Test files (a directory: its *.yaml files), "
      + "or - for stdin.")
  List<String> files;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json.")
  String output;

  @Option(names = "--prometheus", description = "Evaluate the policy's real PromQL: each test's input_series "
      + "(promtool's form: series: 'metric{label=\"v\"}', values: '0+10x30') are backfilled with promtool tsdb "
      + "create-blocks-from openmetrics into a real Prometheus, which the operator's client queries at each "
      + "evaluation time. Needs prometheus and promtool (Debian package prometheus).")
  boolean prometheus;

  @Option(names = "--policy-root", paramLabel = "DIR", description = "The folder a test file's policy: may name a "
      + "file under (default: the test file's own folder). A test file never makes the command read outside it.")
  Path policyRoot;

  InputStream stdin = System.in;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CommandLineInputs.requireFormat(spec, output);
    List<Path> paths = CommandLineInputs.files(spec, files);
    if (prometheus && PrometheusBackfill.unavailable() != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), PrometheusBackfill.unavailable());
    }
    List<PolicyTest.FileOutcome> outcomes = new ArrayList<>();
    for (Path p : paths) {
      outcomes.add(PolicyTest.run(p, stdin, spec.commandLine(), prometheus, policyRoot));
    }
    boolean passed = outcomes.stream().allMatch(PolicyTest.FileOutcome::passed);
    if ("json".equals(output)) {
      out.println(json(outcomes, passed));
    } else {
      int tests = 0;
      int failed = 0;
      for (PolicyTest.FileOutcome f : outcomes) {
        if (f.error() != null) {
          err.println(f.error().human());
          failed++;
          continue;
        }
        int assertions = 0;
        for (PolicyTest.Outcome t : f.tests()) {
          tests++;
          assertions += t.assertions();
          if (!t.failures().isEmpty()) {
            failed++;
            t.failures().forEach(x -> err.println(x.human()));
          }
        }
        (f.passed() ? out : err).println(f.source() + ": " + (f.passed() ? "PASS" : "FAIL") + " (" + f.tests().size()
            + (f.tests().size() == 1 ? " test, " : " tests, ") + assertions + " assertions)");
      }
      (passed ? out : err).println(tests + (tests == 1 ? " test, " : " tests, ") + failed + " failed");
    }
    out.flush();
    err.flush();
    return passed ? 0 : 1;
  }

  private static String json(List<PolicyTest.FileOutcome> outcomes, boolean passed) {
    ObjectNode root = PolicyCheck.MAPPER.createObjectNode();
    root.put("passed", passed);
    ArrayNode files = root.putArray("files");
    for (PolicyTest.FileOutcome f : outcomes) {
      ObjectNode o = files.addObject();
      o.put("file", f.source());
      o.put("passed", f.passed());
      if (f.error() != null) {
        failure(o.putObject("error"), f.error());
      }
      ArrayNode tests = o.putArray("tests");
      for (PolicyTest.Outcome t : f.tests()) {
        ObjectNode to = tests.addObject();
        to.put("name", t.name());
        to.put("passed", t.failures().isEmpty());
        to.put("assertions", t.assertions());
        ArrayNode fs = to.putArray("failures");
        t.failures().forEach(x -> failure(fs.addObject(), x));
      }
    }
    return root.toPrettyString();
  }

  private static void failure(ObjectNode o, PolicyTest.Failure f) {
    o.put("file", f.source());
    o.put("line", f.line());
    o.put("at", f.at());
    o.put("field", f.field());
    o.put("message", f.message());
  }
}
