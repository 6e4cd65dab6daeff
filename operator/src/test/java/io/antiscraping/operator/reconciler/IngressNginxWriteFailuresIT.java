package io.antiscraping.operator.reconciler;

import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.DENYLIST_SOURCE_RANGE;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_RPS;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.MODSECURITY_SNIPPET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Security finding 10, on the real API server: an admission policy that refuses snippets on one Ingress (as the
 * ingress-nginx webhook does with {@code allow-snippet-annotations=false}) must cost that Ingress its snippet
 * only: its limits are still written, and so is every other Ingress of the policy.
 */
class IngressNginxWriteFailuresIT {

  static final Duration WAIT = Duration.ofSeconds(30);

  ApiServer api;
  OperatorRuntime operator;
  KubernetesClient user;
  String ns;
  List<HasMetadata> admission = List.of();

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    admission.forEach(o -> user.resource(o).delete());
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aRefusedSnippetCostsOnlyTheSnippetOfThatIngress(TestInfo info) {
    api = ApiServer.start(getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName());
    user = api.userClient();
    ns = api.namespace("shop");
    refuseSnippetsOn("refuses");
    ingress("refuses");
    ingress("takes");
    operator = OperatorRuntime.start(api.operatorClient(),
        OperatorSettings.defaults().withAllowSnippetAnnotations(true));
    user.resource(IngressNginxEnforcementIT.policy(ns, "storefront", spec -> spec.getLevels().get(0).setWaf(
        Waf.builder().mode(Waf.Mode.BLOCKING).coreRuleSet(true).build()))).create();

    await().atMost(WAIT).until(() -> annotations("takes").containsKey(MODSECURITY_SNIPPET));
    await().atMost(WAIT).until(() -> annotations("refuses").containsKey(LIMIT_RPS));
    assertThat(annotations("refuses")).doesNotContainKey(MODSECURITY_SNIPPET).containsEntry(LIMIT_RPS, "50");
    await().atMost(WAIT).until(() -> {
      ScrapingPolicy p = user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").get();
      return IngressNginxEnforcementIT.condition(p, "Enforced")
          .map(c -> "False".equals(c.getStatus()) && c.getMessage().contains("refuses")
              && c.getMessage().contains("modsecurity-snippet")).orElse(false);
    });
    assertThat(annotations("takes")).containsEntry(LIMIT_RPS, "50").doesNotContainKey(DENYLIST_SOURCE_RANGE);
  }

  /** A ValidatingAdmissionPolicy that refuses the snippet annotation on one Ingress of this test's namespace. */
  void refuseSnippetsOn(String name) {
    String yaml = """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: refuse-snippets-NS}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
              - apiGroups: [networking.k8s.io]
                apiVersions: [v1]
                operations: [CREATE, UPDATE]
                resources: [ingresses]
          validations:
            - expression: >-
                object.metadata.name != 'NAME' || !has(object.metadata.annotations)
                || !('nginx.ingress.kubernetes.io/modsecurity-snippet' in object.metadata.annotations)
              message: snippet annotations are not allowed
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: refuse-snippets-NS}
        spec:
          policyName: refuse-snippets-NS
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: NS}
        """.replace("NS", ns).replace("NAME", name);
    admission = user.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    admission.forEach(o -> user.resource(o).create());
    // The API server applies a new admission policy within a second or so: wait until it refuses a probe.
    ingress(name);
    await().atMost(WAIT).until(() -> {
      try {
        user.network().v1().ingresses().inNamespace(ns).withName(name).edit(i -> {
          i.getMetadata().getAnnotations().put(MODSECURITY_SNIPPET, "SecRuleEngine On\n");
          return i;
        });
        user.network().v1().ingresses().inNamespace(ns).withName(name).edit(i -> {
          i.getMetadata().getAnnotations().remove(MODSECURITY_SNIPPET);
          return i;
        });
        return false;
      } catch (KubernetesClientException e) {
        return e.getCode() == 422 || e.getCode() == 403 || e.getCode() == 400;
      }
    });
    user.network().v1().ingresses().inNamespace(ns).withName(name).delete();
    await().atMost(WAIT).until(() -> user.network().v1().ingresses().inNamespace(ns).withName(name).get() == null);
  }

  void ingress(String name) {
    user.resource(new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withLabels(new HashMap<>(IngressNginxEnforcementIT.STOREFRONT)).withAnnotations(new HashMap<>(Map.of("x", "y")))
        .endMetadata().withNewSpec().addNewRule().withHost(name + ".shop.example").endRule().endSpec().build())
        .create();
  }

  Map<String, String> annotations(String ingress) {
    var i = user.network().v1().ingresses().inNamespace(ns).withName(ingress).get();
    return i == null || i.getMetadata().getAnnotations() == null ? Map.of() : i.getMetadata().getAnnotations();
  }
}
