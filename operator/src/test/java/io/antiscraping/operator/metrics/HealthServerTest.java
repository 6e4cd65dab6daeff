package io.antiscraping.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.CollectorRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  @Test
  void servesMetricsAndHealthOnOnePort() throws Exception {
    OperatorMetrics metrics = new OperatorMetrics(new CollectorRegistry());
    metrics.policyLevel("shop", "storefront", 1, 2);
    metrics.apiWrite("Ingress", "patch");
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthServer server = new HealthServer(0, metrics.registry(), () -> true, ready::get)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + server.port();
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
      String body = get(http, base + "/metrics").body();
      assertThat(body).contains("antiscraping_policy_level{namespace=\"shop\",policy=\"storefront\",} 1.0")
          .contains("antiscraping_api_writes_total{kind=\"Ingress\",verb=\"patch\",} 1.0")
          .contains("jvm_memory_bytes_used").contains("process_cpu_seconds_total");
      assertThat(metrics.apiWrites()).isEqualTo(1.0);
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
