package io.antiscraping.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.testing.PrometheusServer;
import io.antiscraping.testing.TestExporter;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusServerIT {

  @Test
  void scrapesTheExporterAndPicksUpTargetsAddedLater() throws Exception {
    Path dir;
    try (TestExporter first = TestExporter.start();
         TestExporter second = TestExporter.start();
         PrometheusServer prometheus = PrometheusServer.builder().scrapeInterval("500ms")
             .target(first.target(), "first").start()) {
      Counter requests = first.counter("storefront_http_requests_total", "Requests.", "client");
      requests.labels("203.0.113.7").inc(42);
      prometheus.awaitReady();
      assertThat(prometheus.url()).startsWith("http://127.0.0.1:");

      JsonNode data = prometheus.awaitSample("storefront_http_requests_total{client=\"203.0.113.7\"}",
          Duration.ofSeconds(30));
      assertThat(data.path("result").get(0).path("value").get(1).asText()).isEqualTo("42");

      Gauge g = second.gauge("lab_value", "A value.");
      g.set(7);
      prometheus.addTarget(second.target(), "second");
      JsonNode v = prometheus.awaitSample("lab_value{job=\"second\"}", Duration.ofSeconds(30));
      assertThat(v.path("result").get(0).path("value").get(1).asText()).isEqualTo("7");
      assertThat(prometheus.targets()).hasSize(2);
      dir = prometheus.directory();
      assertThat(Files.exists(dir)).isTrue();
      prometheus.stop();
      assertThat(prometheus.isAlive()).isFalse();
    }
    assertThat(Files.exists(dir)).isFalse();
  }
}
