package io.antiscraping.operator.enforcement.traefik;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.Evaluations;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.UpstreamCrds;
import io.antiscraping.operator.reconciler.Conditions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The operator against the real API server with the upstream Traefik Middleware CRD registered (or not): the
 * middleware it owns, what it reports as not enforceable, steady state, dry run, delete and absence.
 */
class TraefikEnforcementIT {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final ResourceDefinitionContext MIDDLEWARES = new ResourceDefinitionContext.Builder().withGroup("traefik.io")
      .withVersion("v1alpha1").withKind("Middleware").withPlural("middlewares").withNamespaced(true).build();

  ApiServer api;
  OperatorRuntime operator;
  KubernetesClient user;
  String ns;

  void start(TestInfo info, boolean installTraefik) {
    String name = getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName();
    api = installTraefik ? ApiServer.start(name) : ApiServer.withoutDataPlanes(name);
    user = api.userClient();
    ns = api.namespace("shop");
    operator = OperatorRuntime.start(api.operatorClient(), OperatorSettings.defaults());
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  void theMiddlewareCarriesTheLevelsRateLimitAndEditsFollowWithoutOtherWrites(TestInfo info) {
    start(info, true);
    create(policy("storefront", spec -> { }));

    GenericKubernetesResource m = awaitMiddleware(o -> true);
    assertThat(spec(m).path("rateLimit").path("average").asInt()).isEqualTo(20);
    assertThat(spec(m).path("rateLimit").path("burst").asInt()).isEqualTo(40);
    assertThat(spec(m).path("rateLimit").path("period").asText()).isEqualTo("1s");
    assertThat(m.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(r -> assertThat(r.getController()).isTrue());
    assertThat(UpstreamCrds.validate(UpstreamCrds.MIDDLEWARES, m)).isEmpty();
    ScrapingPolicy p = awaitCondition("storefront", "Ready", c -> "True".equals(c.getStatus()));
    assertThat(p.getStatus().getTargets()).singleElement().satisfies(t -> {
      assertThat(t.getKind()).isEqualTo("Middleware");
      assertThat(t.getName()).isEqualTo("storefront-ratelimit");
      assertThat(t.getMessage()).contains(ns + "-storefront-ratelimit@kubernetescrd");
    });

    // the evaluation that reported Ready records its events after the status: let it and one more finish
    awaitEvaluations("storefront", 2);
    int mark = api.log().size();
    awaitEvaluations("storefront", 3);
    assertThat(api.log().writesSince(mark, "/middlewares")).as("steady state").isEmpty();

    edit("storefront", spec -> spec.getLevels().get(0).setRateLimit(RateLimit.builder().requestsPerMinute(600).build()));
    m = awaitMiddleware(o -> spec(o).path("rateLimit").path("average").asInt() == 600);
    assertThat(spec(m).path("rateLimit").path("period").asText()).isEqualTo("1m");
    assertThat(api.log().writesSince(mark, "/middlewares")).singleElement().asString().startsWith("PATCH");
  }

  @Test
  void whatTraefikCannotEnforceIsNamedInTheStatus(TestInfo info) {
    start(info, true);
    create(policy("storefront", spec -> {
      spec.setAllowlist(new Allowlist(List.of("10.0.0.0/8")));
      spec.getLevels().get(0).setDenyUserAgents(List.of("(?i)sqlmap"));
    }));

    awaitMiddleware(o -> true);
    ScrapingPolicy p = awaitCondition("storefront", "Enforced", c -> "NotEnforceable".equals(c.getReason()));
    assertThat(condition(p, "Enforced").orElseThrow().getMessage())
        .contains("allowlist exemption (Traefik's rateLimit cannot exempt clients")
        .contains("denyUserAgents (1 pattern(s); Traefik has no user-agent rule middleware)");
    assertThat(condition(p, "Degraded").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void aDryRunKeepsANeutralMiddlewareAndDeletingThePolicyRemovesIt(TestInfo info) {
    start(info, true);
    create(policy("storefront", spec -> { }));
    awaitMiddleware(o -> spec(o).path("rateLimit").path("average").asInt() == 20);

    edit("storefront", spec -> spec.setDryRun(true));
    awaitMiddleware(o -> spec(o).path("rateLimit").path("average").asInt() == 0);
    ScrapingPolicy p = awaitCondition("storefront", "Enforced", c -> "DryRun".equals(c.getReason()));
    assertThat(condition(p, "Ready").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(api.log().writesSince(0, "/middlewares")).noneMatch(l -> l.startsWith("DELETE"));

    user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").delete();
    await().atMost(WAIT).until(() -> get("storefront") == null);
    // kube-controller-manager's garbage collector deletes it through its owner reference, not the operator
    // (the garbage collector watches a custom resource from its next discovery pass after the CRD appeared: 30 s)
    await().atMost(Duration.ofSeconds(60)).until(() -> user.genericKubernetesResources(MIDDLEWARES).inNamespace(ns)
        .withName("storefront-ratelimit").get() == null);
    assertThat(api.log().writesSince(0, "/middlewares")).noneMatch(l -> l.startsWith("DELETE"));
  }

  @Test
  void aMiddlewareOfThatNameThatIsNotOursIsAConflictAndIsLeftAlone(TestInfo info) {
    start(info, true);
    GenericKubernetesResource mine = new GenericKubernetesResource();
    mine.setApiVersion("traefik.io/v1alpha1");
    mine.setKind("Middleware");
    mine.setMetadata(new ObjectMetaBuilder().withName("storefront-ratelimit").withNamespace(ns).build());
    mine.setAdditionalProperty("spec", Map.of("stripPrefix", Map.of("prefixes", List.of("/shop"))));
    user.genericKubernetesResources(MIDDLEWARES).inNamespace(ns).resource(mine).create();
    create(policy("storefront", spec -> { }));

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", c -> "True".equals(c.getStatus()));
    assertThat(condition(p, "Conflict").orElseThrow().getMessage())
        .contains("Middleware " + ns + "/storefront-ratelimit already exists and is not owned by policy storefront");
    // two evaluations after the one that reported the conflict (counted once its events are recorded: one more)
    awaitEvaluations("storefront", 3);
    assertThat(api.log().writesSince(0, "/middlewares")).isEmpty();
    assertThat(spec(middleware()).has("stripPrefix")).isTrue();
  }

  @Test
  void withoutTraefikThePolicySaysWhy(TestInfo info) {
    start(info, false);
    create(policy("storefront", spec -> { }));

    ScrapingPolicy p = awaitCondition("storefront", "Enforced", c -> "ProviderNotInstalled".equals(c.getReason()));
    assertThat(condition(p, "Enforced").orElseThrow().getMessage()).contains("Traefik")
        .contains("middlewares.traefik.io/v1alpha1");
  }

  // ---------------------------------------------------------------------------------------------------------------

  ScrapingPolicy policy(String name, Consumer<ScrapingPolicySpec> customize) {
    ScrapingPolicySpec spec = ScrapingPolicySpec.builder()
        .targets(Targets.builder().provider(Targets.Provider.TRAEFIK).selector(new Selector()).build())
        .levels(new ArrayList<>(List.of(Level.builder().name("normal")
            .rateLimit(RateLimit.builder().requestsPerSecond(20).burstMultiplier(2).build()).build())))
        .evaluationInterval("1s")
        .build();
    customize.accept(spec);
    ScrapingPolicy p = new ScrapingPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    p.setSpec(spec);
    return p;
  }

  void create(ScrapingPolicy p) {
    user.resource(p).create();
  }

  void edit(String name, Consumer<ScrapingPolicySpec> change) {
    ApiServer.retryOnConflict(() -> user.resources(ScrapingPolicy.class).inNamespace(ns).withName(name).edit(p -> {
      change.accept(p.getSpec());
      return p;
    }));
  }

  ScrapingPolicy get(String name) {
    return user.resources(ScrapingPolicy.class).inNamespace(ns).withName(name).get();
  }

  /** Waits for {@code n} more successful evaluations of the policy than counted now. */
  void awaitEvaluations(String policy, int n) {
    Evaluations.awaitEvaluations(operator.metrics().registry(), ns, policy, "ok", n, WAIT);
  }

  GenericKubernetesResource awaitMiddleware(Predicate<GenericKubernetesResource> until) {
    await().atMost(WAIT).until(() -> {
      GenericKubernetesResource o = middleware();
      return o != null && until.test(o);
    });
    return middleware();
  }

  GenericKubernetesResource middleware() {
    return user.genericKubernetesResources(MIDDLEWARES).inNamespace(ns).withName("storefront-ratelimit").get();
  }

  ScrapingPolicy awaitCondition(String name, String type, Predicate<StatusCondition> until) {
    await().atMost(WAIT).until(() -> {
      ScrapingPolicy p = get(name);
      return p != null && condition(p, type).map(until::test).orElse(false);
    });
    return get(name);
  }

  static Optional<StatusCondition> condition(ScrapingPolicy p, String type) {
    return p.getStatus() == null ? Optional.empty() : Conditions.find(p.getStatus().getConditions(), type);
  }

  static JsonNode spec(GenericKubernetesResource o) {
    return OwnedObjectWriter.spec(o);
  }
}
