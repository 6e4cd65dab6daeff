package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The {@code --prometheus} mode of {@code test}: a test's {@code input_series} backfilled into a TSDB with
 * {@code promtool tsdb create-blocks-from openmetrics}, served by a real Prometheus, so that the policy's own PromQL
 * is evaluated. The operator's Prometheus client queries it through a small loopback proxy that adds the
 * evaluation time ({@code time=}) to each instant query, as if Prometheus were queried live at that moment.
 */
final class PrometheusBackfill implements AutoCloseable {

  static final String PROMETHEUS = System.getProperty("antiscraping.prometheus.binary", "/usr/bin/prometheus");
  static final String PROMTOOL = System.getProperty("antiscraping.promtool.binary", "/usr/bin/promtool");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final Process prometheus;
  private final HttpServer proxy;
  private final AtomicReference<Instant> at = new AtomicReference<>();

  /** Why the mode cannot run here (binaries missing), or null. */
  static String unavailable() {
    if (!Files.isExecutable(Path.of(PROMETHEUS)) || !Files.isExecutable(Path.of(PROMTOOL))) {
      return "--prometheus needs Prometheus and promtool (" + PROMETHEUS + ", " + PROMTOOL + "; Debian: apt-get "
          + "install prometheus)";
    }
    return null;
  }

  private PrometheusBackfill(Path dir, Process prometheus, HttpServer proxy) {
    this.dir = dir;
    this.prometheus = prometheus;
    this.proxy = proxy;
  }

  /**
   * @param inputSeries {@code [{series: 'metric{label="v"}', values: '0+10x30'}]}, one sample per evaluation from
   *                    {@code start}
   */
  static PrometheusBackfill start(YamlDocuments.Document doc, String path, JsonNode inputSeries, Instant start,
                                  Duration interval) throws PolicyTest.BadTest {
    if (!inputSeries.isArray() || inputSeries.isEmpty()) {
      throw new PolicyTest.BadTest(doc.lineOf(path), "--prometheus: give input_series: [{series: 'metric{label=\"v\"}',"
          + " values: '0+10x30'}]");
    }
    record Series(String name, String selector, List<Double> values) {
    }
    List<Series> all = new ArrayList<>();
    for (int i = 0; i < inputSeries.size(); i++) {
      String p = path + ".input_series[" + i + "]";
      String selector = inputSeries.get(i).path("series").asText("").trim();
      if (!selector.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})?")) {
        throw new PolicyTest.BadTest(doc.lineOf(p + ".series"), "series: expected metric{label=\"value\",...}, got \""
            + selector + "\"");
      }
      List<Double> values;
      try {
        values = SeriesNotation.expand(inputSeries.get(i).path("values").asText(""));
      } catch (IllegalArgumentException e) {
        throw new PolicyTest.BadTest(doc.lineOf(p + ".values"), e.getMessage());
      }
      int brace = selector.indexOf('{');
      all.add(new Series(brace < 0 ? selector : selector.substring(0, brace), selector, values));
    }
    // OpenMetrics wants the samples of a metric family together; each series in time order.
    all.sort(Comparator.comparing(Series::name));
    StringBuilder om = new StringBuilder();
    for (Series s : all) {
      for (int step = 0; step < s.values().size(); step++) {
        Double v = s.values().get(step);
        if (v == null) {
          continue;
        }
        Instant t = start.plus(interval.multipliedBy(step));
        String value = v.isNaN() ? "NaN" : v.isInfinite() ? (v > 0 ? "+Inf" : "-Inf") : Double.toString(v);
        om.append(s.selector()).append(' ').append(value).append(' ')
            .append(t.getEpochSecond()).append('.').append(String.format("%03d", t.getNano() / 1_000_000)).append('\n');
      }
    }
    om.append("# EOF\n");
    Path dir = null;
    Process prometheus = null;
    try {
      dir = Files.createTempDirectory("antiscraping-test-tsdb");
      Path input = dir.resolve("series.om");
      Files.writeString(input, om);
      Process promtool = new ProcessBuilder(PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", input.toString(),
          dir.resolve("data").toString()).redirectErrorStream(true).start();
      String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!promtool.waitFor(60, TimeUnit.SECONDS) || promtool.exitValue() != 0) {
        throw new PolicyTest.BadTest(doc.lineOf(path + ".input_series"), "promtool could not backfill the series: "
            + out.strip());
      }
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, "global: {}\n");
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port,
          "--storage.tsdb.path=" + dir.resolve("data"), "--storage.tsdb.retention.time=36500d")
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      URI base = URI.create("http://127.0.0.1:" + port);
      awaitReady(base, prometheus, dir);
      HttpServer proxy = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
      PrometheusBackfill b = new PrometheusBackfill(dir, prometheus, proxy);
      proxy.createContext("/api/v1/query", exchange -> {
        try {
          String params = exchange.getRequestURI().getRawQuery();
          byte[] body = exchange.getRequestBody().readAllBytes();
          String form = Stream.of(params, new String(body, StandardCharsets.UTF_8))
              .filter(s -> s != null && !s.isEmpty()).reduce((x, y) -> x + "&" + y).orElse("");
          Instant t = b.at.get();
          form = form + (form.isEmpty() ? "" : "&") + "time=" + t.getEpochSecond() + "."
              + String.format("%03d", t.getNano() / 1_000_000);
          HttpResponse<byte[]> resp = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/query"))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofByteArray());
          exchange.getResponseHeaders().add("Content-Type",
              resp.headers().firstValue("Content-Type").orElse("application/json"));
          exchange.sendResponseHeaders(resp.statusCode(), resp.body().length == 0 ? -1 : resp.body().length);
          exchange.getResponseBody().write(resp.body());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          exchange.close();
        }
      });
      proxy.start();
      return b;
    } catch (IOException | InterruptedException e) {
      if (prometheus != null) {
        prometheus.destroyForcibly();
      }
      delete(dir);
      throw new PolicyTest.BadTest(doc.lineOf(path), "--prometheus: " + e.getMessage());
    } catch (PolicyTest.BadTest e) {
      if (prometheus != null) {
        prometheus.destroyForcibly();
      }
      delete(dir);
      throw e;
    }
  }

  private static void awaitReady(URI base, Process prometheus, Path dir) throws PolicyTest.BadTest,
      InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!prometheus.isAlive()) {
        break;
      }
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/-/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    String log;
    try {
      log = Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      log = "";
    }
    throw new PolicyTest.BadTest(0, "--prometheus: Prometheus did not become ready: "
        + log.lines().reduce((a, b) -> b).orElse(""));
  }

  /** The URL the operator's client queries. */
  String url() {
    return "http://127.0.0.1:" + proxy.getAddress().getPort();
  }

  /** Sets the evaluation time the next queries are answered at. */
  void at(Instant t) {
    at.set(t);
  }

  @Override
  public void close() {
    proxy.stop(0);
    prometheus.destroy();
    try {
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      prometheus.destroyForcibly();
    }
    delete(dir);
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
