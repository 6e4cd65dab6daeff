package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.operator.detection.PrometheusEndpoint;
import io.antiscraping.operator.detection.QueryResult;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.detection.TenantLimits;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What the evaluator hands the Prometheus client: the endpoint a policy's queries go to, and how. */
class LiveEvaluatorTest {

  static final Path EXAMPLE = Path.of("../examples/storefront-policy.yaml");
  static final URI DEFAULT = URI.create("http://prometheus-operated.monitoring:9090");
  /** Every host resolves to an ordinary cluster address: the address check lets it through. */
  static final PrometheusAccess.Resolver ORDINARY = host -> new InetAddress[] {InetAddress.getByName("10.96.4.7")};

  final List<PrometheusEndpoint> sent = new CopyOnWriteArrayList<>();

  static ScrapingPolicy example(String url) throws IOException {
    try (InputStream in = Files.newInputStream(EXAMPLE)) {
      ScrapingPolicy p = Serialization.unmarshal(in, ScrapingPolicy.class);
      p.getMetadata().setUid("uid-1");
      p.getSpec().setPrometheus(PrometheusSource.builder().url(url).build());
      return p;
    }
  }

  LiveEvaluator evaluator(PrometheusAccess access) {
    SignalReader reader = new SignalReader((endpoint, promql) -> {
      sent.add(endpoint);
      return new QueryResult.Scalar(1);
    });
    return new LiveEvaluator(reader, new DecisionEngine(),
        (ns, n, k) -> LiveEvaluator.SecretSource.Lookup.missing("no Secrets here"), access, DEFAULT,
        TenantLimits.none(), Clock.systemUTC(), new OperatorMetrics(new CollectorRegistry()));
  }

  /** Issue S (echoed error text): only a server the admin named may have its own words put into the status. */
  @Test
  void onlyAServerTheAdminNamedIsQueriedAsAdminListed() throws IOException {
    PrometheusAccess open = new PrometheusAccess(DEFAULT, List.of(), false, ORDINARY);
    evaluator(open).evaluate(example(DEFAULT.toString()), new ScrapingPolicyStatus(), Instant.now());
    assertThat(sent).isNotEmpty().allSatisfy(e -> assertThat(e.adminListed()).as("the default").isTrue());

    sent.clear();
    evaluator(open).evaluate(example("http://internal-api.payments.svc:8080"), new ScrapingPolicyStatus(),
        Instant.now());
    assertThat(sent).isNotEmpty().allSatisfy(e -> assertThat(e.adminListed())
        .as("an empty allowlist lets a policy reach any ordinary host, but names none").isFalse());

    sent.clear();
    PrometheusAccess listing = new PrometheusAccess(DEFAULT, List.of("thanos.observability.svc"), false, ORDINARY);
    evaluator(listing).evaluate(example("http://thanos.observability.svc:9090"), new ScrapingPolicyStatus(),
        Instant.now());
    assertThat(sent).isNotEmpty().allSatisfy(e -> assertThat(e.adminListed()).isTrue());
  }
}
