package io.antiscraping.operator.enforcement.envoygateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The operator against the real API server with the upstream Gateway API and Envoy Gateway CRDs registered (or
 * not): the objects it owns, what it reads back from Envoy Gateway's status (the test plays Envoy Gateway by
 * writing the status Envoy Gateway's own translator, {@link Egctl}, gives the objects on the API server),
 * conflicts, steady state, deselect, delete, dry run and absence.
 */
class EnvoyGatewayEnforcementIT {

  static final Map<String, String> STOREFRONT = Map.of("app.kubernetes.io/part-of", "storefront");
  static final Duration WAIT = Duration.ofSeconds(20);
  /**
   * kube-controller-manager's garbage collector watches a custom resource only from its next discovery pass after
   * the CRD appeared (every 30 s), then deletes the objects whose owner is gone.
   */
  static final Duration GC_WAIT = Duration.ofSeconds(60);
  static final ResourceDefinitionContext BTP = context("BackendTrafficPolicy", "backendtrafficpolicies");
  static final ResourceDefinitionContext SP = context("SecurityPolicy", "securitypolicies");

  ApiServer api;
  OperatorRuntime operator;
  KubernetesClient user;
  String ns;

  void start(TestInfo info, boolean installEnvoyGateway) {
    String name = getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName();
    api = installEnvoyGateway ? ApiServer.start(name) : ApiServer.withoutDataPlanes(name);
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
  void ownedPoliciesAttachToTheSelectedRoutesAndEnvoyGatewaysVerdictDecidesEnforced(TestInfo info) {
    start(info, true);
    route("web", STOREFRONT, "eg");
    route("blog", Map.of("app.kubernetes.io/part-of", "blog"), "eg");
    create(policy("storefront", spec -> spec.getLevels().get(0).setDenyUserAgents(List.of("(?i)sqlmap"))));

    GenericKubernetesResource btp = awaitObject(BTP, "storefront-ratelimit", o -> true);
    GenericKubernetesResource sp = awaitObject(SP, "storefront-deny", o -> true);
    assertThat(spec(btp).at("/targetRefs").toString()).contains("\"name\":\"web\"").doesNotContain("blog");
    assertThat(spec(btp).at("/rateLimit/local/rules/0/limit/requests").asInt()).isEqualTo(50);
    assertThat(spec(sp).at("/authorization/rules/1/cel").asText()).contains("(?i)sqlmap");
    assertThat(btp.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
      assertThat(r.getKind()).isEqualTo("ScrapingPolicy");
      assertThat(r.getName()).isEqualTo("storefront");
      assertThat(r.getController()).isTrue();
    });
    assertThat(UpstreamCrds.validate(UpstreamCrds.BACKEND_TRAFFIC_POLICIES, btp)).isEmpty();
    assertThat(UpstreamCrds.validate(UpstreamCrds.SECURITY_POLICIES, sp)).isEmpty();

    ScrapingPolicy p = awaitCondition("storefront", "Enforced", c -> "NotAccepted".equals(c.getReason()));
    assertThat(message(p, "Enforced")).contains("waiting for Envoy Gateway");
    assertThat(condition(p, "Ready").orElseThrow().getStatus()).isEqualTo("False");

    envoyGatewayStatus(BTP, "storefront-ratelimit");
    envoyGatewayStatus(SP, "storefront-deny");
    p = awaitCondition("storefront", "Ready", c -> "True".equals(c.getStatus()));
    assertThat(condition(p, "Enforced").orElseThrow().getReason()).isEqualTo("Enforced");
    assertThat(p.getStatus().getTargets()).singleElement().satisfies(t -> {
      assertThat(t.getKind()).isEqualTo("HTTPRoute");
      assertThat(t.getName()).isEqualTo("web");
      assertThat(t.getEnforced()).isTrue();
    });

    // Envoy Gateway's verdict on a really wrong version of the object: an invalid allowlisted CIDR
    envoyGatewayStatus(SP, "storefront-deny", o -> ((ObjectNode) o.at("/spec/authorization/rules/0/principal"))
        .putArray("clientCIDRs").add("10.0.0.0/33"));
    p = awaitCondition("storefront", "Enforced", c -> "NotEnforceable".equals(c.getReason()));
    assertThat(message(p, "Enforced")).contains("SecurityPolicy " + ns + "/storefront-deny is not accepted by Envoy Gateway")
        .contains("Invalid: Authorization: unable to translate authorization rule: invalid CIDR address: 10.0.0.0/33");
    assertThat(condition(p, "Degraded").orElseThrow().getStatus()).isEqualTo("True");
  }

