package io.antiscraping.operator.enforcement.envoygateway;

import static io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayPolicies.BACKEND_TRAFFIC_POLICY;
import static io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayPolicies.GATEWAY;
import static io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayPolicies.GATEWAY_API_GROUP;
import static io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayPolicies.HTTP_ROUTE;
import static io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayPolicies.SECURITY_POLICY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.enforcement.ApiKind;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.EnforcementReport.TargetResult;
import io.antiscraping.operator.enforcement.OwnObjectsEnforcer;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.OwnedObjectWriter.Outcome;
import io.antiscraping.operator.enforcement.OwnedObjects;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.antiscraping.operator.enforcement.TargetArbiter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Envoy Gateway: the operator owns one BackendTrafficPolicy ({@code <policy>-ratelimit}) and one SecurityPolicy
 * ({@code <policy>-deny}) per ScrapingPolicy, in its namespace, with a controller ownerReference to it, attached by
 * {@code targetRefs} to the selected HTTPRoutes. User objects are never modified.
 *
 * <p>Envoy Gateway attaches one policy of a kind per route. A route that already has a BackendTrafficPolicy (or
 * SecurityPolicy) of someone else is left out of ours and reported as a Conflict naming it; so is a route whose
 * Gateway has someone else's SecurityPolicy, which a route-level SecurityPolicy would silently replace for that
 * route. Envoy Gateway's verdict on our objects ({@code status.ancestors[].conditions}) decides whether a route is
 * enforced: Accepted, not yet reported, rejected (with its message) or overridden.
 */
public final class EnvoyGatewayEnforcer implements OwnObjectsEnforcer {

  static final String KIND = "HTTPRoute";

  private final OwnedObjectWriter writer;
  /** The namespaces the operator watches; empty = all. */
  private final Set<String> watched;

  public EnvoyGatewayEnforcer(KubernetesClient client, ApiWriteListener writes) {
    this(client, writes, Set.of());
  }

  /**
   * @param watchedNamespaces the namespaces the operator watches (empty: all): a route's Gateway in another one
   *                          cannot be checked for a SecurityPolicy, so no route-level SecurityPolicy is written there
   */
  public EnvoyGatewayEnforcer(KubernetesClient client, ApiWriteListener writes, Set<String> watchedNamespaces) {
    this.writer = new OwnedObjectWriter(client, writes);
    this.watched = Set.copyOf(watchedNamespaces);
  }

  @Override
  public Targets.Provider provider() {
    return Targets.Provider.ENVOY_GATEWAY;
  }

  @Override
  public Class<? extends HasMetadata> targetType() {
    return HTTPRoute.class;
  }

  @Override
  public List<ApiKind> kinds() {
    return List.of(HTTP_ROUTE, BACKEND_TRAFFIC_POLICY, SECURITY_POLICY, GATEWAY);
  }

