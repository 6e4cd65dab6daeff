package io.antiscraping.operator.reconciler;

import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.DENYLIST_SOURCE_RANGE;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.ENABLE_MODSECURITY;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.ENABLE_OWASP_CORE_RULES;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_ALLOWLIST;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_BURST_MULTIPLIER;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_CONNECTIONS;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_RPS;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.MODSECURITY_SNIPPET;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.WHITELIST_SOURCE_RANGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.RouteBudget;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.Evaluations;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxEnforcer;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The operator against the real API server: what a user sees on Ingresses, policy status and events. */
class IngressNginxEnforcementIT {

  static final Map<String, String> STOREFRONT = Map.of("app.kubernetes.io/part-of", "storefront");
  static final Duration WAIT = Duration.ofSeconds(20);

  ApiServer api;
  OperatorRuntime operator;
  KubernetesClient user;
  String ns;

  void start(TestInfo info, boolean allowSnippets) {
    api = ApiServer.start(getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName());
    user = api.userClient();
    ns = api.namespace("shop");
    operator = OperatorRuntime.start(api.operatorClient(),
        OperatorSettings.defaults().withAllowSnippetAnnotations(allowSnippets));
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
  void createdPolicyWritesTheBaselineAnnotationsAndReportsReady(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of("team", "storefront"));
    create(policy("storefront", spec -> { }));

    Map<String, String> a = awaitAnnotations("web", m -> m.containsKey(LIMIT_RPS));
    assertThat(a).containsEntry(LIMIT_RPS, "50").containsEntry(LIMIT_BURST_MULTIPLIER, "5")
        .containsEntry(LIMIT_CONNECTIONS, "40").containsEntry(LIMIT_ALLOWLIST, "10.0.0.0/8,192.0.2.7/32")
        .containsEntry(ENABLE_MODSECURITY, "true").containsEntry("team", "storefront")
        .containsEntry(IngressNginxEnforcer.OWNER, "storefront")
        .doesNotContainKey(MODSECURITY_SNIPPET).doesNotContainKey(DENYLIST_SOURCE_RANGE);
    ScrapingPolicy p = awaitCondition("storefront", "Ready", "True");
    assertThat(p.getStatus().getLevel()).isEqualTo("normal");
    assertThat(p.getStatus().getTargetCount()).isEqualTo(1);
    assertThat(p.getStatus().getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
    assertThat(condition(p, "Enforced")).get().extracting(StatusCondition::getReason).isEqualTo("Enforced");
    assertThat(p.getMetadata().getFinalizers()).contains("scrapingpolicies.antiscraping.io/finalizer");
    await().atMost(WAIT).until(() -> events("storefront").stream().anyMatch(e -> "Enforced".equals(e.getReason())
        && e.getMessage().contains("limit-rps=50")));
  }

  @Test
  void editingTheLimitsChangesTheAnnotationsAndRemovesDroppedKeys(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> { }));
    awaitAnnotations("web", m -> "50".equals(m.get(LIMIT_RPS)));

    edit("storefront", spec -> spec.getLevels().get(0).setRateLimit(
        RateLimit.builder().requestsPerSecond(20).burstMultiplier(2).build()));