  @Test
  void steadyStateMakesNoWrites(TestInfo info) {
    start(info, true);
    route("web", STOREFRONT, "eg");
    create(policy("storefront", spec -> spec.setEvaluationInterval("1s")));
    awaitObject(BTP, "storefront-ratelimit", o -> true);
    envoyGatewayStatus(BTP, "storefront-ratelimit");
    awaitCondition("storefront", "Ready", c -> "True".equals(c.getStatus()));
    // the evaluation that reported Ready records its events after the status: let it and one more finish
    awaitEvaluations("storefront", 2);
    int mark = api.log().size();
    awaitEvaluations("storefront", 3);
    HTTPRoute web = user.resources(HTTPRoute.class).inNamespace(ns).withName("web").get();
    web.getMetadata().getLabels().put("unrelated", "edit");
    user.resource(web).update();
    awaitEvaluations("storefront", 2);

    assertThat(api.log().writesSince(mark, "/gateway.envoyproxy.io/")).isEmpty();
    assertThat(api.log().writesSince(mark, "/gateway.networking.k8s.io/")).isEmpty();
    assertThat(operator.metrics().apiWrites()).isPositive();
    assertThat(api.log().lines().subList(mark, api.log().size())).as("no reads per evaluation either")
        .noneMatch(l -> l.startsWith("GET") && (l.contains("/httproutes") || l.contains("trafficpolicies")
            || l.contains("securitypolicies"))
            && !l.contains("watch"));
  }

  @Test
  void aRouteWithSomeoneElsesPolicyIsAConflictNamingItAndIsTakenWhenItGoes(TestInfo info) {
    start(info, true);
    route("web", STOREFRONT, "eg");
    route("checkout", STOREFRONT, "eg");
    userPolicy(BTP, "team-timeouts", Map.of("targetRefs", List.of(Map.of("group", "gateway.networking.k8s.io",
        "kind", "HTTPRoute", "name", "web")), "timeout", Map.of("http", Map.of("requestTimeout", "10s"))));
    create(policy("storefront", spec -> { }));

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", c -> "True".equals(c.getStatus()));
    assertThat(message(p, "Conflict")).contains("HTTPRoute web: BackendTrafficPolicy " + ns + "/team-timeouts already "
        + "targets it");
    GenericKubernetesResource btp = awaitObject(BTP, "storefront-ratelimit", o -> true);
    assertThat(spec(btp).at("/targetRefs").toString()).contains("checkout").doesNotContain("\"web\"");
    assertThat(user.genericKubernetesResources(BTP).inNamespace(ns).withName("team-timeouts").get()
        .getMetadata().getLabels()).as("the user's policy is untouched").isNullOrEmpty();

    user.genericKubernetesResources(BTP).inNamespace(ns).withName("team-timeouts").delete();

    awaitObject(BTP, "storefront-ratelimit", o -> spec(o).at("/targetRefs").toString().contains("\"web\""));
    awaitCondition("storefront", "Conflict", c -> "False".equals(c.getStatus()));
  }

  /**
   * A BackendTrafficPolicy on the route's Gateway is no conflict: ours merges into it (StrategicMerge). Envoy Gateway
   * then reports ours twice for the Gateway: Accepted, and Merged (for the Gateway's listener, without Accepted).
   */
  @Test
  void aBackendTrafficPolicyOnTheRoutesGatewayIsMergedIntoAndTheRouteIsEnforced(TestInfo info) {
    start(info, true);
    gateway(ns, "eg", Map.of());
    route("web", STOREFRONT, "eg");
    userPolicy(BTP, "gateway-defaults", Map.of("targetRefs", List.of(Map.of("group", "gateway.networking.k8s.io",
        "kind", "Gateway", "name", "eg")), "timeout", Map.of("http", Map.of("requestTimeout", "10s"))));
    create(policy("storefront", spec -> { }));
    awaitObject(BTP, "storefront-ratelimit", o -> true);

    Egctl.Translation t = envoyGatewayStatus(BTP, "storefront-ratelimit");
    assertThat(t.conditions("BackendTrafficPolicy", ns, "storefront-ratelimit", ns, "eg", "Merged")).singleElement()
        .satisfies(c -> assertThat(c.path("message").asText()).contains(ns + "/gateway-defaults"));
    ScrapingPolicy p = awaitCondition("storefront", "Ready", c -> "True".equals(c.getStatus()));
    assertThat(condition(p, "Enforced").orElseThrow().getReason()).isEqualTo("Enforced");
    assertThat(condition(p, "Conflict").map(StatusCondition::getStatus)).isNotEqualTo(Optional.of("True"));
  }

