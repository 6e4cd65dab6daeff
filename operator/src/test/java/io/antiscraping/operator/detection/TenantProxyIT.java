package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.testing.PrometheusServer;
import io.antiscraping.testing.TestExporter;
import io.prometheus.client.Gauge;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Security finding 8, the tenant-scoped query proxy: a real prom-label-proxy ({@code -label namespace}, built from its
 * Go module by {@code .ci/prom-label-proxy.sh}) in front of a real Prometheus, queried the way the operator queries
 * with {@code --prometheus-tenant-parameter namespace}. A policy sees its own namespace's series only, whatever
 * matcher its query names, and a query without the parameter is refused, not answered with everyone's data.
 */
class TenantProxyIT {

  static TestExporter exporter;
  static PrometheusServer prometheus;
  static Process proxy;
  static URI proxyUrl;
  static final PrometheusClient client = new PrometheusClient(null);
  static final PrometheusAccess access = PrometheusAccess.open(URI.create("http://prometheus.invalid:9090"))
      .withTenantParameter("namespace");

  @BeforeAll
  static void start() throws Exception {
    Process build = new ProcessBuilder("../.ci/prom-label-proxy.sh").redirectErrorStream(false).start();
    String binary = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(build.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor()).as(".ci/prom-label-proxy.sh builds prom-label-proxy: %s", err).isZero();

    exporter = TestExporter.start();
    Gauge secrets = exporter.gauge("test_secret_count", "Secrets by namespace.", "namespace");
    Gauge rate = exporter.gauge("test_client_rate", "Requests per second by client.", "namespace", "client");
    secrets.labels("shop").set(3);
    secrets.labels("payments").set(42);
    rate.labels("shop", "203.0.113.7").set(50);
    rate.labels("payments", "198.51.100.9").set(900);
    prometheus = PrometheusServer.builder().scrapeInterval("500ms").target(exporter.target(), "storefront").start();
    prometheus.awaitReady("test_client_rate", PrometheusServer.DEFAULT_READY_TIMEOUT);

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Path.of("target", "prom-label-proxy.log");
    proxy = new ProcessBuilder(binary, "-label", "namespace", "-upstream", prometheus.url(),
        "-insecure-listen-address", "127.0.0.1:" + port).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    proxyUrl = URI.create("http://127.0.0.1:" + port);
    HttpClient http = HttpClient.newHttpClient();
    Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> http.send(
        HttpRequest.newBuilder(proxyUrl.resolve("/api/v1/query?namespace=shop&query=1")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (proxy != null) {
      proxy.destroy();
      proxy.waitFor(5, TimeUnit.SECONDS);
    }
    if (prometheus != null) {
      prometheus.stop();
    }
    if (exporter != null) {
      exporter.close();
    }
  }

  static QueryResult query(String namespace, String promql) {
    PrometheusEndpoint endpoint = PrometheusEndpoint.of(proxyUrl.toString());
    return client.query(namespace == null ? endpoint : access.scoped(endpoint, namespace), promql);
  }

  static Map<String, Double> byLabel(QueryResult result, String label) {
    assertThat(result).isInstanceOf(QueryResult.Vector.class);
    return ((QueryResult.Vector) result).series().stream()
        .collect(java.util.stream.Collectors.toMap(s -> s.labels().getOrDefault(label, ""), QueryResult.Series::value));
  }

  @Test
  void eachPolicySeesItsOwnNamespaceOnly() {
    assertThat(byLabel(query("shop", "sum by (namespace) (test_secret_count)"), "namespace"))
        .isEqualTo(Map.of("shop", 3.0));
    assertThat(byLabel(query("payments", "sum by (namespace) (test_secret_count)"), "namespace"))
        .isEqualTo(Map.of("payments", 42.0));
    assertThat(byLabel(query("shop", "max by (client) (test_client_rate)"), "client"))
        .isEqualTo(Map.of("203.0.113.7", 50.0));
  }

  @Test
  void aMatcherNamingAnotherNamespaceIsReplacedByThePolicysOwn() {
    assertThat(byLabel(query("shop", "count by (namespace) (test_secret_count{namespace=\"payments\"})"),
        "namespace")).isEqualTo(Map.of("shop", 1.0));
    assertThat(byLabel(query("shop", "sum by (namespace) (test_secret_count{namespace=~\".+\"})"), "namespace"))
        .isEqualTo(Map.of("shop", 3.0));
  }

  @Test
  void aLongQuerySentAsAFormPostIsScopedToo() {
    String padded = "sum by (namespace) (test_secret_count{job=~\"storefront|" + "x".repeat(3000) + "\"})";
    assertThat(byLabel(query("shop", padded), "namespace")).isEqualTo(Map.of("shop", 3.0));
  }

  @Test
  void withoutTheTenantParameterTheProxyRefusesAndNothingIsRead() {
    QueryResult result = query(null, "sum(test_secret_count)");
    assertThat(result).isInstanceOf(QueryResult.Failure.class);
    assertThat(((QueryResult.Failure) result).message()).contains("400");
    assertThat(List.of(result.toString())).allSatisfy(s -> assertThat(s).doesNotContain("42"));
  }
}
