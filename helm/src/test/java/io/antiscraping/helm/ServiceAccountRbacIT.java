package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.antiscraping.testing.ControlPlane;
import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RBAC for real: the chart installed as shipped (default values: a ClusterRole, its binding, the ServiceAccount and
 * the leader-election Role), and the operator run in-process as that ServiceAccount, authenticated with a token
 * from the TokenRequest API, never as admin. It elects itself through the chart's Lease grant, watches, writes the
 * annotations and the status; a permission the chart lacked would fail here. Taking one verb away from the
 * ClusterRole shows it: the next write is refused (403) and the policy says so.
 */
class ServiceAccountRbacIT {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String SHOP = "shop";
  static final Map<String, String> STOREFRONT = Map.of("app.kubernetes.io/part-of", "storefront");

  static ControlPlane plane;
  static KubernetesClient admin;

  @BeforeAll
  static void install() {
    // A control plane of its own: the chart installs the ScrapingPolicy CRD, the RBAC objects are cluster-wide.
    plane = ControlPlane.start(c -> c.resource(new NamespaceBuilder().withNewMetadata().withName(SHOP).endMetadata()
        .build()).create());
    admin = plane.admin();
    Release installed = new Helm(HelmChart.CHART).install()
        .withName(HelmChart.RELEASE)
        .withNamespace(HelmChart.NAMESPACE)
        .createNamespace()
        .withKubeConfigContents(plane.kubeconfig())
        .call();
    assertThat(installed.getStatus()).isEqualTo("deployed");
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  /** A client authenticated as the chart's ServiceAccount, with a token the TokenRequest API issued. */
  static KubernetesClient serviceAccountClient() {
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build();
    TokenRequest issued = admin.serviceAccounts().inNamespace(HelmChart.NAMESPACE).withName(HelmChart.RELEASE)
        .tokenRequest(request);
    String token = issued.getStatus().getToken();
    assertThat(token).isNotBlank();
    Config adminConfig = plane.adminConfig();
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(adminConfig.getMasterUrl())
        .withCaCertData(adminConfig.getCaCertData()).withCaCertFile(adminConfig.getCaCertFile())
        .withOauthToken(token).withNamespace(HelmChart.NAMESPACE).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @Test
  void theOperatorRunsAsTheChartsServiceAccountAndAMissingVerbFailsItsWrites() {
    try (KubernetesClient operatorClient = serviceAccountClient()) {
      // the token is the ServiceAccount's, not the admin's: it may not even list Secrets in the shop namespace
      KubernetesClientException forbidden = org.assertj.core.api.Assertions.catchThrowableOfType(
          KubernetesClientException.class, () -> operatorClient.secrets().inNamespace(SHOP).list());
      assertThat(forbidden.getCode()).as("%s", forbidden).isEqualTo(403);
      assertThat(forbidden.getMessage())
          .contains("system:serviceaccount:" + HelmChart.NAMESPACE + ":" + HelmChart.RELEASE);

      // as the chart runs it: leader election through the release namespace's Lease, every namespace watched
      OperatorSettings settings = new OperatorSettings(Set.of(), URI.create("http://127.0.0.1:9"), 0, false, true,
          HelmChart.RELEASE, HelmChart.NAMESPACE);
      try (OperatorRuntime operator = OperatorRuntime.start(operatorClient, settings)) {
        admin.resource(new IngressBuilder().withNewMetadata().withName("web").withNamespace(SHOP)
            .withLabels(new HashMap<>(STOREFRONT)).endMetadata()
            .withNewSpec().addNewRule().withHost("web.shop.example").endRule().endSpec().build()).create();
        admin.resource(policy()).create();

        await().atMost(WAIT).until(() -> "50".equals(annotations().get("nginx.ingress.kubernetes.io/limit-rps")));
        await().atMost(WAIT).until(() -> condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false));
        assertThat(admin.leases().inNamespace(HelmChart.NAMESPACE).withName(HelmChart.RELEASE).get()
            .getSpec().getHolderIdentity()).isNotBlank();
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace(SHOP).list().getItems())
            .anyMatch(e -> "Enforced".equals(e.getReason())));

        // take "patch" on Ingresses away from the chart's ClusterRole: the next change cannot be written
        admin.rbac().clusterRoles().withName(HelmChart.RELEASE).edit(role -> withoutVerb(role, "ingresses", "patch"));
        ApiRetry.onConflict(() -> admin.resources(ScrapingPolicy.class).inNamespace(SHOP).withName("storefront")
            .edit(p -> {
              p.getSpec().getLevels().get(0).getRateLimit().setRequestsPerSecond(20);
              return p;
            }));

        await().atMost(WAIT).until(() -> condition("Enforced")
            .map(c -> "WriteFailed".equals(c.getReason()) && c.getMessage().contains("HTTP 403")).orElse(false));
        assertThat(annotations()).containsEntry("nginx.ingress.kubernetes.io/limit-rps", "50");
      }
    }
  }

  static ClusterRole withoutVerb(ClusterRole role, String resource, String verb) {
    List<PolicyRule> rules = new ArrayList<>();
    for (PolicyRule rule : role.getRules()) {
      if (rule.getResources() != null && rule.getResources().contains(resource) && rule.getVerbs().contains(verb)) {
        List<String> verbs = new ArrayList<>(rule.getVerbs());
        verbs.remove(verb);
        rule.setVerbs(verbs);
      }
      rules.add(rule);
    }
    role.setRules(rules);
    return role;
  }

  static ScrapingPolicy policy() {
    ScrapingPolicySpec spec = ScrapingPolicySpec.builder()
        .targets(Targets.builder().selector(Selector.builder().matchLabels(new HashMap<>(STOREFRONT)).build()).build())
        .levels(new ArrayList<>(List.of(Level.builder().name("normal")
            .rateLimit(RateLimit.builder().requestsPerSecond(50).burstMultiplier(5).build()).build())))
        .allowlist(new Allowlist(List.of("10.0.0.0/8")))
        .evaluationInterval("2s")
        .build();
    ScrapingPolicy p = new ScrapingPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("storefront").withNamespace(SHOP).build());
    p.setSpec(spec);
    return p;
  }

  static Map<String, String> annotations() {
    Map<String, String> a = admin.network().v1().ingresses().inNamespace(SHOP).withName("web").get()
        .getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  static Optional<StatusCondition> condition(String type) {
    ScrapingPolicy p = admin.resources(ScrapingPolicy.class).inNamespace(SHOP).withName("storefront").get();
    if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return p.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** A read-modify-write of the test's, again on 409 (the operator writes the policy's status meanwhile). */
  static final class ApiRetry {
    static void onConflict(Runnable write) {
      for (int attempt = 1; ; attempt++) {
        try {
          write.run();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= 10) {
            throw e;
          }
        }
      }
    }
  }
}