  @Test
  void aSecurityPolicyOnTheRoutesGatewayIsNotSilentlyReplaced(TestInfo info) {
    start(info, true);
    route("web", STOREFRONT, "eg");
    userPolicy(SP, "gateway-auth", Map.of("targetRefs", List.of(Map.of("group", "gateway.networking.k8s.io",
        "kind", "Gateway", "name", "eg")), "basicAuth", Map.of("users", Map.of("name", "htpasswd"))));
    create(policy("storefront", spec -> spec.getLevels().get(0).setDenyUserAgents(List.of("^$"))));

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", c -> "True".equals(c.getStatus()));
    assertThat(message(p, "Conflict")).contains("SecurityPolicy " + ns + "/gateway-auth is attached to its Gateway");
    awaitObject(BTP, "storefront-ratelimit", o -> true);
    assertThat(user.genericKubernetesResources(SP).inNamespace(ns).withName("storefront-deny").get()).isNull();
  }

  /**
   * A route attached through a ListenerSet (or any parent that is not a Gateway): the policies on that parent are not
   * read, so a route-level SecurityPolicy could lift the platform's authentication there. It is a Conflict.
   */
  @Test
  void aRouteAttachedThroughAListenerSetGetsNoRouteLevelSecurityPolicy(TestInfo info) {
    start(info, true);
    user.resource(new HTTPRouteBuilder().withNewMetadata().withName("web").withNamespace(ns)
        .withLabels(new HashMap<>(STOREFRONT)).endMetadata()
        .withNewSpec().addNewParentRef().withGroup("gateway.networking.k8s.io").withKind("ListenerSet")
        .withName("team-listeners").endParentRef().addToHostnames("web.shop.example").endSpec().build()).create();
    create(policy("storefront", spec -> spec.getLevels().get(0).setDenyUserAgents(List.of("^$"))));

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", c -> "True".equals(c.getStatus()));
    assertThat(message(p, "Conflict")).contains("attached through ListenerSet " + ns + "/team-listeners, not a Gateway");
    assertThat(user.genericKubernetesResources(SP).inNamespace(ns).withName("storefront-deny").get()).isNull();
  }

  /**
   * Security finding 6: a SecurityPolicy selecting the route's Gateway by label (targetSelectors, kind Gateway) is
   * seen, so the operator does not shadow it with a route-level SecurityPolicy.
   */
  @Test
  void aSecurityPolicySelectingTheGatewayByLabelIsNotSilentlyReplaced(TestInfo info) {
    start(info, true);
    gateway(ns, "eg", Map.of("team", "edge"));
    route("web", STOREFRONT, "eg");
    userPolicy(SP, "edge-sso", Map.of("targetSelectors", List.of(Map.of("group", "gateway.networking.k8s.io",
        "kind", "Gateway", "matchLabels", Map.of("team", "edge"))), "basicAuth", Map.of("users",
        Map.of("name", "htpasswd"))));
    create(policy("storefront", spec -> spec.getLevels().get(0).setDenyUserAgents(List.of("^$"))));

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", c -> "True".equals(c.getStatus()));
    assertThat(message(p, "Conflict")).contains("SecurityPolicy " + ns + "/edge-sso is attached to its Gateway");
    awaitObject(BTP, "storefront-ratelimit", o -> true);
    assertThat(user.genericKubernetesResources(SP).inNamespace(ns).withName("storefront-deny").get()).isNull();
  }