  @Override
  public EnforcementReport enforce(PolicyRef policy, List<PolicyRef> competing, List<? extends HasMetadata> candidates,
                                   EnforcementPlan plan, boolean dryRun) {
    Cluster cluster = new Cluster(policy, candidates);
    EnvoyGatewayPolicies.Rendered rendered = EnvoyGatewayPolicies.render(plan);
    Report report = new Report();
    report.notEnforceable.addAll(rendered.notEnforceable());
    boolean needTraffic = !rendered.rateLimitRules().isEmpty();
    boolean needSecurity = rendered.authorization() != null;
    String trafficName = EnvoyGatewayPolicies.trafficPolicyName(policy.name());
    String securityName = EnvoyGatewayPolicies.securityPolicyName(policy.name());
    Optional<String> trafficTaken = cluster.takenName(BACKEND_TRAFFIC_POLICY, trafficName);
    Optional<String> securityTaken = cluster.takenName(SECURITY_POLICY, securityName);

    List<Route> routes = new ArrayList<>();
    for (HTTPRoute route : cluster.routes()) {
      String name = route.getMetadata().getName();
      if (!policy.selector().matches(route.getMetadata().getLabels())) {
        continue;
      }
      Optional<TargetArbiter.Lost> lost = TargetArbiter.lost(policy, competing, route, KIND);
      if (lost.isPresent()) {
        report.conflicts.add(lost.get().why());
        report.targets.add(new TargetResult(KIND, name, false, lost.get().why()));
        continue;
      }
      Route r = new Route(route);
      if (needTraffic) {
        r.trafficConflict = trafficTaken.or(() -> cluster.foreignPolicyOn(BACKEND_TRAFFIC_POLICY, route, false)
            .map(p -> "BackendTrafficPolicy " + p + " already targets it (Envoy Gateway attaches one per route): "
                + "the rate limit is not applied there"));
      }
      if (needSecurity) {
        r.securityConflict = securityTaken.or(() -> cluster.foreignPolicyOn(SECURITY_POLICY, route, false)
            .map(p -> "SecurityPolicy " + p + " already targets it (Envoy Gateway attaches one per route): bans "
                + "and user-agent rules are not applied there")
            .or(() -> cluster.foreignPolicyOn(SECURITY_POLICY, route, true)
                .map(p -> "SecurityPolicy " + p + " is attached to its Gateway, and a route-level SecurityPolicy "
                    + "would replace it for this route: bans and user-agent rules are not applied there"))
            .or(() -> r.otherParents().stream().findFirst()
                .map(o -> "it is attached through " + o + ", not a Gateway: a SecurityPolicy attached there or to "
                    + "its Gateway (SSO, JWT, extAuth) is not read, and a route-level SecurityPolicy would replace it "
                    + "for this route: bans and user-agent rules are not applied there"))
            .or(() -> r.gateways().stream().filter(g -> !visible(g)).findFirst()
                .map(g -> "its Gateway " + g + " is in a namespace the operator does not watch, so a SecurityPolicy "
                    + "attached to that Gateway (SSO, JWT, extAuth) cannot be ruled out, and a route-level "
                    + "SecurityPolicy would replace it for this route: bans and user-agent rules are not applied "
                    + "there (watch namespace " + g.substring(0, g.indexOf('/')) + " too)")));
      }
      routes.add(r);
    }

    List<String> trafficRoutes = routes.stream().filter(r -> r.trafficConflict.isEmpty()).map(Route::name).toList();
    List<String> securityRoutes = routes.stream().filter(r -> r.securityConflict.isEmpty()).map(Route::name).toList();
    Written traffic = write(BACKEND_TRAFFIC_POLICY, policy, trafficName, trafficTaken.isPresent(),
        needTraffic && !trafficRoutes.isEmpty()
            ? EnvoyGatewayPolicies.trafficSpec(trafficRoutes, rendered.rateLimitRules()) : null,
        cluster, dryRun, report, describeTraffic(plan, rendered, trafficRoutes));
    Written security = write(SECURITY_POLICY, policy, securityName, securityTaken.isPresent(),
        needSecurity && !securityRoutes.isEmpty()
            ? EnvoyGatewayPolicies.securitySpec(securityRoutes, rendered.authorization()) : null,
        cluster, dryRun, report, describeSecurity(plan, securityRoutes));

    String inForce = inForce(plan, rendered);
    for (Route r : routes) {
      List<String> problems = new ArrayList<>();
      r.trafficConflict.ifPresent(c -> problems.add(conflict(report, r, c)));
      r.securityConflict.ifPresent(c -> problems.add(conflict(report, r, c)));
      if (!dryRun) {
        if (needTraffic && r.trafficConflict.isEmpty()) {
          verdict(traffic, r, report).ifPresent(problems::add);
        }
        if (needSecurity && r.securityConflict.isEmpty()) {
          verdict(security, r, report).ifPresent(problems::add);
        }
      }
      report.targets.add(problems.isEmpty() ? new TargetResult(KIND, r.name(), true, inForce)
          : new TargetResult(KIND, r.name(), false, String.join("; ", problems)));
    }
    report.targets.sort(Comparator.comparing(TargetResult::name));
    return report.build();
  }

