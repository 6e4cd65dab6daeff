package io.antiscraping.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real Prometheus server (the Debian {@code prometheus} package) for integration and end-to-end tests.
 *
 * <p>It listens on a free {@code 127.0.0.1} port, keeps its TSDB in a temporary directory (retention 1h), has the
 * lifecycle API enabled, and scrapes the given targets at the given interval (default 1s; down to 100ms works).
 * Targets can be added later ({@link #addTarget}), which rewrites the configuration and calls {@code /-/reload}.
 *
 * <pre>{@code
 * try (TestExporter exporter = TestExporter.start();
 *      PrometheusServer prometheus = PrometheusServer.builder()
 *          .scrapeInterval("500ms").target(exporter.target(), "storefront").start()) {
 *   prometheus.awaitReady();                     // /-/ready, then `up` has a sample
 *   ... query prometheus.url() ...
 * }
 * }</pre>
 *
 * <p>A new Prometheus answers its first sample about 5 s after start whatever the scrape interval, so
 * {@link #awaitReady()} polls instead of sleeping. {@link #stop()} (or {@link #close()}) kills the process and deletes
 * its directory. The binary is {@code /usr/bin/prometheus} unless the system property {@value #BINARY_PROPERTY} or
 * the environment variable {@code PROMETHEUS_BINARY} names another one.
 */
public final class PrometheusServer implements AutoCloseable {

  /** System property naming the Prometheus binary. */
  public static final String BINARY_PROPERTY = "antiscraping.prometheus.binary";
  /** Where the Debian package installs the binary. */
  public static final String DEFAULT_BINARY = "/usr/bin/prometheus";
  /** How to install it when it is missing. */
  public static final String INSTALL_COMMAND = "apt-get install -y --no-install-recommends prometheus";
  /** Default time allowed for {@link #awaitReady()}. */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);

  private final Path binary;
  private final Duration scrapeInterval;
  private final List<Target> targets;
  private final Path dir;
  private final Path config;
  private final Path log;
  private volatile int port;
  private int restarts;
  private final HttpClient http;
  private final Thread shutdownHook;
  private Process process;

  /** One scrape target: {@code host:port} and the job name it is scraped under. */
  public record Target(String hostPort, String job) {
    public Target {
      Objects.requireNonNull(hostPort, "hostPort");
      Objects.requireNonNull(job, "job");
      if (!job.matches("[a-zA-Z_][a-zA-Z0-9_-]*")) {
        throw new IllegalArgumentException("job name must match [a-zA-Z_][a-zA-Z0-9_-]*: " + job);
      }
      if (!hostPort.matches("[^\\s'\"/]+:[0-9]{1,5}")) {
        throw new IllegalArgumentException("target must be host:port: " + hostPort);
      }
    }
  }

  /** Configures and starts a server. */
  public static final class Builder {
    private Path binary = defaultBinary();
    private Duration scrapeInterval = Duration.ofSeconds(1);
    private final List<Target> targets = new ArrayList<>();

    private Builder() {
    }

    /** The Prometheus binary to run. */
    public Builder binary(Path binary) {
      this.binary = Objects.requireNonNull(binary);
      return this;
    }

    /** Scrape (and rule evaluation) interval; at least 100ms. */
    public Builder scrapeInterval(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("scrape interval below 100ms: " + interval);
      }
      this.scrapeInterval = interval;
      return this;
    }

    /** Scrape interval written like Prometheus does: {@code 500ms}, {@code 1s}, {@code 2s}. */
    public Builder scrapeInterval(String interval) {
      return scrapeInterval(parseDuration(interval));
    }

    /** Adds a target {@code host:port} scraped under the given job name (path {@code /metrics}). */
    public Builder target(String hostPort, String job) {
      targets.add(new Target(hostPort, job));
      return this;
    }

    /** Starts the process. Call {@link PrometheusServer#awaitReady()} before querying. */
    public PrometheusServer start() {
      return new PrometheusServer(binary, scrapeInterval, targets);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a server scraping the given targets every second and waits until it answers {@code up}. */
  public static PrometheusServer startAndAwait(Target... targets) {
    Builder b = builder();
    for (Target t : targets) {
      b.target(t.hostPort(), t.job());
    }
    PrometheusServer server = b.start();
    try {
      server.awaitReady();
      return server;
    } catch (RuntimeException | Error e) {
      server.stop();
      throw e;
    }
  }

  private PrometheusServer(Path binary, Duration scrapeInterval, List<Target> targets) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("Prometheus binary not found or not executable at " + binary
          + "; install it with: " + INSTALL_COMMAND);
    }
    this.binary = binary;
    this.scrapeInterval = scrapeInterval;
    this.targets = new ArrayList<>(targets);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      this.dir = Files.createTempDirectory("prometheus-test-");
      this.config = dir.resolve("prometheus.yml");
      this.log = dir.resolve("prometheus.log");
      Files.createDirectories(dir.resolve("data"));
      writeConfig();
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    this.shutdownHook = new Thread(this::killAndClean, "prometheus-test-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  private void launch() throws IOException {
    this.port = freePort();
    this.process = new ProcessBuilder(
        binary.toString(),
        "--config.file=" + config,
        "--web.listen-address=127.0.0.1:" + port,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--storage.tsdb.retention.time=1h",
        "--web.enable-lifecycle",
        "--log.level=info")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * If the process died because another one took its port between our probe and its bind, start it again on a new
   * port (at most three times). Returns whether it was restarted.
   */
  private synchronized boolean restartIfPortTaken() {
    if (process == null || process.isAlive() || restarts >= 3
        || !logTail(4000).toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
      return false;
    }
    restarts++;
    try {
      Files.deleteIfExists(log);
      launch();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Base URL of the HTTP API, e.g. {@code http://127.0.0.1:39123} (no trailing slash). Read it after
   * {@link #awaitReady()}: if the port was taken at start, the server was restarted on another one.
   */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** {@link #url()} as a URI. */
  public URI uri() {
    return URI.create(url());
  }

  public int port() {
    return port;
  }

  /** The temporary directory holding configuration, log and TSDB; deleted by {@link #stop()}. */
  public Path directory() {
    return dir;
  }

  public Duration scrapeInterval() {
    return scrapeInterval;
  }

  /** The targets currently configured. */
  public synchronized List<Target> targets() {
    return List.copyOf(targets);
  }

  /** Waits (up to {@link #DEFAULT_READY_TIMEOUT}) until {@code /-/ready} answers 200 and {@code up} has a sample. */
  public PrometheusServer awaitReady() {
    return awaitReady("up", DEFAULT_READY_TIMEOUT);
  }

  /**
   * Waits until {@code /-/ready} answers 200 and then until {@code promql} returns at least one sample (a non-empty
   * vector, or a scalar). Fails with the end of the server's log when the process dies or the time runs out.
   */
  public PrometheusServer awaitReady(String promql, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    pollUntil(deadline, "/-/ready to answer 200", () -> {
      HttpResponse<String> r = get("/-/ready");
      return r != null && r.statusCode() == 200;
    });
    awaitSample(promql, Duration.between(Instant.now(), deadline));
    return this;
  }

  /** Waits until {@code promql} returns at least one sample, and returns the result's {@code data} node. */
  public JsonNode awaitSample(String promql, Duration timeout) {
    return awaitResult(promql, data -> hasSample(data), timeout);
  }

  /**
   * Polls the instant query {@code promql} until its {@code data} node (with {@code resultType} and {@code result})
   * satisfies {@code accept}; returns that node.
   */
  public JsonNode awaitResult(String promql, Predicate<JsonNode> accept, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout.isNegative() ? Duration.ZERO : timeout);
    JsonNode[] last = new JsonNode[1];
    pollUntil(deadline, "query `" + promql + "` to return the expected result", () -> {
      JsonNode data = queryOrNull(promql);
      last[0] = data;
      return data != null && accept.test(data);
    });
    return last[0];
  }

  /** Runs an instant query and returns the {@code data} node; throws when Prometheus answers an error. */
  public JsonNode query(String promql) {
    JsonNode data = queryOrNull(promql);
    if (data == null) {
      throw new IllegalStateException("query failed: " + promql);
    }
    return data;
  }

  /**
   * Adds a scrape target, rewrites the configuration, reloads Prometheus through {@code /-/reload} and waits until
   * {@code up{job="<job>",instance="<hostPort>"}} has a sample.
   */
  public synchronized PrometheusServer addTarget(String hostPort, String job) {
    targets.add(new Target(hostPort, job));
    writeConfig();
    reload();
    awaitSample("up{job=\"" + job + "\",instance=\"" + hostPort + "\"}", DEFAULT_READY_TIMEOUT);
    return this;
  }

  /** Calls {@code /-/reload} and fails when Prometheus rejects the configuration. */
  public void reload() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/reload"))
              .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("reload failed: HTTP " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reload failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The server's log so far (for failure messages). */
  public String logTail(int maxChars) {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() <= maxChars ? s : s.substring(s.length() - maxChars);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Kills the process and deletes its directory. Idempotent. */
  public void stop() {
    killAndClean();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // the JVM is already shutting down
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "PrometheusServer[" + url() + ", scrapeInterval=" + formatDuration(scrapeInterval) + "]";
  }

  // ---------------------------------------------------------------------------------------------------------------

  private synchronized void killAndClean() {
    Process p = process;
    process = null;
    if (p != null) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a file Prometheus was still writing
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  private void writeConfig() {
    String interval = formatDuration(scrapeInterval);
    StringBuilder y = new StringBuilder()
        .append("global:\n")
        .append("  scrape_interval: ").append(interval).append('\n')
        .append("  scrape_timeout: ").append(interval).append('\n')
        .append("  evaluation_interval: ").append(interval).append('\n')
        .append("scrape_configs:\n");
    Map<String, List<String>> byJob = new LinkedHashMap<>();
    for (Target t : targets) {
      byJob.computeIfAbsent(t.job(), j -> new ArrayList<>()).add(t.hostPort());
    }
    if (byJob.isEmpty()) {
      y.setLength(y.length() - "scrape_configs:\n".length());
      y.append("scrape_configs: []\n");
    }
    for (Map.Entry<String, List<String>> e : byJob.entrySet()) {
      y.append("  - job_name: '").append(e.getKey()).append("'\n")
          .append("    static_configs:\n")
          .append("      - targets:\n");
      for (String hp : e.getValue()) {
        y.append("          - '").append(hp).append("'\n");
      }
    }
    try {
      Path tmp = config.resolveSibling("prometheus.yml.tmp");
      Files.writeString(tmp, y.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }

  private JsonNode queryOrNull(String promql) {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    try {
      JsonNode root = JSON.readTree(r.body());
      return "success".equals(root.path("status").asText()) ? root.path("data") : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean hasSample(JsonNode data) {
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    return switch (type) {
      case "scalar", "string" -> result.isArray() && result.size() == 2;
      case "vector", "matrix" -> result.isArray() && result.size() > 0;
      default -> false;
    };
  }

  private HttpResponse<String> get(String pathAndQuery) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(5))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private void pollUntil(Instant deadline, String what, Check check) {
    while (true) {
      if (!isAlive() && !restartIfPortTaken()) {
        throw new IllegalStateException("Prometheus exited while waiting for " + what + "; log:\n" + logTail(4000));
      }
      try {
        if (check.ok()) {
          return;
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // not yet
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out waiting for " + what + " at " + url() + "; log:\n"
            + logTail(4000));
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  private static Path defaultBinary() {
    String p = System.getProperty(BINARY_PROPERTY);
    if (p == null || p.isBlank()) {
      p = System.getenv("PROMETHEUS_BINARY");
    }
    return Paths.get(p == null || p.isBlank() ? DEFAULT_BINARY : p);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  static Duration parseDuration(String s) {
    if (s.matches("[0-9]+ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.matches("[0-9]+s")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    if (s.matches("[0-9]+m")) {
      return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    throw new IllegalArgumentException("duration must look like 500ms, 1s or 1m: " + s);
  }
}
