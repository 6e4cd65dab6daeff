package io.antiscraping.lab;

import io.antiscraping.lab.report.ReportWriter;
import io.antiscraping.lab.report.ScenarioOutcome;
import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.support.ChildProcesses;
import io.antiscraping.lab.traffic.TrafficGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A lab session: runs scenarios one after the other and writes the report. */
public final class Lab {

  /** The controller every scenario runs against (ScenarioRun's settings). */
  private static final io.antiscraping.lab.nginx.ControllerSettings LAB_CONTROLLER =
      io.antiscraping.lab.nginx.ControllerSettings.operatorRequirements(List.of("127.0.0.0/8"));

  static {
    // The traffic generator sends Host: shop.example; the JDK client allows it only when this is set before its first use.
    if (System.getProperty(TrafficGenerator.RESTRICTED_HEADERS_PROPERTY) == null) {
      System.setProperty(TrafficGenerator.RESTRICTED_HEADERS_PROPERTY, "host");
    }
    System.setProperty("java.awt.headless", "true");
  }


  /** The scenarios shipped with the lab, in the order the report lists them. */
  public static final List<String> DEFAULT_SCENARIOS = List.of(
      // the longest first, so that concurrent runs finish together
      "slow-ramp", "burst-crawler", "distributed-crawler", "ua-rotating", "flash-sale", "search-bot", "label-poisoning", "shopper-mix",
      // the aggregate-defense families (one run per seed)
      "wide-pool", "rotating-pool-contiguous", "rotating-pool-spread", "route-mix-mimic", "cgnat-shoppers",
      "mobile-shoppers", "flash-sale-attack", "search-bot-attack",
      // controller misconfigurations the operator must report
      "real-ip-trusts-everyone", "snippet-refused");

  public record Session(List<ScenarioRun.Result> results, Path reportDir) {
    public List<ScenarioOutcome> outcomes() {
      return results.stream().map(ScenarioRun.Result::outcome).toList();
    }
  }

  private Lab() {}

  /**
   * Loads every scenario file (a family with {@code seeds} gives one scenario per seed) and checks its policy file
   * exists; a problem is an IllegalArgumentException.
   */
  public static List<Scenario> load(List<Path> scenarioFiles) {
    List<Scenario> out = new ArrayList<>();
    for (Path file : scenarioFiles) {
      try {
        Scenario s = Scenario.load(file);
        if (!Files.isRegularFile(s.policyFile())) {
          throw new IllegalArgumentException("policy file not found: " + s.policyFile());
        }
        out.addAll(s.variants());
      } catch (IOException | RuntimeException e) {
        String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
            : e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
        throw new IllegalArgumentException(file + ": " + why, e);
      }
    }
    return out;
  }

  /**
   * Scenarios run at once by default: each has a stack of its own (storefront, nginx, mtail, Prometheus, API server,
   * operator) and the traffic is light, so 3 fit 2 cores without slowing containment (docs/lab/README.md, "Run it").
   * The system property {@value #PARALLEL_PROPERTY} or {@code --parallel} changes it; 1 runs them one by one.
   */
  public static final int DEFAULT_PARALLEL = 3;
  public static final String PARALLEL_PROPERTY = "antiscraping.lab.parallel";
  /**
   * A scenario with more virtual clients than this at once runs alone: its traffic, its per-client series and the
   * nginx reloads of its attack fill 2 cores by themselves (the wide pool, 1,270 clients, left 3-6 % of its shoppers'
   * requests without an answer in time when it shared them with two other scenarios, and none alone).
   */
  public static final int RUNS_ALONE_ABOVE_CLIENTS = 1000;

  /** Virtual clients of a scenario (every group's, a surge's included). */
  static int clients(Scenario scenario) {
    return scenario.clients().stream().mapToInt(io.antiscraping.lab.traffic.AddressPlan::totalClients).sum();
  }

  public static Session run(List<Path> scenarioFiles, Path reportDir, LabOperator.Factory operator) throws Exception {
    return run(scenarioFiles, reportDir, operator, parallelFromProperty());
  }

