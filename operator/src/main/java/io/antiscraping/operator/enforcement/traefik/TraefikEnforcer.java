package io.antiscraping.operator.enforcement.traefik;

import static io.antiscraping.operator.enforcement.traefik.TraefikMiddleware.MIDDLEWARE;

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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/**
 * Traefik: the operator owns one Middleware per policy, {@code <policy>-ratelimit} in the policy's namespace, with
 * a controller ownerReference to it. Users reference it once from their routers (IngressRoute
 * {@code spec.routes[].middlewares}, or the Ingress annotation {@code traefik.ingress.kubernetes.io/router.middlewares});
 * the operator never touches routers, so the policy's selector is not used. Traefik reports nothing back, so the
 * middleware being written is all "enforced" can mean here.
 */
public final class TraefikEnforcer implements OwnObjectsEnforcer {

  private final OwnedObjectWriter writer;

  public TraefikEnforcer(KubernetesClient client, ApiWriteListener writes) {
    this.writer = new OwnedObjectWriter(client, writes);
  }

  @Override
  public Targets.Provider provider() {
    return Targets.Provider.TRAEFIK;
  }

  @Override
  public Class<? extends HasMetadata> targetType() {
    return GenericKubernetesResource.class;
  }

  @Override
  public String targetKind() {
    return MIDDLEWARE.kind();
  }

  @Override
  public List<ApiKind> kinds() {
    return List.of(MIDDLEWARE);
  }

  @Override
  public EnforcementReport enforce(PolicyRef policy, List<PolicyRef> competing, List<? extends HasMetadata> candidates,
                                   EnforcementPlan plan, boolean dryRun) {
    TraefikMiddleware.Rendered rendered = TraefikMiddleware.render(plan);
    String name = TraefikMiddleware.name(policy.name());
    Optional<GenericKubernetesResource> existing = find(policy, candidates, name);
    if (existing.isPresent() && !OwnedObjects.ownedBy(existing.get(), policy)) {
      String why = "Middleware " + policy.namespace() + "/" + name + " already exists and is not owned by policy "
          + policy.name() + ": rename or delete it";
      return new EnforcementReport(List.of(new TargetResult(MIDDLEWARE.kind(), name, false, why)), List.of(why),
          rendered.notEnforceable(), List.of(), 0);
    }
    // A dry run leaves the neutral middleware of suspend() in place (routers may reference it).
    Written w = dryRun ? new Written(Outcome.UNCHANGED, List.of(), 0)
        : write(policy, name, rendered.spec(), existing.orElse(null), "level " + plan.level() + ": " + describe(rendered.spec()));
    if (w.conflict() != null) {
      return new EnforcementReport(List.of(new TargetResult(MIDDLEWARE.kind(), name, false, w.conflict())),
          List.of(w.conflict()), rendered.notEnforceable(), List.of(), 0);
    }
    String message = "level " + plan.level() + ": " + describe(rendered.spec()) + "; routers reference it as "
        + TraefikMiddleware.reference(policy.namespace(), policy.name())
        + (rendered.notEnforceable().isEmpty() ? "" : "; not enforceable: " + String.join("; ", rendered.notEnforceable()));
    return new EnforcementReport(List.of(new TargetResult(MIDDLEWARE.kind(), name, true, message)), List.of(),
        rendered.notEnforceable(), w.changes(), w.writes());
  }

  /** Dry run: the middleware stays, neutral, so that routers referencing it keep serving. */
  @Override
  public EnforcementReport suspend(PolicyRef policy, List<? extends HasMetadata> candidates) {
    String name = TraefikMiddleware.name(policy.name());
    Optional<GenericKubernetesResource> existing = find(policy, candidates, name);
    if (existing.isPresent() && !OwnedObjects.ownedBy(existing.get(), policy)) {
      return EnforcementReport.NONE;
    }
    Written w = write(policy, name, TraefikMiddleware.neutral(), existing.orElse(null),
        "dry run: no limit (kept so that routers referencing it keep serving)");
    return EnforcementReport.writesOnly(w.changes(), w.writes());
  }