  @Override
  public EnforcementReport cleanup(PolicyRef policy, List<? extends HasMetadata> candidates) {
    Cluster cluster = new Cluster(policy, candidates);
    Report report = new Report();
    for (ApiKind kind : List.of(BACKEND_TRAFFIC_POLICY, SECURITY_POLICY)) {
      String name = kind == BACKEND_TRAFFIC_POLICY ? EnvoyGatewayPolicies.trafficPolicyName(policy.name())
          : EnvoyGatewayPolicies.securityPolicyName(policy.name());
      cluster.owned(kind, name).ifPresent(o -> {
        writer.delete(kind, o);
        report.writes++;
        report.changes.add(kind.kind() + " " + policy.namespace() + "/" + name + " deleted (policy " + policy.name()
            + " no longer enforces)");
      });
    }
    return report.build();
  }

  /** The policy's deletion: the garbage collector deletes our objects through their controller reference. */
  @Override
  public EnforcementReport deleted(PolicyRef policy, List<? extends HasMetadata> candidates) {
    Cluster cluster = new Cluster(policy, candidates);
    Report report = new Report();
    for (ApiKind kind : List.of(BACKEND_TRAFFIC_POLICY, SECURITY_POLICY)) {
      String name = kind == BACKEND_TRAFFIC_POLICY ? EnvoyGatewayPolicies.trafficPolicyName(policy.name())
          : EnvoyGatewayPolicies.securityPolicyName(policy.name());
      cluster.owned(kind, name).ifPresent(o -> report.changes.add(kind.kind() + " " + policy.namespace() + "/" + name
          + " deleted with policy " + policy.name() + " (garbage collector, through its owner reference)"));
    }
    return report.build();
  }

  // ---- writing our two objects ----

  /** One of our objects after this enforcement: as cached before, and what was done to it. */
  private record Written(ApiKind kind, String namespace, String name, GenericKubernetesResource cached,
                         Outcome outcome, String conflict) {
    Written(ApiKind kind, String namespace, String name, GenericKubernetesResource cached, Outcome outcome) {
      this(kind, namespace, name, cached, outcome, null);
    }

    String ref() {
      return kind.kind() + " " + namespace + "/" + name;
    }
  }

  private Written write(ApiKind kind, PolicyRef policy, String name, boolean nameTaken, ObjectNode spec,
                        Cluster cluster, boolean dryRun, Report report, String description) {
    if (nameTaken) {
      return new Written(kind, policy.namespace(), name, null, Outcome.UNCHANGED);
    }
    GenericKubernetesResource current = cluster.owned(kind, name).orElse(null);
    String ref = kind.kind() + " " + policy.namespace() + "/" + name;
    if (spec == null) {
      if (current != null) {
        if (!dryRun) {
          writer.delete(kind, current);
          report.writes++;
        }
        report.changes.add(ref + " deleted (nothing of the kind to enforce at this level, or no route to attach to)");
      }
      return new Written(kind, policy.namespace(), name, null, Outcome.UNCHANGED);
    }
    OwnedObjectWriter.Applied applied = writer.apply(kind, policy, name, spec, current, dryRun);
    Outcome outcome = applied.outcome();
    if (outcome == Outcome.CONFLICT) {
      String why = ref + ": " + applied.conflict()
          + "; undo that change, or set spec.targets.overrideExisting and have an admin label the " + kind.kind() + " "
          + OwnedObjectWriter.ALLOW_OVERRIDE_LABEL + "=true to let the policy take the fields over";
      report.conflicts.add(why);
      return new Written(kind, policy.namespace(), name, current, outcome, why);
    }
    if (outcome != Outcome.UNCHANGED) {
      if (!dryRun) {
        report.writes++;
      }
      report.changes.add(ref + (outcome == Outcome.CREATED ? " created: " : " updated: ") + description);
    }
    return new Written(kind, policy.namespace(), name, current, outcome);
  }

  // ---- Envoy Gateway's verdict ----