  /**
   * Security finding 6: the route's Gateway lives in a namespace the operator does not watch, so its SecurityPolicies
   * are invisible: that is a conflict, not "nothing there".
   */
  @Test
  void aGatewayInANamespaceTheOperatorDoesNotWatchIsAConflictNotAnAssumption(TestInfo info) {
    String name = getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName();
    api = ApiServer.start(name);
    user = api.userClient();
    ns = api.namespace("shop");
    String infra = api.namespace("infra");
    operator = OperatorRuntime.start(api.operatorClient(), OperatorSettings.defaults().withNamespaces(Set.of(ns)));
    gateway(infra, "edge", Map.of());
    user.resource(new HTTPRouteBuilder().withNewMetadata().withName("web").withNamespace(ns)
        .withLabels(new HashMap<>(STOREFRONT)).endMetadata()
        .withNewSpec().addNewParentRef().withName("edge").withNamespace(infra).endParentRef()
        .addToHostnames("web.shop.example").endSpec().build()).create();
    create(policy("storefront", spec -> spec.getLevels().get(0).setDenyUserAgents(List.of("^$"))));

    ScrapingPolicy p = awaitCondition("storefront", "Conflict", c -> "True".equals(c.getStatus()));
    assertThat(message(p, "Conflict")).contains("its Gateway " + infra + "/edge is in a namespace the operator does "
        + "not watch");
    awaitObject(BTP, "storefront-ratelimit", o -> true);
    assertThat(user.genericKubernetesResources(SP).inNamespace(ns).withName("storefront-deny").get()).isNull();
  }

  @Test
  void deselectingEveryRouteAndDeletingThePolicyRemoveTheOwnedObjects(TestInfo info) {
    start(info, true);
    route("web", STOREFRONT, "eg");
    create(policy("storefront", spec -> spec.getLevels().get(0).setDenyUserAgents(List.of("bot"))));
    awaitObject(BTP, "storefront-ratelimit", o -> true);
    awaitObject(SP, "storefront-deny", o -> true);

    HTTPRoute web = user.resources(HTTPRoute.class).inNamespace(ns).withName("web").get();
    web.getMetadata().setLabels(new HashMap<>(Map.of("app.kubernetes.io/part-of", "blog")));
    user.resource(web).update();
    awaitGone(BTP, "storefront-ratelimit");
    awaitGone(SP, "storefront-deny");
    awaitCondition("storefront", "Enforced", c -> "NoTargets".equals(c.getReason()));
    assertThat(message(get("storefront"), "Enforced")).contains("selects no HTTPRoute");

    web = user.resources(HTTPRoute.class).inNamespace(ns).withName("web").get();
    web.getMetadata().setLabels(new HashMap<>(STOREFRONT));
    user.resource(web).update();
    awaitObject(BTP, "storefront-ratelimit", o -> true);
    awaitObject(SP, "storefront-deny", o -> true);

    int mark = api.log().size();
    user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").delete();
    await().atMost(WAIT).until(() -> get("storefront") == null);
    // kube-controller-manager's garbage collector deletes them through their owner reference, not the operator
    await().atMost(GC_WAIT).until(() -> user.genericKubernetesResources(BTP).inNamespace(ns)
        .withName("storefront-ratelimit").get() == null);
    await().atMost(GC_WAIT).until(() -> user.genericKubernetesResources(SP).inNamespace(ns)
        .withName("storefront-deny").get() == null);
    assertThat(api.log().writesSince(mark, "/backendtrafficpolicies")).noneMatch(l -> l.startsWith("DELETE"));
    assertThat(api.log().writesSince(mark, "/securitypolicies")).noneMatch(l -> l.startsWith("DELETE"));
  }

  @Test
  void aDryRunWritesNoEnvoyGatewayObject(TestInfo info) {
    start(info, true);
    route("web", STOREFRONT, "eg");
    create(policy("storefront", spec -> spec.setDryRun(true)));

    ScrapingPolicy p = awaitCondition("storefront", "Ready", c -> "True".equals(c.getStatus()));
    assertThat(condition(p, "Enforced").orElseThrow().getReason()).isEqualTo("DryRun");
    // two evaluations after the one that reported it (counted once its events are recorded: one more)
    awaitEvaluations("storefront", 3);
    assertThat(api.log().writesSince(0, "/gateway.envoyproxy.io/")).isEmpty();
  }