  @Override
  public EnforcementReport cleanup(PolicyRef policy, List<? extends HasMetadata> candidates) {
    String name = TraefikMiddleware.name(policy.name());
    Optional<GenericKubernetesResource> existing = find(policy, candidates, name)
        .filter(o -> OwnedObjects.ownedBy(o, policy));
    if (existing.isEmpty()) {
      return EnforcementReport.NONE;
    }
    writer.delete(MIDDLEWARE, existing.get());
    return EnforcementReport.writesOnly(List.of("Middleware " + policy.namespace() + "/"
        + name + " deleted (routers still referencing " + TraefikMiddleware.reference(policy.namespace(), policy.name())
        + " stop serving until the reference is removed)"), 1);
  }

  /** The policy's deletion: the garbage collector deletes the middleware through its controller reference. */
  @Override
  public EnforcementReport deleted(PolicyRef policy, List<? extends HasMetadata> candidates) {
    String name = TraefikMiddleware.name(policy.name());
    Optional<GenericKubernetesResource> existing = find(policy, candidates, name)
        .filter(o -> OwnedObjects.ownedBy(o, policy));
    if (existing.isEmpty()) {
      return EnforcementReport.NONE;
    }
    return EnforcementReport.writesOnly(List.of("Middleware " + policy.namespace() + "/"
        + name + " deleted with policy " + policy.name() + " (garbage collector, through its owner reference; routers"
        + " still referencing " + TraefikMiddleware.reference(policy.namespace(), policy.name())
        + " stop serving until the reference is removed)"), 0);
  }

  private record Written(Outcome outcome, List<String> changes, int writes, String conflict) {
    Written(Outcome outcome, List<String> changes, int writes) {
      this(outcome, changes, writes, null);
    }
  }

  private Written write(PolicyRef policy, String name, ObjectNode spec, GenericKubernetesResource current,
                        String description) {
    OwnedObjectWriter.Applied applied = writer.apply(MIDDLEWARE, policy, name, spec, current, false);
    Outcome outcome = applied.outcome();
    if (outcome == Outcome.UNCHANGED) {
      return new Written(outcome, List.of(), 0);
    }
    if (outcome == Outcome.CONFLICT) {
      return new Written(outcome, List.of(), 0, "Middleware " + policy.namespace() + "/" + name + ": "
          + applied.conflict() + "; undo that change, or set spec.targets.overrideExisting and have an admin label the Middleware "
          + OwnedObjectWriter.ALLOW_OVERRIDE_LABEL + "=true to let the policy take the fields over");
    }
    return new Written(outcome, List.of("Middleware " + policy.namespace() + "/" + name
        + (outcome == Outcome.CREATED ? " created: " : " updated: ") + description), 1);
  }

  private static Optional<GenericKubernetesResource> find(PolicyRef policy, List<? extends HasMetadata> candidates,
                                                          String name) {
    return candidates.stream().filter(MIDDLEWARE::matches).filter(o -> o instanceof GenericKubernetesResource)
        .map(o -> (GenericKubernetesResource) o)
        .filter(o -> policy.namespace().equals(o.getMetadata().getNamespace()) && name.equals(o.getMetadata().getName()))
        .findFirst();
  }

  static String describe(ObjectNode spec) {
    var limit = spec.path("rateLimit");
    if (limit.path("average").asLong() == 0) {
      return "no limit (average 0)";
    }
    boolean shared = limit.path("sourceCriterion").has("requestHeaderName");
    return limit.path("average").asLong() + " requests per " + limit.path("period").asText()
        + (shared ? " for everyone, per Traefik replica (route budget)" : " per client") + ", burst " + limit.path("burst").asLong();
  }
}