    Map<String, String> a = awaitAnnotations("web", m -> "20".equals(m.get(LIMIT_RPS)));
    assertThat(a).containsEntry(LIMIT_BURST_MULTIPLIER, "2").doesNotContainKey(LIMIT_CONNECTIONS);
    // applying without a key removed it; the server's managedFields, not an annotation, say what is the operator's
    Ingress web = user.network().v1().ingresses().inNamespace(ns).withName("web").get();
    assertThat(OwnedObjectWriter.appliedAnnotations(web)).contains(LIMIT_RPS, IngressNginxEnforcer.OWNER)
        .doesNotContain(LIMIT_CONNECTIONS);
    assertThat(a).doesNotContainKey("antiscraping.io/owned-keys");
    ScrapingPolicy p = awaitCondition("storefront", "Ready", "True");
    await().atMost(WAIT).until(() -> get("storefront").getStatus().getObservedGeneration() == 2L);
  }

  @Test
  void steadyStateMakesNoWrites(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> spec.setEvaluationInterval("1s")));
    awaitCondition("storefront", "Ready", "True");
    // the evaluation that reported Ready records its events after the status: let it and one more finish
    awaitEvaluations("storefront", "ok", 2);
    int mark = api.log().size();

    awaitEvaluations("storefront", "ok", 4);
    // An unrelated edit of the Ingress triggers a reconcile too; it must not cause a write either.
    Ingress web = user.network().v1().ingresses().inNamespace(ns).withName("web").get();
    web.getMetadata().getLabels().put("unrelated", "edit");
    double beforeEdit = evaluations("storefront", "ok");
    user.resource(web).update();
    Evaluations.awaitCount(registry(), ns, "storefront", "ok", beforeEdit + 3, WAIT);

    assertThat(operator.metrics().apiWrites()).isPositive();
    assertThat(api.log().writesSince(mark, null)).isEmpty();
    assertThat(api.log().lines().subList(mark, api.log().size())).as("no reads per evaluation either")
        .noneMatch(l -> l.startsWith("GET") && l.contains("/ingresses") && !l.contains("watch"));
  }

  @Test
  void aDeselectedIngressLosesOnlyTheOperatorsKeys(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of("nginx.ingress.kubernetes.io/proxy-body-size", "8m"));
    create(policy("storefront", spec -> { }));
    awaitAnnotations("web", m -> m.containsKey(LIMIT_RPS));

    Ingress web = user.network().v1().ingresses().inNamespace(ns).withName("web").get();
    web.getMetadata().setLabels(new HashMap<>(Map.of("app.kubernetes.io/part-of", "blog")));
    user.resource(web).update();

    Map<String, String> a = awaitAnnotations("web", m -> !m.containsKey(LIMIT_RPS));
    assertThat(a).containsOnlyKeys("nginx.ingress.kubernetes.io/proxy-body-size");
    await().atMost(WAIT).until(() -> "NoTargets".equals(
        condition(get("storefront"), "Enforced").map(StatusCondition::getReason).orElse("")));
  }

  @Test
  void aNewMatchingIngressIsPickedUpWithoutWaitingForTheNextEvaluation(TestInfo info) {
    start(info, false);
    create(policy("storefront", spec -> spec.setEvaluationInterval("1h")));
    awaitCondition("storefront", "Enforced", "False");

    ingress("checkout", STOREFRONT, Map.of());

    awaitAnnotations("checkout", m -> "50".equals(m.get(LIMIT_RPS)));
  }

  @Test
  void deletingThePolicyRemovesExactlyItsKeysAndReleasesTheFinalizer(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of("owner", "team-a", "nginx.ingress.kubernetes.io/ssl-redirect", "true"));
    create(policy("storefront", spec -> { }));
    awaitAnnotations("web", m -> m.containsKey(LIMIT_RPS));

    user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").delete();

    await().atMost(WAIT).until(() -> user.resources(ScrapingPolicy.class).inNamespace(ns)
        .withName("storefront").get() == null);
    assertThat(annotations("web")).containsExactlyInAnyOrderEntriesOf(
        Map.of("owner", "team-a", "nginx.ingress.kubernetes.io/ssl-redirect", "true"));
  }

  @Test
  void twoPoliciesOnOneIngressTheOlderWinsAndTheOtherReportsConflictUntilItIsGone(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("first", spec -> { }));
    awaitAnnotations("web", m -> "first".equals(m.get(IngressNginxEnforcer.OWNER)));
    // creationTimestamp has a one-second resolution: the second policy is created in a later second than the first
    Instant firstCreated = Instant.parse(get("first").getMetadata().getCreationTimestamp());
    await().atMost(WAIT).until(() -> !Instant.now().isBefore(firstCreated.plusSeconds(1)));
    create(policy("second", spec -> spec.getLevels().get(0).getRateLimit().setRequestsPerSecond(7)));

    ScrapingPolicy second = awaitCondition("second", "Conflict", "True");
    assertThat(condition(second, "Conflict").orElseThrow().getMessage())
        .contains("Ingress web is also selected by policy first");
    assertThat(condition(second, "Ready").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(annotations("web")).containsEntry(LIMIT_RPS, "50");

    user.resources(ScrapingPolicy.class).inNamespace(ns).withName("first").delete();

    awaitAnnotations("web", m -> "7".equals(m.get(LIMIT_RPS)) && "second".equals(m.get(IngressNginxEnforcer.OWNER)));
    awaitCondition("second", "Conflict", "False");
  }

  @Test
  void aKeySetBySomeoneElseIsAConflictAndIsNotOverwrittenUnlessThePolicyOptsInAndTheAdminAllowsIt(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of(LIMIT_RPS, "100"));
    create(policy("storefront", spec -> { }));

    String creator = user.network().v1().ingresses().inNamespace(ns).withName("web").get().getMetadata()
        .getManagedFields().get(0).getManager();
    ScrapingPolicy p = awaitCondition("storefront", "Conflict", "True");
    assertThat(condition(p, "Conflict").orElseThrow().getMessage())
        .contains("nginx.ingress.kubernetes.io/limit-rps is already set by " + creator + " (\"100\")");
    awaitEvaluationsAfterTheOneSeen("storefront", "ok", 2);
    assertThat(annotations("web")).containsEntry(LIMIT_RPS, "100").doesNotContainKey(IngressNginxEnforcer.OWNER);
    assertThat(api.log().writesSince(0, "/ingresses")).isEmpty();

    // Security finding S1: the policy author alone cannot force; forcing is the admin's decision, per Ingress.
    edit("storefront", spec -> spec.getTargets().setOverrideExisting(true));
    await().atMost(WAIT).until(() -> condition(get("storefront"), "Conflict").map(StatusCondition::getMessage)
        .orElse("").contains("takes effect only on an Ingress an admin labelled antiscraping.io/allow-override=true"));
    assertThat(annotations("web")).containsEntry(LIMIT_RPS, "100").doesNotContainKey(IngressNginxEnforcer.OWNER);

    label("web", OwnedObjectWriter.ALLOW_OVERRIDE_LABEL, "true");

    awaitAnnotations("web", m -> "50".equals(m.get(LIMIT_RPS)));
    awaitCondition("storefront", "Conflict", "False");
  }

  @Test
  void aKeyAnotherManagerTookOverIsAConflictNamingThatManagerUntilThePolicyForcesIt(TestInfo info) {
    start(info, false);
    ingress("web", Map.of("app.kubernetes.io/part-of", "storefront", OwnedObjectWriter.ALLOW_OVERRIDE_LABEL, "true"),
        Map.of());
    create(policy("storefront", spec -> { }));
    awaitAnnotations("web", m -> "50".equals(m.get(LIMIT_RPS)));

    // kubectl annotate --overwrite: an update by another manager takes the field from the operator's apply
    user.network().v1().ingresses().inNamespace(ns).withName("web").patch(new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE).withFieldManager("kubectl-annotate").build(),
        "{\"metadata\":{\"annotations\":{\"" + LIMIT_RPS + "\":\"99\"}}}");

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", "True");
    assertThat(condition(p, "Conflict").orElseThrow().getMessage())
        .contains("nginx.ingress.kubernetes.io/limit-rps is already set by kubectl-annotate (\"99\")");
    assertThat(annotations("web")).containsEntry(LIMIT_RPS, "99");

    edit("storefront", spec -> spec.getTargets().setOverrideExisting(true));

    awaitAnnotations("web", m -> "50".equals(m.get(LIMIT_RPS)));
    awaitCondition("storefront", "Conflict", "False");
    Ingress web = user.network().v1().ingresses().inNamespace(ns).withName("web").get();
    assertThat(OwnedObjectWriter.appliedAnnotations(web)).contains(LIMIT_RPS);
    assertThat(OwnedObjectWriter.otherManagers(web, LIMIT_RPS)).isEmpty();
  }

  /**
   * Security finding S1: a policy selecting every Ingress with {@code overrideExisting: true}, a lockdown and a WAF
   * in DetectionOnly took the security team's source-range allowlist and blocking ModSecurity rule over, and deleted
   * them back at the baseline. Access control and WAF rules are never forced, not even on an Ingress the admin
   * labelled for overrides: the policy reports a Conflict naming the other manager and both annotations stay.
   */
  @Test
  void anotherManagersSourceRangeAndModsecuritySnippetSurviveAPolicyThatOverridesExisting(TestInfo info) {
    start(info, true);
    String securityRule = "SecRuleEngine On\nSecRule REQUEST_URI \"@beginsWith /admin\" \"id:1001,phase:1,deny\"\n";
    ingress("web", Map.of("app.kubernetes.io/part-of", "storefront", OwnedObjectWriter.ALLOW_OVERRIDE_LABEL, "true"),
        Map.of(WHITELIST_SOURCE_RANGE, "10.20.0.0/16", MODSECURITY_SNIPPET, securityRule));
    String securityTeam = user.network().v1().ingresses().inNamespace(ns).withName("web").get().getMetadata()
        .getManagedFields().get(0).getManager();
    create(policy("takeover", spec -> {
      spec.getTargets().setSelector(new Selector());
      spec.getTargets().setOverrideExisting(true);
      spec.getLevels().get(0).setRouteBudget(RouteBudget.builder().requestsPerSecond(0).build());
      spec.getLevels().get(0).setWaf(Waf.builder().mode(Waf.Mode.DETECTION_ONLY).coreRuleSet(true).paranoiaLevel(1)
          .build());
    }));

    ScrapingPolicy p = awaitCondition("takeover", "Conflict", "True");
    assertThat(condition(p, "Conflict").orElseThrow().getMessage())
        .contains(WHITELIST_SOURCE_RANGE + " is already set by " + securityTeam + " (\"10.20.0.0/16\")")
        .contains(MODSECURITY_SNIPPET + " is already set by " + securityTeam)
        .contains("the operator never takes over");
    assertThat(annotations("web")).containsEntry(WHITELIST_SOURCE_RANGE, "10.20.0.0/16")
        .containsEntry(MODSECURITY_SNIPPET, securityRule).doesNotContainKey(IngressNginxEnforcer.OWNER);

    // Back at a level that writes neither key: the policy enforces its limits, the security team's keys stay theirs.
    edit("takeover", spec -> {
      spec.getLevels().get(0).setRouteBudget(null);
      spec.getLevels().get(0).setWaf(Waf.builder().mode(Waf.Mode.DETECTION_ONLY).build());
    });

    Map<String, String> a = awaitAnnotations("web", m -> "50".equals(m.get(LIMIT_RPS)));
    assertThat(a).containsEntry(WHITELIST_SOURCE_RANGE, "10.20.0.0/16").containsEntry(MODSECURITY_SNIPPET, securityRule);
    awaitCondition("takeover", "Conflict", "False");
    Ingress web = user.network().v1().ingresses().inNamespace(ns).withName("web").get();
    assertThat(OwnedObjectWriter.appliedAnnotations(web)).doesNotContain(WHITELIST_SOURCE_RANGE, MODSECURITY_SNIPPET);
    assertThat(OwnedObjectWriter.otherManagers(web, WHITELIST_SOURCE_RANGE)).containsExactly(securityTeam);
  }

  @Test
  void anInvalidPolicyIsReportedWithTheFieldPathAndWritesNothingToTheDataPlane(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> spec.setAllowlist(new Allowlist(List.of("10.0.0.0/8", "10.0.0.0/33")))));

    ScrapingPolicy p = awaitCondition("storefront", "Invalid", "True");
    assertThat(condition(p, "Invalid").orElseThrow().getMessage())
        .contains("spec.allowlist.cidrs[1]: \"10.0.0.0/33\" is not an IPv4/IPv6 address or CIDR");
    assertThat(condition(p, "Ready").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(condition(p, "Stalled").orElseThrow().getStatus()).isEqualTo("True");
    awaitPromptedInvalidEvaluations("storefront", 2);
    assertThat(api.log().writesSince(0, "/ingresses")).isEmpty();
    assertThat(events("storefront")).anyMatch(e -> "InvalidSpec".equals(e.getReason()) && "Warning".equals(e.getType()));

    edit("storefront", spec -> spec.setAllowlist(new Allowlist(List.of("10.0.0.0/8"))));
    awaitAnnotations("web", m -> m.containsKey(LIMIT_RPS));
    awaitCondition("storefront", "Invalid", "False");
  }

  @Test
  void anInvalidEditKeepsTheLastGoodEnforcement(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> { }));
    awaitAnnotations("web", m -> "50".equals(m.get(LIMIT_RPS)));
    int mark = api.log().size();

    // What the CRD's schema catches never reaches the operator: the API server refuses the edit.
    KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
        () -> edit("storefront", spec -> spec.setCooldown("soon")));
    assertThat(refused).isNotNull();
    assertThat(refused.getCode()).isEqualTo(422);
    // What only the operator's validator catches: the policy is Invalid and the last good enforcement stays.
    edit("storefront", spec -> spec.setAllowlist(new Allowlist(List.of("10.0.0.0/33"))));

    awaitCondition("storefront", "Invalid", "True");
    awaitPromptedInvalidEvaluations("storefront", 2);
    assertThat(annotations("web")).containsEntry(LIMIT_RPS, "50");
    assertThat(api.log().writesSince(mark, "/ingresses")).isEmpty();
  }

  @Test
  void injectionAttemptsAreRejectedBeforeAnythingIsWritten(TestInfo info) {
    start(info, true);
    ingress("web", STOREFRONT, Map.of());
    // A level name is checked by the CRD's pattern: the API server refuses the policy.
    KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
        () -> create(policy("inject-name", spec -> spec.getLevels().get(0).setName("normal\";\nSecRuleEngine Off"))));
    assertThat(refused).isNotNull();
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getStatus().getDetails().getCauses())
        .anySatisfy(c -> assertThat(c.getField()).isEqualTo("spec.levels[0].name"));
    // Allowlist entries pass the schema (any string); the operator's validator refuses them.
    create(policy("inject", spec ->
        spec.setAllowlist(new Allowlist(List.of("10.0.0.0/8; allow all; #", "1.2.3.4\n}")))));

    ScrapingPolicy p = awaitCondition("inject", "Invalid", "True");
    assertThat(condition(p, "Invalid").orElseThrow().getMessage())
        .contains("spec.allowlist.cidrs[0]").contains("spec.allowlist.cidrs[1]");
    awaitPromptedInvalidEvaluations("inject", 2);
    assertThat(annotations("web")).isEmpty();
  }

  @Test
  void blockingWafWithoutSnippetsIsReportedAsNotEnforceableAndRunsDetectionOnly(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> spec.getLevels().get(0).setWaf(
        Waf.builder().mode(Waf.Mode.BLOCKING).coreRuleSet(true).paranoiaLevel(2).build())));

    Map<String, String> a = awaitAnnotations("web", m -> m.containsKey(ENABLE_MODSECURITY));
    assertThat(a).containsEntry(ENABLE_OWASP_CORE_RULES, "true").doesNotContainKey(MODSECURITY_SNIPPET);
    ScrapingPolicy p = awaitCondition("storefront", "Enforced", "False");
    assertThat(condition(p, "Enforced").orElseThrow().getReason()).isEqualTo("NotEnforceable");
    assertThat(condition(p, "Enforced").orElseThrow().getMessage())
        .contains("waf.mode Blocking").contains("--allow-snippet-annotations").contains("waf.paranoiaLevel 2");
    assertThat(condition(p, "Degraded").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void withSnippetsAllowedBlockingWafWritesOnlyOperatorGeneratedSecLang(TestInfo info) {
    start(info, true);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> spec.getLevels().get(0).setWaf(
        Waf.builder().mode(Waf.Mode.BLOCKING).coreRuleSet(true).paranoiaLevel(3).build())));

    Map<String, String> a = awaitAnnotations("web", m -> m.containsKey(MODSECURITY_SNIPPET));
    assertThat(a.get(MODSECURITY_SNIPPET)).isEqualTo("SecRuleEngine On\n"
        + "SecAction \"id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=3,"
        + "setvar:tx.blocking_paranoia_level=3\"\n");
    assertThat(a).containsEntry(ENABLE_OWASP_CORE_RULES, "true");
    awaitCondition("storefront", "Ready", "True");
  }

  @Test
  void aDryRunComputesAndReportsButWritesNothingToTheDataPlane(TestInfo info) {
    start(info, false);
    ingress("web", STOREFRONT, Map.of());
    create(policy("storefront", spec -> spec.setDryRun(true)));

    ScrapingPolicy p = awaitCondition("storefront", "Ready", "True");
    assertThat(condition(p, "Enforced").orElseThrow().getReason()).isEqualTo("DryRun");
    assertThat(p.getStatus().getLevel()).isEqualTo("normal");
    awaitEvaluationsAfterTheOneSeen("storefront", "ok", 2);
    assertThat(annotations("web")).isEmpty();
    assertThat(api.log().writesSince(0, "/ingresses")).isEmpty();
    await().atMost(WAIT).until(() -> events("storefront").stream().anyMatch(e -> "DryRun".equals(e.getReason())
        && e.getMessage().startsWith("would apply:")));
  }

  // ---------------------------------------------------------------------------------------------------------------

  ScrapingPolicy policy(String name, Consumer<ScrapingPolicySpec> customize) {
    return policy(ns, name, customize);
  }

  static ScrapingPolicy policy(String ns, String name, Consumer<ScrapingPolicySpec> customize) {
    ScrapingPolicySpec spec = ScrapingPolicySpec.builder()
        .targets(Targets.builder().selector(Selector.builder().matchLabels(new HashMap<>(STOREFRONT)).build()).build())
        .levels(new ArrayList<>(List.of(Level.builder().name("normal")
            .rateLimit(RateLimit.builder().requestsPerSecond(50).burstMultiplier(5).connections(40).build())
            .waf(Waf.builder().mode(Waf.Mode.DETECTION_ONLY).build())
            .build())))
        .allowlist(new Allowlist(List.of("10.0.0.0/8", "192.0.2.7")))
        .evaluationInterval("2s")
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

  void ingress(String name, Map<String, String> labels, Map<String, String> annotations) {
    user.resource(new IngressBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withLabels(new HashMap<>(labels)).withAnnotations(new HashMap<>(annotations)).endMetadata()
        .withNewSpec().addNewRule().withHost(name + ".shop.example").endRule().endSpec().build()).create();
  }

  void label(String ingress, String key, String value) {
    ApiServer.retryOnConflict(() -> user.network().v1().ingresses().inNamespace(ns).withName(ingress).edit(i -> {
      i.getMetadata().getLabels().put(key, value);
      return i;
    }));
  }

  Map<String, String> annotations(String ingress) {
    Map<String, String> a = user.network().v1().ingresses().inNamespace(ns).withName(ingress).get()
        .getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  Map<String, String> awaitAnnotations(String ingress, java.util.function.Predicate<Map<String, String>> until) {
    await().atMost(WAIT).until(() -> until.test(annotations(ingress)));
    return annotations(ingress);
  }

  CollectorRegistry registry() {
    return operator.metrics().registry();
  }

  double evaluations(String policy, String result) {
    return Evaluations.count(registry(), ns, policy, result);
  }

  /** Waits for {@code n} more evaluations of the policy with {@code result} than counted now. */
  void awaitEvaluations(String policy, String result, int n) {
    Evaluations.awaitEvaluations(registry(), ns, policy, result, n, WAIT);
  }

  /**
   * Waits for {@code n} evaluations after the one whose status the test has just seen: that one is counted once its
   * events are recorded, maybe after now, hence one more.
   */
  void awaitEvaluationsAfterTheOneSeen(String policy, String result, int n) {
    awaitEvaluations(policy, result, n + 1);
  }

  /**
   * Waits for {@code n} evaluations of an invalid policy after the one whose status the test has just seen. An invalid
   * policy is evaluated again only at the default interval (30 s: retrying cannot fix a spec) or at once when an
   * object it selects changes: each evaluation is prompted here by an unrelated label on the Ingress, which must not
   * cause a write either.
   */
  void awaitPromptedInvalidEvaluations(String policy, int n) {
    for (int i = 0; i <= n; i++) {
      double before = evaluations(policy, "invalid");
      label("web", "unrelated", "edit-" + i);
      Evaluations.awaitCount(registry(), ns, policy, "invalid", before + 1, WAIT);
    }
  }

  ScrapingPolicy awaitCondition(String name, String type, String status) {
    await().atMost(WAIT).until(() -> {
      ScrapingPolicy p = get(name);
      return p != null && condition(p, type).map(c -> status.equals(c.getStatus())).orElse(false);
    });
    return get(name);
  }

  static Optional<StatusCondition> condition(ScrapingPolicy p, String type) {
    return p.getStatus() == null ? Optional.empty() : Conditions.find(p.getStatus().getConditions(), type);
  }

  List<Event> events(String policy) {
    return user.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> policy.equals(e.getInvolvedObject().getName())).toList();
  }
}