  /** Why a route is not (yet) enforced by one of our objects, from the object's status; empty when it is. */
  private static Optional<String> verdict(Written w, Route route, Report report) {
    String ref = w.ref();
    if (w.outcome() == Outcome.CONFLICT) {
      return Optional.of(w.conflict());
    }
    if (w.cached() == null || w.outcome() != Outcome.UNCHANGED) {
      return Optional.of("waiting for Envoy Gateway to accept " + ref + " (just written)");
    }
    Long generation = w.cached().getMetadata().getGeneration();
    JsonNode ancestors = OwnedObjectWriter.status(w.cached()).path("ancestors");
    List<String> gateways = route.gateways();
    if (gateways.isEmpty()) {
      return Optional.of("HTTPRoute " + route.name() + " has no Gateway in spec.parentRefs, so " + ref
          + " applies nowhere");
    }
    for (String gateway : gateways) {
      List<JsonNode> entries = new ArrayList<>();
      for (JsonNode a : ancestors) {
        JsonNode ref2 = a.path("ancestorRef");
        String kind = ref2.path("kind").asText("Gateway");
        String ns = ref2.path("namespace").asText(w.namespace());
        if ("Gateway".equals(kind) && gateway.equals(ns + "/" + ref2.path("name").asText())) {
          entries.add(a);
        }
      }
      if (entries.isEmpty()) {
        return Optional.of("waiting for Envoy Gateway to report on " + ref + " for Gateway " + gateway);
      }
      // An entry without Accepted is no verdict: Envoy Gateway adds one with only Merged (for the Gateway's listener)
      // next to the Accepted one when our policy merges into a BackendTrafficPolicy on the Gateway.
      boolean acceptedForGateway = false;
      for (JsonNode entry : entries) {
        for (JsonNode c : entry.path("conditions")) {
          String type = c.path("type").asText();
          String status = c.path("status").asText();
          String words = c.path("reason").asText() + ": " + c.path("message").asText();
          if ("Accepted".equals(type) && generation != null && c.has("observedGeneration")
              && c.path("observedGeneration").asLong() != generation) {
            return Optional.of("waiting for Envoy Gateway to accept generation " + generation + " of " + ref);
          }
          if ("Accepted".equals(type) && "False".equals(status)) {
            String why = ref + " is not accepted by Envoy Gateway for Gateway " + gateway + " (" + words + ")";
            if ("Conflicted".equals(c.path("reason").asText())) {
              report.conflicts.add("HTTPRoute " + route.name() + ": " + why);
            } else if (!report.notEnforceable.contains(why)) {
              report.notEnforceable.add(why);
            }
            return Optional.of(why);
          }
          if ("Overridden".equals(type) && "True".equals(status)) {
            String why = ref + " is overridden for Gateway " + gateway + " (" + words + ")";
            report.conflicts.add("HTTPRoute " + route.name() + ": " + why);
            return Optional.of(why);
          }
        }
        boolean verdict = false;
        boolean accepted = false;
        for (JsonNode c : entry.path("conditions")) {
          verdict |= "Accepted".equals(c.path("type").asText());
          accepted |= "Accepted".equals(c.path("type").asText()) && "True".equals(c.path("status").asText());
        }
        if (verdict && !accepted) {
          return Optional.of("waiting for Envoy Gateway to accept " + ref + " for Gateway " + gateway);
        }
        acceptedForGateway |= accepted;
      }
      if (!acceptedForGateway) {
        return Optional.of("waiting for Envoy Gateway to accept " + ref + " for Gateway " + gateway);
      }
    }
    return Optional.empty();
  }

  private static String conflict(Report report, Route route, String why) {
    String message = "HTTPRoute " + route.name() + ": " + why;
    report.conflicts.add(message);
    return why;
  }

  // ---- descriptions ----

  private static String inForce(EnforcementPlan plan, EnvoyGatewayPolicies.Rendered rendered) {
    List<String> parts = new ArrayList<>();
    if (!rendered.rateLimitRules().isEmpty()) {
      JsonNode limit = rendered.rateLimitRules().get(0).path("limit");
      parts.add(limit.path("requests").asInt() + " requests per " + limit.path("unit").asText().toLowerCase()
          + " per client");
    }
    if (!plan.bans().isEmpty()) {
      parts.add(plan.bans().size() + " banned CIDR(s) denied");
    }
    if (!plan.denyUserAgents().isEmpty()) {
      parts.add(plan.denyUserAgents().size() + " user-agent rule(s)");
    }
    String what = parts.isEmpty() ? "nothing to write" : String.join(", ", parts);
    return "level " + plan.level() + ": " + what
        + (rendered.notEnforceable().isEmpty() ? "" : "; not enforceable: " + String.join("; ", rendered.notEnforceable()));
  }

