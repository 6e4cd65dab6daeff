package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.Readings;
import io.antiscraping.operator.decision.SignalReading;
import io.antiscraping.operator.detection.QueryResult.Failure;
import io.antiscraping.operator.detection.QueryResult.Kind;
import io.antiscraping.testing.PrometheusServer;
import io.antiscraping.testing.TestExporter;
import io.prometheus.client.Gauge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The main detection path against a real Prometheus scraping an exporter this test drives. */
class DetectionPrometheusIT {

  static TestExporter exporter;
  static PrometheusServer prometheus;
  static Gauge reads;
  static Gauge clientRate;
  static final List<String> outcomes = new CopyOnWriteArrayList<>();
  static final PrometheusClient client = new PrometheusClient((o, d) -> outcomes.add(o));

  static final Signal READS = Signal.builder().name("reads").query("sum(lab_reads)").build();
  static final Signal CLIENTS = Signal.builder().name("clients").query("max by (client) (lab_client_rate)")
      .perClient(new Signal.PerClient("client")).build();

  @BeforeAll
  static void start() {
    exporter = TestExporter.start();
    reads = exporter.gauge("lab_reads", "Profile reads per second.");
    clientRate = exporter.gauge("lab_client_rate", "Requests per second by client.", "client", "route");
    reads.set(250);
    clientRate.labels("203.0.113.7", "/api/users").set(42.5);
    clientRate.labels("198.51.100.1", "/api/users").set(3);
    clientRate.labels("bot.example", "/").set(99);
    clientRate.labels("", "/health").set(7);
    prometheus = PrometheusServer.builder().scrapeInterval("500ms").target(exporter.target(), "storefront").start();
    prometheus.awaitReady("lab_client_rate", PrometheusServer.DEFAULT_READY_TIMEOUT);
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.stop();
    }
    if (exporter != null) {
      exporter.close();
    }
  }

  PrometheusEndpoint endpoint() {
    return PrometheusEndpoint.of(prometheus.url()).withAdminListed(true);
  }

  @Test
  void scalarAndSingleSeriesVector() {
    assertThat(client.query(endpoint(), "scalar(sum(lab_reads))")).isEqualTo(new QueryResult.Scalar(250));
    QueryResult v = client.query(endpoint(), "sum(lab_reads)");
    assertThat(v).isInstanceOf(QueryResult.Vector.class);
    assertThat(SignalReader.interpret(READS, v)).isEqualTo(new SignalReading.Scalar(250));
    assertThat(SignalReader.interpret(READS, client.query(endpoint(), "lab_client_rate")))
        .isEqualTo(new SignalReading.Unavailable("expected one series, got 4: aggregate the query, e.g. sum(...)"));
  }

  @Test
  void perClientValuesComeFromTheLabel() {
    Readings r = new SignalReader(client).read(endpoint(), List.of(READS, CLIENTS));
    assertThat(r.bySignal()).containsEntry("reads", new SignalReading.Scalar(250));
    assertThat(r.bySignal().get("clients")).isEqualTo(new SignalReading.PerClient(
        Map.of("203.0.113.7", 42.5, "198.51.100.1", 3.0, "bot.example", 99.0), 1));
  }

  @Test
  void emptyResults() {
    QueryResult empty = client.query(endpoint(), "lab_reads{job=\"no-such-job\"}");
    assertThat(empty).isEqualTo(new Failure(Kind.EMPTY, "empty result: the query returned no series"));
    assertThat(SignalReader.interpret(READS, empty))
        .isEqualTo(new SignalReading.Unavailable("empty result: the query returned no series"));
    assertThat(SignalReader.interpret(CLIENTS, client.query(endpoint(), "lab_client_rate > 1000")))
        .isEqualTo(new SignalReading.PerClient(Map.of()));
  }

  @Test
  void nanInfinityWrongTypesAndBadQueriesAreFailures() {
    assertThat(client.query(endpoint(), "0/0")).isEqualTo(new Failure(Kind.NAN, "value is NaN"));
    assertThat(client.query(endpoint(), "scalar(sum(lab_reads)) / 0")).isEqualTo(new Failure(Kind.INF,
        "value is +Inf"));
    assertThat(SignalReader.interpret(READS, client.query(endpoint(), "sum(lab_reads) / 0")))
        .isEqualTo(new SignalReading.Unavailable("value is +Inf"));
    assertThat(((Failure) client.query(endpoint(), "lab_reads[1m]")).kind()).isEqualTo(Kind.WRONG_TYPE);
    assertThat(((Failure) client.query(endpoint(), "\"hello\"")).kind()).isEqualTo(Kind.WRONG_TYPE);
    Failure bad = (Failure) client.query(endpoint(), "sum(");
    assertThat(bad.kind()).isEqualTo(Kind.HTTP_ERROR);
    assertThat(bad.message()).startsWith("Prometheus answered HTTP 400 (bad_data): ");
  }

  @Test
  void readingsFollowTheExporter() {
    reads.set(1200);
    SignalReader reader = new SignalReader(client);
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> reader.read(endpoint(), List.of(READS)).get("reads").equals(new SignalReading.Scalar(1200)));
    reads.set(250);
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> reader.read(endpoint(), List.of(READS)).get("reads").equals(new SignalReading.Scalar(250)));
  }

  @Test
  void policiesSharingQueriesSendEachOnce() throws Exception {
    QueryCache cache = new QueryCache(client, Duration.ofSeconds(30), java.time.Clock.systemUTC());
    SignalReader reader = new SignalReader(cache);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Readings>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(pool.submit(() -> reader.read(endpoint(), List.of(READS, CLIENTS))));
      }
      for (Future<Readings> f : fs) {
        assertThat(f.get(30, TimeUnit.SECONDS).get("reads")).isEqualTo(new SignalReading.Scalar(250));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.queriesAsked()).isEqualTo(200);
    assertThat(cache.queriesSent()).isEqualTo(2);
  }

  @Test
  void theObserverSeesEveryQuerySent() {
    outcomes.clear();
    client.query(endpoint(), "sum(lab_reads)");
    client.query(endpoint(), "0/0");
    assertThat(outcomes).containsExactly("success", "nan");
  }
}
