package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.Evaluations;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.client.CollectorRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The runtime as {@code run} wires it: leader election, namespace scoping, health and metrics. */
class OperatorRuntimeIT {

  @Test
  void withLeaderElectionTheOperatorTakesTheLeaseAndReconciles() throws Exception {
    try (ApiServer api = ApiServer.start("OperatorRuntimeIT-leaderElection")) {
      String shop = api.namespace("shop");
      String ops = api.namespace("ops");
      OperatorRuntime operator = OperatorRuntime.start(api.operatorClient(),
             new OperatorSettings(Set.of(), URI.create("http://127.0.0.1:9"), 0, false, true, "antiscraping-operator",
                 ops));
      try (operator) {
      KubernetesClient user = api.userClient();
      user.resource(ingress(shop, "web")).create();
      user.resource(IngressNginxEnforcementIT.policy(shop, "storefront", s -> { })).create();

      await().atMost(Duration.ofSeconds(30)).until(() -> annotations(user, shop, "web")
          .containsKey(IngressNginxAnnotations.LIMIT_RPS));
      assertThat(user.leases().inNamespace(ops).withName("antiscraping-operator").get()).isNotNull();
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + operator.metricsPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("antiscraping_evaluations_total{namespace=\"" + shop
              + "\",policy=\"storefront\",result=\"ok\",}")
          .contains("antiscraping_api_writes_total{kind=\"Ingress\",verb=\"apply\",}");
      }
    }
  }

  @Test
  void policiesOutsideTheWatchedNamespacesAreLeftAlone() throws Exception {
    try (ApiServer api = ApiServer.start("OperatorRuntimeIT-namespaces")) {
      String shop = api.namespace("shop");
      String outlet = api.namespace("outlet");
      OperatorRuntime operator = OperatorRuntime.start(api.operatorClient(),
             OperatorSettings.defaults().withNamespaces(Set.of(shop)));
      try (operator) {
      KubernetesClient user = api.userClient();
      user.resource(ingress(shop, "web")).create();
      user.resource(ingress(outlet, "web")).create();
      ScrapingPolicy watched = IngressNginxEnforcementIT.policy(shop, "storefront", s -> { });
      ScrapingPolicy ignored = IngressNginxEnforcementIT.policy(outlet, "storefront", s -> { });
      user.resource(watched).create();
      user.resource(ignored).create();

      await().atMost(Duration.ofSeconds(20)).until(() -> annotations(user, shop, "web")
          .containsKey(IngressNginxAnnotations.LIMIT_RPS));
      // two evaluations of the watched policy after the one that wrote its Ingress (counted after its status: one
      // more); the ignored one, created with it, was never evaluated
      CollectorRegistry registry = operator.metrics().registry();
      Evaluations.awaitEvaluations(registry, shop, "storefront", "ok", 3);
      assertThat(List.of("ok", "invalid", "error")).allSatisfy(result ->
          assertThat(Evaluations.count(registry, outlet, "storefront", result)).as(result).isZero());
      assertThat(annotations(user, outlet, "web")).isEmpty();
      ScrapingPolicy untouched = user.resources(ScrapingPolicy.class).inNamespace(outlet).withName("storefront").get();
      assertThat(untouched.getStatus().getConditions()).isEmpty();
      assertThat(untouched.getStatus().getObservedGeneration()).isNull();
      assertThat(untouched.getMetadata().getFinalizers()).isEmpty();
      }
    }
  }

  static io.fabric8.kubernetes.api.model.networking.v1.Ingress ingress(String ns, String name) {
    return new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withLabels(new HashMap<>(IngressNginxEnforcementIT.STOREFRONT)).endMetadata()
        .withNewSpec().addNewRule().withHost(name + ".example").endRule().endSpec().build();
  }

  static Map<String, String> annotations(KubernetesClient c, String ns, String name) {
    Map<String, String> a = c.network().v1().ingresses().inNamespace(ns).withName(name).get().getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }
}