  private static String describeTraffic(EnforcementPlan plan, EnvoyGatewayPolicies.Rendered rendered,
                                        List<String> routes) {
    if (rendered.rateLimitRules().isEmpty()) {
      return "";
    }
    JsonNode limit = rendered.rateLimitRules().get(0).path("limit");
    return "level " + plan.level() + ", " + limit.path("requests").asInt() + " requests per "
        + limit.path("unit").asText().toLowerCase() + " per client (" + rendered.rateLimitRules().size()
        + " rule(s)) on HTTPRoute(s) " + String.join(", ", routes);
  }

  private static String describeSecurity(EnforcementPlan plan, List<String> routes) {
    return "level " + plan.level() + ", " + plan.bans().size() + " banned CIDR(s), " + plan.denyUserAgents().size()
        + " user-agent rule(s) on HTTPRoute(s) " + String.join(", ", routes);
  }

  // ---- what the caches hold ----

  /** A selected route we may attach to, and what keeps each of our objects off it. */
  private static final class Route {
    final HTTPRoute route;
    Optional<String> trafficConflict = Optional.empty();
    Optional<String> securityConflict = Optional.empty();

    Route(HTTPRoute route) {
      this.route = route;
    }

    String name() {
      return route.getMetadata().getName();
    }

    /** {@code namespace/name} of the Gateways the route attaches to. */
    List<String> gateways() {
      Set<String> out = new LinkedHashSet<>();
      if (route.getSpec() != null && route.getSpec().getParentRefs() != null) {
        for (ParentReference p : route.getSpec().getParentRefs()) {
          if ((p.getKind() == null || "Gateway".equals(p.getKind()))
              && (p.getGroup() == null || GATEWAY_API_GROUP.equals(p.getGroup()))) {
            out.add((p.getNamespace() == null ? route.getMetadata().getNamespace() : p.getNamespace()) + "/"
                + p.getName());
          }
        }
      }
      return List.copyOf(out);
    }

    /**
     * The route's parents that are not Gateways ({@code kind namespace/name}), such as a ListenerSet: policies
     * attached to them, or to the Gateway behind them, are not read, so a route-level SecurityPolicy could shadow one.
     */
    List<String> otherParents() {
      List<String> out = new ArrayList<>();
      if (route.getSpec() != null && route.getSpec().getParentRefs() != null) {
        for (ParentReference p : route.getSpec().getParentRefs()) {
          if (!((p.getKind() == null || "Gateway".equals(p.getKind()))
              && (p.getGroup() == null || GATEWAY_API_GROUP.equals(p.getGroup())))) {
            out.add(p.getKind() + " " + (p.getNamespace() == null ? route.getMetadata().getNamespace()
                : p.getNamespace()) + "/" + p.getName());
          }
        }
      }
      return out;
    }
  }

  /** Whether the operator watches the namespace of {@code namespace/name}. */
  private boolean visible(String namespacedName) {
    return watched.isEmpty() || watched.contains(namespacedName.substring(0, namespacedName.indexOf('/')));
  }

  /** The objects the reconciler handed over, by kind. */
  private static final class Cluster {
    final PolicyRef policy;
    final List<? extends HasMetadata> objects;

    Cluster(PolicyRef policy, List<? extends HasMetadata> objects) {
      this.policy = policy;
      this.objects = objects;
    }

    List<HTTPRoute> routes() {
      return objects.stream().filter(o -> o instanceof HTTPRoute)
          .filter(o -> policy.namespace().equals(o.getMetadata().getNamespace())).map(o -> (HTTPRoute) o)
          .sorted(Comparator.comparing(o -> o.getMetadata().getName())).toList();
    }

    List<GenericKubernetesResource> of(ApiKind kind) {
      return objects.stream().filter(kind::matches).filter(o -> o instanceof GenericKubernetesResource)
          .map(o -> (GenericKubernetesResource) o).toList();
    }

    Optional<GenericKubernetesResource> named(ApiKind kind, String name) {
      return of(kind).stream().filter(o -> policy.namespace().equals(o.getMetadata().getNamespace())
          && name.equals(o.getMetadata().getName())).findFirst();
    }