  static int parallelFromProperty() {
    String p = System.getProperty(PARALLEL_PROPERTY);
    try {
      return p == null || p.isBlank() ? DEFAULT_PARALLEL : Math.max(1, Integer.parseInt(p.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PARALLEL_PROPERTY + " must be a number: " + p);
    }
  }

  /** Runs the scenarios, {@code parallel} at a time, each on its own stack; the report lists them in file order. */
  public static Session run(List<Path> scenarioFiles, Path reportDir, LabOperator.Factory operator, int parallel)
      throws Exception {
    List<Scenario> scenarios = load(scenarioFiles);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Scenario s : scenarios) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("scenario " + s.name() + " given twice");
      }
    }
    Prerequisites.ensure();
    Path work = Files.createTempDirectory("antiscraping-lab-");
    ScenarioRun.Result[] results = new ScenarioRun.Result[scenarios.size()];
    String environment = "Kubernetes API: " + io.antiscraping.lab.kube.LabCluster.describeEnvironment()
        + "; ingress-nginx modelled: " + LAB_CONTROLLER.replicas() + " nginx replicas with ModSecurity (Debian "
        + "libmodsecurity 3.0.9) and the OWASP CRS " + io.antiscraping.lab.nginx.CoreRuleSet.V4_VERSION
        + ", --sync-rate-limit " + LAB_CONTROLLER.syncRateLimit() + "/s; Prometheus scraping every 1s; "
        + Runtime.getRuntime().availableProcessors() + " CPUs; " + Math.min(parallel, scenarios.size())
        + " scenarios at once (one with more than " + RUNS_ALONE_ABOVE_CLIENTS + " clients alone), each on its own"
        + " storefront, nginx replicas, mtail, Prometheus and namespace.";
    io.antiscraping.lab.report.RunInfo run = new io.antiscraping.lab.report.RunInfo(
        io.antiscraping.lab.report.RunInfo.commit(Path.of("")), io.antiscraping.lab.report.RunInfo.now(),
        io.antiscraping.lab.report.RunInfo.thisMachine(), io.antiscraping.lab.kube.LabCluster.describeEnvironment(),
        io.antiscraping.lab.report.RunInfo.describe(LAB_CONTROLLER),
        io.antiscraping.lab.report.RunInfo.describe(LabOperator.settings("lab", java.net.URI.create("http://127.0.0.1"))),
        "1s", Math.min(parallel, scenarios.size()), RUNS_ALONE_ABOVE_CLIENTS);
    int slots = Math.max(1, Math.min(parallel, scenarios.size()));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(slots, r -> {
          Thread t = new Thread(r, "lab-scenario");
          t.setDaemon(true);
          return t;
        });
    long started = System.nanoTime();
    // Each scenario takes one slot; one that runs alone takes them all (a fair semaphore: it is not overtaken).
    java.util.concurrent.Semaphore cores = new java.util.concurrent.Semaphore(slots, true);
    try {
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < scenarios.size(); i++) {
        int index = i;
        Scenario scenario = scenarios.get(i);
        int needs = clients(scenario) > RUNS_ALONE_ABOVE_CLIENTS ? slots : 1;
        futures.add(pool.submit(() -> {
          cores.acquire(needs);
          try {
            System.out.println("lab: running scenario " + scenario.name() + " (" + scenario.runTime().toSeconds()
                + " s of traffic" + (needs > 1 && slots > 1 ? ", alone: " + clients(scenario) + " clients" : "")
                + ")");
            long t0 = System.nanoTime();
            results[index] = new ScenarioRun(scenario, reportDir, work, operator).run();
            System.out.printf(java.util.Locale.ROOT, "lab: %s done in %d s (%d s since the lab started)%n",
                scenario.name(), java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0),
                java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            synchronized (results) {
              ReportWriter.write(reportDir, environment, run, java.util.Arrays.stream(results)
                  .filter(java.util.Objects::nonNull).map(ScenarioRun.Result::outcome).toList());
            }
          } finally {
            cores.release(needs);
          }
          return null;
        }));
      }
      Exception failure = null;
      for (var f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause();
          if (failure == null) {
            failure = cause instanceof Exception ex ? ex : new IllegalStateException(cause);
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      pool.shutdownNow();
      ChildProcesses.stopAll();
      deleteQuietly(work);
    }
    return new Session(List.of(results), reportDir);
  }

  /**
   * The shipped scenario files: examples/scenarios of the working directory (or its parent, from e2e/), else the
   * copies packaged in the lab jar, extracted to a temporary directory.
   */
  public static List<Path> defaultScenarioFiles() throws IOException {
    for (Path candidate : List.of(Path.of("examples/scenarios"), Path.of("../examples/scenarios"))) {
      if (Files.isDirectory(candidate)) {
        return DEFAULT_SCENARIOS.stream().map(n -> candidate.resolve(n + ".yaml")).toList();
      }
    }
    Path dir = Files.createTempDirectory("antiscraping-lab-examples-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "lab-examples-cleanup"));
    for (String name : DEFAULT_SCENARIOS) {
      extract("scenarios/" + name + ".yaml", dir);
    }
    try (Stream<Path> policies = listPackaged("lab")) {
      for (Path p : policies.toList()) {
        extract("lab/" + p.getFileName(), dir);
      }
    }
    return DEFAULT_SCENARIOS.stream().map(n -> dir.resolve("scenarios").resolve(n + ".yaml")).toList();
  }

  private static Stream<Path> listPackaged(String folder) throws IOException {
    try {
      var url = Lab.class.getResource("/lab-examples/" + folder);
      if (url == null) {
        return Stream.empty();
      }
      if ("jar".equals(url.getProtocol())) {
        var fs = java.nio.file.FileSystems.newFileSystem(url.toURI(), Map.of());
        return Files.list(fs.getPath("/lab-examples/" + folder));
      }
      return Files.list(Path.of(url.toURI()));
    } catch (URISyntaxException | java.nio.file.FileSystemAlreadyExistsException e) {
      throw new IOException(e);
    }
  }

  private static void extract(String resource, Path dir) throws IOException {
    try (InputStream in = Lab.class.getResourceAsStream("/lab-examples/" + resource)) {
      if (in == null) {
        throw new IOException("not packaged: " + resource);
      }
      Path target = dir.resolve(resource);
      Files.createDirectories(target.getParent());
      Files.copy(in, target);
    }
  }

  /** e2e/target/lab-report from the repository root, target/lab-report from e2e/, else ./lab-report. */
  public static Path defaultReportDir() {
    if (Files.isDirectory(Path.of("e2e/target"))) {
      return Path.of("e2e/target/lab-report");
    }
    if (Files.isDirectory(Path.of("target")) && Files.exists(Path.of("pom.xml"))) {
      return Path.of("target/lab-report");
    }
    return Path.of("lab-report");
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temporary files only
    }
  }
}