  @Test
  void withoutEnvoyGatewayTheOperatorStillRunsAndThePolicySaysWhy(TestInfo info) {
    start(info, false);
    user.resource(new IngressBuilder().withNewMetadata().withName("web").withNamespace(ns)
        .withLabels(new HashMap<>(STOREFRONT)).endMetadata().withNewSpec().addNewRule().withHost("web.shop.example").endRule().endSpec().build()).create();
    ScrapingPolicy nginx = policy("nginx", spec -> spec.getTargets().setProvider(Targets.Provider.INGRESS_NGINX));
    create(nginx);
    create(policy("storefront", spec -> { }));

    ScrapingPolicy p = awaitCondition("storefront", "Enforced",
        c -> "ProviderNotInstalled".equals(c.getReason()));
    assertThat(message(p, "Enforced")).contains("EnvoyGateway").contains("httproutes.gateway.networking.k8s.io/v1")
        .contains("backendtrafficpolicies.gateway.envoyproxy.io/v1alpha1");
    assertThat(condition(p, "Ready").orElseThrow().getStatus()).isEqualTo("False");
    awaitCondition("nginx", "Ready", c -> "True".equals(c.getStatus()));
    assertThat(api.log().lines()).noneMatch(l -> l.contains("/httproutes") || l.contains("/gateway.envoyproxy.io/v1alpha1/"));
  }

  @Test
  void switchingFromIngressNginxTakesTheAnnotationsBack(TestInfo info) {
    start(info, true);
    user.resource(new IngressBuilder().withNewMetadata().withName("web").withNamespace(ns)
        .withLabels(new HashMap<>(STOREFRONT)).withAnnotations(new HashMap<>(Map.of("team", "storefront")))
        .endMetadata().withNewSpec().addNewRule().withHost("web.shop.example").endRule().endSpec().build()).create();
    route("web", STOREFRONT, "eg");
    create(policy("storefront", spec -> spec.getTargets().setProvider(Targets.Provider.INGRESS_NGINX)));
    await().atMost(WAIT).until(() -> annotations("web").containsKey("nginx.ingress.kubernetes.io/limit-rps"));

    edit("storefront", spec -> spec.getTargets().setProvider(Targets.Provider.ENVOY_GATEWAY));

    awaitObject(BTP, "storefront-ratelimit", o -> true);
    await().atMost(WAIT).until(() -> annotations("web").equals(Map.of("team", "storefront")));
  }

  // ---------------------------------------------------------------------------------------------------------------