    Optional<GenericKubernetesResource> owned(ApiKind kind, String name) {
      return named(kind, name).filter(o -> OwnedObjects.ownedBy(o, policy));
    }

    /** Why our object's name cannot be used: an object of that name that is not ours exists. */
    Optional<String> takenName(ApiKind kind, String name) {
      return named(kind, name).filter(o -> !OwnedObjects.ownedBy(o, policy))
          .map(o -> kind.kind() + " " + policy.namespace() + "/" + name + " already exists and is not owned by policy "
              + policy.name() + ": rename or delete it");
    }

    /**
     * Someone else's policy of this kind attached to the route itself or, with {@code viaGateway}, to one of the
     * route's Gateways (targetRef, targetRefs or targetSelectors); the first one by namespace/name.
     */
    Optional<String> foreignPolicyOn(ApiKind kind, HTTPRoute route, boolean viaGateway) {
      List<String> gateways = new Route(route).gateways();
      return of(kind).stream()
          .filter(o -> !OwnedObjects.ownedBy(o, policy))
          .filter(o -> viaGateway
              ? gateways.stream().anyMatch(g -> targets(o, "Gateway", g, gatewayLabels(g)))
              : targets(o, KIND, route.getMetadata().getNamespace() + "/" + route.getMetadata().getName(),
                  route.getMetadata().getLabels()))
          .map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
          .sorted().findFirst();
    }

    /** The labels of the Gateway {@code namespace/name} (none when it is not there). */
    Map<String, String> gatewayLabels(String namespacedName) {
      return objects.stream().filter(GATEWAY::matches)
          .filter(o -> namespacedName.equals(o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()))
          .findFirst().map(o -> o.getMetadata().getLabels()).orElse(Map.of());
    }

    /** Whether a policy object targets the object {@code namespace/name} of this kind (with these labels). */
    static boolean targets(GenericKubernetesResource policyObject, String kind, String namespacedName,
                           Map<String, String> labels) {
      String ns = policyObject.getMetadata().getNamespace();
      if (!namespacedName.startsWith(ns + "/")) {
        return false;
      }
      String name = namespacedName.substring(ns.length() + 1);
      JsonNode spec = OwnedObjectWriter.spec(policyObject);
      List<JsonNode> refs = new ArrayList<>();
      if (spec.has("targetRef")) {
        refs.add(spec.get("targetRef"));
      }
      spec.path("targetRefs").forEach(refs::add);
      for (JsonNode ref : refs) {
        if (kind.equals(ref.path("kind").asText()) && name.equals(ref.path("name").asText())
            && GATEWAY_API_GROUP.equals(ref.path("group").asText(GATEWAY_API_GROUP))) {
          return true;
        }
      }
      for (JsonNode sel : spec.path("targetSelectors")) {
        if (kind.equals(sel.path("kind").asText()) && selects(sel, labels == null ? Map.of() : labels)) {
          return true;
        }
      }
      return false;
    }

    /** A Gateway API label selector (matchLabels and matchExpressions) against labels. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
      if (!selector.has("matchLabels") && !selector.has("matchExpressions")) {
        return false;
      }
      for (var it = selector.path("matchLabels").fields(); it.hasNext(); ) {
        var e = it.next();
        if (!Objects.equals(e.getValue().asText(), labels.get(e.getKey()))) {
          return false;
        }
      }
      for (JsonNode req : selector.path("matchExpressions")) {
        String value = labels.get(req.path("key").asText());
        List<String> values = new ArrayList<>();
        req.path("values").forEach(v -> values.add(v.asText()));
        boolean ok = switch (req.path("operator").asText()) {
          case "In" -> value != null && values.contains(value);
          case "NotIn" -> value == null || !values.contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  }

  private static final class Report {
    final List<TargetResult> targets = new ArrayList<>();
    final List<String> conflicts = new ArrayList<>();
    final List<String> notEnforceable = new ArrayList<>();
    final List<String> changes = new ArrayList<>();
    int writes;

    EnforcementReport build() {
      return new EnforcementReport(targets, conflicts.stream().distinct().toList(), notEnforceable, changes, writes);
    }
  }
}
