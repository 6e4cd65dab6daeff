package io.antiscraping.lab;

import io.antiscraping.lab.report.ReportWriter;
import io.antiscraping.lab.report.ResultsPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar e2e/target/antiscraping-lab.jar [--scenario FILE]... [--report-dir DIR] [--results-page FILE]}:
 * runs the storefront lab, prints the report summary and, for a run of the shipped scenarios from the repository
 * root, writes docs/lab/results.md (docs/lab/README.md, "The results page").
 */
@Command(name = "antiscraping-lab", mixinStandardHelpOptions = true,
    description = {"Runs the storefront lab: a storefront under attack behind real nginx + ModSecurity, measured by a "
        + "real Prometheus, defended by the operator, and prints the measured outcomes.",
        "Runs its own Kubernetes control plane (kube-apiserver, etcd, kube-controller-manager from "
            + ".ci/control-plane.sh), or uses the cluster of KUBECONFIG when it is set."})
public final class LabMain implements Callable<Integer> {

  static {
    // Before anything creates a JDK HTTP client (see Lab).
    if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
      System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }
  }

  @Option(names = "--scenario", paramLabel = "FILE",
      description = "A scenario file to run (repeatable). Default: the shipped scenarios in examples/scenarios.")
  List<Path> scenarios = new ArrayList<>();

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Where report.md, report.json, the charts and access logs go. Default: e2e/target/lab-report.")
  Path reportDir;

  @Option(names = "--results-page", paramLabel = "FILE",
      description = "Also write the results page (results.md, built from report.json) here. Default: "
          + "docs/lab/results.md when the shipped scenarios run from the repository root, else nowhere but the report "
          + "directory.")
  Path resultsPage;

  @Option(names = "--parallel", paramLabel = "N",
      description = "Scenarios run at once, each on its own stack. Default: ${DEFAULT-VALUE}.")
  int parallel = Lab.DEFAULT_PARALLEL;

  @Option(names = {"-v", "--verbose"}, description = "Log what the operator and the lab do (INFO).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (!verbose && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      // "unstable version v1alpha1" on every client: not news to a lab user.
      System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
          "error");
    }
    List<Path> files = scenarios.isEmpty() ? Lab.defaultScenarioFiles() : scenarios;
    Path dir = reportDir == null ? Lab.defaultReportDir() : reportDir;
    Lab.Session session;
    try {
      session = Lab.run(files, dir, LabOperator.inProcess(), parallel);
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println("lab: " + e.getMessage());
      return 2;
    }
    System.out.println();
    System.out.println(ReportWriter.summary(session.outcomes()));
    System.out.println("Report: " + dir.resolve("report.md").toAbsolutePath());
    Path page = resultsPage != null ? resultsPage : defaultResultsPage(scenarios.isEmpty());
    if (page != null) {
      ResultsPage.write(dir.resolve("report.json"), page);
      System.out.println("Results page: " + page.toAbsolutePath());
    }
    return 0;
  }

  /**
   * docs/lab/results.md of the repository the lab runs from, when it ran the shipped scenarios (the page the docs
   * quote describes a full run); null otherwise.
   */
  static Path defaultResultsPage(boolean shippedScenarios) {
    Path docs = Path.of("docs/lab");
    return shippedScenarios && Files.isDirectory(docs) && Files.isDirectory(Path.of("examples/scenarios"))
        ? docs.resolve("results.md") : null;
  }

  public static void main(String[] args) {
    int rc = new CommandLine(new LabMain()).execute(args);
    System.exit(rc);
  }
}
