package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.SecretKeyRef;
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
    return evaluator(access, (ns, n, k) -> LiveEvaluator.SecretSource.Lookup.missing("no Secrets here"));
  }

  LiveEvaluator evaluator(PrometheusAccess access, LiveEvaluator.SecretSource secrets) {
    SignalReader reader = new SignalReader((endpoint, promql) -> {
      sent.add(endpoint);
      return new QueryResult.Scalar(1);
    });
    return new LiveEvaluator(reader, new DecisionEngine(), secrets, access, DEFAULT, TenantLimits.none(),
        Clock.systemUTC(), new OperatorMetrics(new CollectorRegistry()));
  }

  static ScrapingPolicy withToken(String url) throws IOException {
    ScrapingPolicy p = example(url);
    p.getSpec().getPrometheus().setBearerTokenSecret(new SecretKeyRef("prometheus-token", "token"));
    return p;
  }

  /**
   * Issue S (labelled Secret sent anywhere): with an empty allowlist, a policy author named any https host of theirs
   * and the operator sent it the token of a Secret labelled for another Prometheus. The token now goes only where
   * the Secret's annotation says, or to a server the admin named; otherwise nothing is sent and the status says why.
   */
  @Test
  void aBearerTokenIsSentOnlyWhereItsSecretOrTheAdminNamesIt() throws IOException {
    PrometheusAccess open = new PrometheusAccess(DEFAULT, List.of(), false, ORDINARY);
    LiveEvaluator.SecretSource unbound = (ns, n, k) -> LiveEvaluator.SecretSource.Lookup.found("s3cr3t");
    Evaluation e = evaluator(open, unbound).evaluate(withToken("https://collector.attacker.example"),
        new ScrapingPolicyStatus(), Instant.now());
    assertThat(sent).as("not one query, so not one token, reaches that host").isEmpty();
    ScrapingPolicyStatus status = new ScrapingPolicyStatus();
    e.writeState().accept(status);
    assertThat(status.getSignals()).isNotEmpty().allSatisfy(s -> assertThat(s.getError())
        .contains("the bearer token of Secret shop/prometheus-token is not sent to https://collector.attacker.example")
        .doesNotContain("s3cr3t"));

    evaluator(open, unbound).evaluate(withToken(DEFAULT.toString()), new ScrapingPolicyStatus(), Instant.now());
    assertThat(sent).as("the default Prometheus, which the admin named").isNotEmpty()
        .allSatisfy(ep -> assertThat(ep.bearerToken()).contains("s3cr3t"));

    sent.clear();
    LiveEvaluator.SecretSource bound = (ns, n, k) -> LiveEvaluator.SecretSource.Lookup.found("s3cr3t",
        "https://prom.shop.example");
    evaluator(open, bound).evaluate(withToken("https://prom.shop.example"), new ScrapingPolicyStatus(),
        Instant.now());
    assertThat(sent).as("where the Secret says").isNotEmpty()
        .allSatisfy(ep -> assertThat(ep.bearerToken()).contains("s3cr3t"));
    sent.clear();
    evaluator(open, bound).evaluate(withToken("https://collector.attacker.example"), new ScrapingPolicyStatus(),
        Instant.now());
    assertThat(sent).isEmpty();
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
