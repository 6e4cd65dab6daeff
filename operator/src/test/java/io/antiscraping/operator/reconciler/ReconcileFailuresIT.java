package io.antiscraping.operator.reconciler;

import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_RPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.detection.PrometheusClient;
import io.antiscraping.operator.detection.QueryCache;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.antiscraping.operator.enforcement.Enforcer;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxEnforcer;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.client.CollectorRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Security finding 9: whatever an evaluation throws (a StackOverflowError from a hostile spec, say) is caught per
 * reconcile, reported as Degraded, and the policy is evaluated again at its interval instead of sinking into the
 * framework's retry backoff (five attempts, then nothing until the next edit).
 */
class ReconcileFailuresIT {

  ApiServer api;
  KubernetesClient user;
  Operator operator;
  String ns;
  final AtomicInteger failuresLeft = new AtomicInteger();
  final AtomicInteger evaluations = new AtomicInteger();

  @BeforeEach
  void start(TestInfo info) {
    api = ApiServer.start("ReconcileFailuresIT-" + info.getTestMethod().orElseThrow().getName());
    user = api.userClient();
    ns = api.namespace("shop");
    KubernetesClient client = api.operatorClient();
    Clock clock = Clock.systemUTC();
    OperatorMetrics metrics = new OperatorMetrics(new CollectorRegistry());
    ApiWriteListener writes = metrics::apiWrite;
    LiveEvaluator live = new LiveEvaluator(new SignalReader(new QueryCache(new PrometheusClient(null))),
        new DecisionEngine(), (n, s, k) -> LiveEvaluator.SecretSource.Lookup.missing("none"),
        URI.create("http://prometheus.invalid:9090"), metrics);
    PolicyEvaluator faulty = new PolicyEvaluator() {
      @Override
      public Evaluation evaluate(ScrapingPolicy policy, ScrapingPolicyStatus previous, Instant now) {
        evaluations.incrementAndGet();
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new StackOverflowError();
        }
        return live.evaluate(policy, previous, now);
      }

      @Override
      public Optional<String> refusal(ScrapingPolicy policy) {
        return live.refusal(policy);
      }
    };
    Enforcer nginx = new IngressNginxEnforcer(client, false, writes);
    ScrapingPolicyReconciler reconciler = new ScrapingPolicyReconciler(Map.of(nginx.provider(), nginx), faulty,
        new StatusWriter(client, writes, clock), new EventRecorder(client, clock, writes), metrics, clock);
    operator = new Operator(o -> o.withKubernetesClient(client).checkingCRDAndValidateLocalModel(false)
        .withCloseClientOnStop(false).withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(reconciler, c -> c.settingNamespaces(java.util.Set.of(ns)).withFieldManager(Enforcer.FIELD_MANAGER));
    operator.start();
    user.resource(OperatorRuntimeIT.ingress(ns, "web")).create();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  void anEvaluationThatThrowsIsDegradedAndEvaluatedAgainUntilItRecovers() {
    failuresLeft.set(8); // more than the framework's five retries
    user.resource(IngressNginxEnforcementIT.policy(ns, "storefront", spec -> spec.setEvaluationInterval("1s")))
        .create();

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("Degraded")
        .map(c -> "True".equals(c.getStatus()) && "EvaluationFailed".equals(c.getReason())).orElse(false));
    assertThat(condition("Degraded").orElseThrow().getMessage()).contains("StackOverflowError");
    assertThat(condition("Ready").orElseThrow().getStatus()).isEqualTo("False");

    await().atMost(Duration.ofSeconds(60)).until(() -> condition("Ready")
        .map(c -> "True".equals(c.getStatus())).orElse(false));
    assertThat(evaluations.get()).isGreaterThan(8);
    assertThat(OperatorRuntimeIT.annotations(user, ns, "web")).containsEntry(LIMIT_RPS, "50");
    assertThat(condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(user.v1().events().inNamespace(ns).list().getItems())
        .anyMatch(e -> "EvaluationFailed".equals(e.getReason()));
  }

  Optional<StatusCondition> condition(String type) {
    return IngressNginxEnforcementIT.condition(
        user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").get(), type);
  }
}