  Map<String, String> annotations(String ingress) {
    Map<String, String> a = user.network().v1().ingresses().inNamespace(ns).withName(ingress).get()
        .getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  void edit(String name, Consumer<ScrapingPolicySpec> change) {
    ApiServer.retryOnConflict(() -> user.resources(ScrapingPolicy.class).inNamespace(ns).withName(name).edit(p -> {
      change.accept(p.getSpec());
      return p;
    }));
  }

  ScrapingPolicy policy(String name, Consumer<ScrapingPolicySpec> customize) {
    ScrapingPolicySpec spec = ScrapingPolicySpec.builder()
        .targets(Targets.builder().provider(Targets.Provider.ENVOY_GATEWAY)
            .selector(Selector.builder().matchLabels(new HashMap<>(STOREFRONT)).build()).build())
        .levels(new ArrayList<>(List.of(Level.builder().name("normal")
            .rateLimit(RateLimit.builder().requestsPerSecond(50).build()).build())))
        .allowlist(new Allowlist(List.of("10.0.0.0/8")))
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

  ScrapingPolicy get(String name) {
    return user.resources(ScrapingPolicy.class).inNamespace(ns).withName(name).get();
  }

  void route(String name, Map<String, String> labels, String gateway) {
    user.resource(new HTTPRouteBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withLabels(new HashMap<>(labels)).endMetadata()
        .withNewSpec().addNewParentRef().withName(gateway).endParentRef().addToHostnames(name + ".shop.example")
        .endSpec().build()).create();
  }

  void gateway(String namespace, String name, Map<String, String> labels) {
    user.resource(new io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder().withNewMetadata().withName(name)
        .withNamespace(namespace).withLabels(new HashMap<>(labels)).endMetadata().withNewSpec()
        .withGatewayClassName("eg").addNewListener().withName("http").withProtocol("HTTP").withPort(80).endListener()
        .endSpec().build()).create();
  }

  void userPolicy(ResourceDefinitionContext kind, String name, Map<String, Object> spec) {
    GenericKubernetesResource o = new GenericKubernetesResource();
    o.setApiVersion("gateway.envoyproxy.io/v1alpha1");
    o.setKind(kind.getKind());
    o.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    o.setAdditionalProperty("spec", spec);
    user.genericKubernetesResources(kind).inNamespace(ns).resource(o).create();
  }

  /**
   * Plays Envoy Gateway with its own translator ({@link Egctl}): the HTTPRoutes, Gateways (Gateway eg of class eg
   * when there is none) and Envoy Gateway policies of the test namespace as the API server holds them go through
   * {@code egctl x translate}, and the {@code status.ancestors} it gives the named object are written to it as Envoy
   * Gateway's status updater does: at the object's generation, now (the offline translator leaves both out).
   */
  Egctl.Translation envoyGatewayStatus(ResourceDefinitionContext kind, String name) {
    return envoyGatewayStatus(kind, name, o -> { });
  }

  /** The same, the named object translated as {@code wrong} changes it: the status of a really wrong object. */
  Egctl.Translation envoyGatewayStatus(ResourceDefinitionContext kind, String name, Consumer<ObjectNode> wrong) {
    List<JsonNode> in = new ArrayList<>(List.of(Egctl.gatewayClass()));
    List<Gateway> gateways = user.resources(Gateway.class).inNamespace(ns).list().getItems();
    if (gateways.isEmpty()) {
      in.add(Egctl.gateway(ns, "eg"));
    }
    gateways.forEach(g -> in.add(OwnedObjectWriter.JSON.valueToTree(g)));
    user.resources(HTTPRoute.class).inNamespace(ns).list().getItems()
        .forEach(r -> in.add(OwnedObjectWriter.JSON.valueToTree(r)));
    for (ResourceDefinitionContext k : List.of(BTP, SP)) {
      for (GenericKubernetesResource o : user.genericKubernetesResources(k).inNamespace(ns).list().getItems()) {
        ObjectNode node = OwnedObjectWriter.JSON.valueToTree(o);
        if (k == kind && name.equals(o.getMetadata().getName())) {
          wrong.accept(node);
        }
        in.add(node);
      }
    }
    Egctl.Translation t = Egctl.translate(in);

    GenericKubernetesResource o = user.genericKubernetesResources(kind).inNamespace(ns).withName(name).get();
    JsonNode ancestors = t.object(kind.getKind(), ns, name).at("/status/ancestors");
    assertThat(ancestors.isArray()).as("Envoy Gateway reports on %s %s: %s", kind.getKind(), name, t.file()).isTrue();
    ArrayNode status = ((ArrayNode) ancestors).deepCopy();
    for (JsonNode a : status) {
      for (JsonNode c : a.path("conditions")) {
        ((ObjectNode) c).put("observedGeneration", o.getMetadata().getGeneration())
            .put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      }
    }
    o.setAdditionalProperty("status", Map.of("ancestors", OwnedObjectWriter.JSON.convertValue(status, List.class)));
    user.genericKubernetesResources(kind).inNamespace(ns).resource(o).updateStatus();
    return t;
  }

  GenericKubernetesResource awaitObject(ResourceDefinitionContext kind, String name,
                                  Predicate<GenericKubernetesResource> until) {
    await().atMost(WAIT).until(() -> {
      GenericKubernetesResource o = user.genericKubernetesResources(kind).inNamespace(ns).withName(name).get();
      return o != null && until.test(o);
    });
    return user.genericKubernetesResources(kind).inNamespace(ns).withName(name).get();
  }

  void awaitGone(ResourceDefinitionContext kind, String name) {
    await().atMost(WAIT).until(() -> user.genericKubernetesResources(kind).inNamespace(ns).withName(name).get() == null);
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

  static String message(ScrapingPolicy p, String type) {
    return condition(p, type).map(StatusCondition::getMessage).orElse("");
  }

  static JsonNode spec(GenericKubernetesResource o) {
    return OwnedObjectWriter.spec(o);
  }

  static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder().withGroup("gateway.envoyproxy.io").withVersion("v1alpha1")
        .withKind(kind).withPlural(plural).withNamespaced(true).build();
  }

  /** Waits for {@code n} more successful evaluations of the policy than counted now. */
  void awaitEvaluations(String policy, int n) {
    Evaluations.awaitEvaluations(operator.metrics().registry(), ns, policy, "ok", n, WAIT);
  }
}
