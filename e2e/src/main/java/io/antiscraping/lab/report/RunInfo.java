package io.antiscraping.lab.report;

import io.antiscraping.lab.nginx.ControllerSettings;
import io.antiscraping.operator.runtime.OperatorSettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a lab run ran on and with, written to report.json ({@code run}) so that its figures can be quoted with their
 * provenance: the commit, when, the machine, the Kubernetes API, and the ingress controller's and the operator's
 * settings.
 *
 * @param commit            the checkout's commit ({@code git rev-parse HEAD}, "+ uncommitted changes" when the
 *                          working tree differs), or why it is unknown
 * @param date              when the run started (UTC, RFC 3339, seconds)
 * @param machine           cores, memory, OS, CPU and Java of the machine
 * @param kubernetesApi     the control plane the lab ran against
 * @param ingressController the modelled ingress-nginx controller's settings, by ConfigMap key or flag
 * @param operator          the operator's settings, by flag
 * @param prometheusScrape  the scrape interval of each scenario's Prometheus
 * @param scenariosAtOnce   scenarios run at once
 * @param runsAloneAbove    a scenario with more virtual clients than this runs alone
 */
public record RunInfo(String commit, String date, Machine machine, String kubernetesApi,
    Map<String, Object> ingressController, Map<String, Object> operator, String prometheusScrape,
    int scenariosAtOnce, int runsAloneAbove) {

  /**
   * @param cores       processors available to the JVM
   * @param memoryBytes the machine's physical memory, null when the JVM cannot tell
   * @param os          the distribution (os-release) and the kernel
   * @param cpu         the CPU model, null when unknown
   * @param java        the Java runtime
   */
  public record Machine(int cores, Long memoryBytes, String os, String cpu, String java) {}

  /** The machine this JVM runs on. */
  public static Machine thisMachine() {
    Long memory = null;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
    String os = keyOf(Path.of("/etc/os-release"), "PRETTY_NAME=").map(d -> d + " (" + kernel + ")").orElse(kernel);
    String cpu = keyOf(Path.of("/proc/cpuinfo"), "model name").map(v -> v.replaceFirst("^\\s*:\\s*", ""))
        .orElse(null);
    String java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    return new Machine(Runtime.getRuntime().availableProcessors(), memory, os, cpu, java);
  }

  /**
   * The commit of the git checkout {@code dir} is in, with "+ uncommitted changes" when tracked files differ from it;
   * "unknown (...)" outside a checkout or without git.
   */
  public static String commit(Path dir) {
    Optional<String> head = git(dir, "rev-parse", "HEAD");
    if (head.isEmpty() || !head.get().matches("[0-9a-f]{40}")) {
      return "unknown (not run from a git checkout)";
    }
    boolean dirty = git(dir, "status", "--porcelain", "--untracked-files=no").map(s -> !s.isBlank()).orElse(false);
    return head.get() + (dirty ? " + uncommitted changes" : "");
  }

  /** Now, as the run's date: UTC, to the second. */
  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The ingress controller's settings as its ConfigMap keys and flags name them. */
  public static Map<String, Object> describe(ControllerSettings c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("replicas", c.replicas());
    out.put("--sync-rate-limit", c.syncRateLimit());
    out.put("use-forwarded-headers", c.useForwardedHeaders());
    out.put("enable-real-ip", c.enableRealIp());
    out.put("forwarded-for-header", c.forwardedForHeader());
    out.put("proxy-real-ip-cidr", String.join(",", c.proxyRealIpCidr()));
    out.put("allow-snippet-annotations", c.allowSnippetAnnotations());
    out.put("annotations-risk-level", c.annotationsRiskLevel().name().charAt(0)
        + c.annotationsRiskLevel().name().substring(1).toLowerCase(java.util.Locale.ROOT));
    out.put("limit-req-status-code", c.limitReqStatusCode());
    out.put("limit-conn-status-code", c.limitConnStatusCode());
    return out;
  }

  /** The operator's settings as its {@code run} flags name them (the Prometheus URL is each scenario's own). */
  public static Map<String, Object> describe(OperatorSettings s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("--prometheus-url", "the scenario's own Prometheus");
    out.put("--namespace", "the scenario's own namespace");
    out.put("--allow-snippet-annotations", s.allowSnippetAnnotations());
    out.put("--min-evaluation-interval", seconds(s.guards().minEvaluationInterval()));
    out.put("--namespace-concurrency", s.guards().namespaceConcurrency());
    out.put("--namespace-query-budget", s.guards().namespaceQueryBudget());
    out.put("--never-ban", String.join(",", s.guards().neverBanCidrs()));
    out.put("--leader-election", s.leaderElection());
    return out;
  }

  private static String seconds(Duration d) {
    return d == null ? "" : d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static Optional<String> keyOf(Path file, String prefix) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
          .map(l -> l.substring(prefix.length()).strip().replaceAll("^\"|\"$", ""))
          .filter(v -> !v.isBlank());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> git(Path dir, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
