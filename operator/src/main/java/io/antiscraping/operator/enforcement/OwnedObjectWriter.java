package io.antiscraping.operator.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ServerSideApplicable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one writer of what the operator owns, all by server-side apply under field manager
 * {@value Enforcer#FIELD_MANAGER}: the custom resources it owns outright (Envoy Gateway policies, Traefik
 * middlewares: labels, controller reference to the policy, the whole spec), and its annotations on the objects of
 * others (ingress-nginx Ingresses). An apply states everything the operator wants in that object: what it applied
 * before and leaves out now is removed by the API server, and the server's managedFields record which fields are
 * the operator's. A field another manager holds is a conflict naming that manager (409), unless the policy says
 * {@code targets.overrideExisting} <em>and</em> the object carries the label {@value #ALLOW_OVERRIDE_LABEL}
 * {@code "true"}: forcing takes fields away from others, which is the decision of whoever may label the object (an
 * admin), never of a policy author alone. Nothing is written when the object (as cached; objects are never fetched)
 * already says what it should.
 */
public final class OwnedObjectWriter {

  public static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The label by which an admin lets policies with {@code targets.overrideExisting} force their apply on this
   * object (an Ingress; an Envoy Gateway or Traefik object the operator owns).
   */
  public static final String ALLOW_OVERRIDE_LABEL = "antiscraping.io/allow-override";

  /** Whether the object carries {@value #ALLOW_OVERRIDE_LABEL}{@code : "true"}. */
  public static boolean overrideAllowed(HasMetadata object) {
    Map<String, String> labels = object == null ? null : object.getMetadata().getLabels();
    return labels != null && "true".equals(labels.get(ALLOW_OVERRIDE_LABEL));
  }

  private final KubernetesClient client;
  private final ApiWriteListener writes;

  public OwnedObjectWriter(KubernetesClient client, ApiWriteListener writes) {
    this.client = client;
    this.writes = writes;
  }

  /** What {@link #apply} did. */
  public enum Outcome { UNCHANGED, CREATED, UPDATED, CONFLICT }

  /**
   * The outcome of an apply; for {@link Outcome#CONFLICT}, which fields other managers hold
   * ("spec.rateLimit is managed by kubectl-edit"), and the object as the server returned it otherwise.
   */
  public record Applied(Outcome outcome, String conflict, GenericKubernetesResource written) {
    static Applied of(Outcome outcome) {
      return new Applied(outcome, null, null);
    }
  }

  /**
   * Makes the object {@code name} carry {@code spec} (labels and controller reference to the policy); nothing when
   * its spec already holds every field of {@code spec} (fields the API server defaulted are left alone) or in a
   * dry run.
   *
   * @param current the object as cached, or null when it does not exist
   */
  public Applied apply(ApiKind kind, PolicyRef policy, String name, ObjectNode spec, GenericKubernetesResource current,
                       boolean dryRun) {
    if (current != null && covers(spec(current), spec)) {
      return Applied.of(Outcome.UNCHANGED);
    }
    Outcome outcome = current == null ? Outcome.CREATED : Outcome.UPDATED;
    if (dryRun) {
      return Applied.of(outcome);
    }
    try {
      GenericKubernetesResource written = serverSideApply(context(kind), policy.namespace(), name,
          object(kind, policy, name, spec), policy.overrideExisting() && overrideAllowed(current));
      writes.written(kind.kind(), "apply");
      return new Applied(outcome, null, written);
    } catch (KubernetesClientException e) {
      if (!isConflict(e)) {
        throw e;
      }
      writes.written(kind.kind(), "conflict");
      return new Applied(Outcome.CONFLICT, conflictMessage(e), null);
    }
  }

  /**
   * Applies the operator's annotations on an object of someone else's (e.g. an Ingress): {@code annotations} is
   * every annotation the operator wants there, so that the ones it set before and leaves out are removed (an empty
   * map removes all of them). Throws the API server's refusal; a conflict is {@link Outcome#CONFLICT}.
   *
   * <p>With {@code force}, the apply is first made without forcing; only when the API server's conflict names
   * none of {@code neverForced} (and names its fields at all) is it repeated forced. A key of {@code neverForced}
   * that another manager holds is therefore always a conflict, whatever the cache said.
   */
  public Applied applyAnnotations(ApiKind kind, HasMetadata target, Map<String, String> annotations, boolean force,
                                  Set<String> neverForced) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(kind.apiVersion());
    object.setKind(kind.kind());
    object.setMetadata(new ObjectMetaBuilder().withName(target.getMetadata().getName())
        .withNamespace(target.getMetadata().getNamespace()).withAnnotations(new TreeMap<>(annotations)).build());
    try {
      GenericKubernetesResource written;
      try {
        written = serverSideApply(context(kind), target.getMetadata().getNamespace(),
            target.getMetadata().getName(), object, false);
      } catch (KubernetesClientException e) {
        if (!force || !isConflict(e) || conflictTouches(e, neverForced)) {
          throw e;
        }
        written = serverSideApply(context(kind), target.getMetadata().getNamespace(),
            target.getMetadata().getName(), object, true);
      }
      writes.written(kind.kind(), "apply");
      return new Applied(Outcome.UPDATED, null, written);
    } catch (KubernetesClientException e) {
      if (!isConflict(e)) {
        throw e;
      }
      writes.written(kind.kind(), "conflict");
      return new Applied(Outcome.CONFLICT, conflictMessage(e), null);
    }
  }

  /**
   * Whether a 409 names an annotation of {@code keys} among its conflicting fields, or names no field at all (then
   * it cannot be told apart, and forcing is not safe).
   */
  static boolean conflictTouches(KubernetesClientException e, Set<String> keys) {
    Status status = e.getStatus();
    if (status == null || status.getDetails() == null || status.getDetails().getCauses() == null
        || status.getDetails().getCauses().isEmpty()) {
      return true;
    }
    for (StatusCause cause : status.getDetails().getCauses()) {
      String field = cause.getField();
      if (field == null || !field.replaceFirst("^\\.", "").startsWith("metadata.annotations.")) {
        return true;
      }
      String key = field.replaceFirst("^\\.", "").substring("metadata.annotations.".length());
      if (keys.contains(key)) {
        return true;
      }
    }
    return false;
  }

  private GenericKubernetesResource serverSideApply(ResourceDefinitionContext context, String namespace, String name,
                                                    GenericKubernetesResource object, boolean force) {
    ServerSideApplicable<GenericKubernetesResource> apply = client.genericKubernetesResources(context)
        .inNamespace(namespace).resource(object).fieldManager(Enforcer.FIELD_MANAGER);
    return (force ? apply.forceConflicts() : apply).serverSideApply();
  }

  /** 409 from an apply: fields other managers hold (a stale resourceVersion cannot occur, none is sent). */
  private static boolean isConflict(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }

  /**
   * "metadata.annotations.x is managed by kubectl-annotate" per conflicting field, from the causes of the API
   * server's 409 ({@code conflict with "kubectl-annotate" using networking.k8s.io/v1}).
   */
  static String conflictMessage(KubernetesClientException e) {
    Status status = e.getStatus();
    List<String> parts = new ArrayList<>();
    if (status != null && status.getDetails() != null && status.getDetails().getCauses() != null) {
      for (StatusCause cause : status.getDetails().getCauses()) {
        String field = cause.getField() == null ? "a field" : cause.getField().replaceFirst("^\\.", "");
        parts.add(field + " is managed by " + manager(cause.getMessage()));
      }
    }
    if (parts.isEmpty()) {
      return status == null || status.getMessage() == null ? "conflict with another field manager"
          : status.getMessage();
    }
    return String.join(", ", parts);
  }

  private static String manager(String causeMessage) {
    if (causeMessage != null) {
      Matcher m = MANAGER.matcher(causeMessage);
      if (m.find()) {
        return m.group(1);
      }
    }
    return "another field manager";
  }

  private static final Pattern MANAGER = Pattern.compile("conflict with \"([^\"]*)\"");

  /**
   * The annotation keys the operator's applies hold on an object, read from its managedFields: what it may
   * remove or change without a conflict.
   */
  public static Set<String> appliedAnnotations(HasMetadata object) {
    Set<String> keys = new TreeSet<>();
    managers(object).forEach((manager, fieldKeys) -> {
      if (manager.equals(Enforcer.FIELD_MANAGER + "/Apply")) {
        keys.addAll(fieldKeys);
      }
    });
    return keys;
  }

  /** The managers other than the operator's applies that hold annotation {@code key}, as "name" (sorted). */
  public static List<String> otherManagers(HasMetadata object, String key) {
    List<String> out = new ArrayList<>();
    managers(object).forEach((manager, fieldKeys) -> {
      if (!manager.equals(Enforcer.FIELD_MANAGER + "/Apply") && fieldKeys.contains(key)) {
        out.add(manager.substring(0, manager.lastIndexOf('/')));
      }
    });
    return out.stream().distinct().sorted().toList();
  }

  /** "manager/Operation" -> the annotation keys that entry of managedFields holds. */
  private static Map<String, Set<String>> managers(HasMetadata object) {
    Map<String, Set<String>> out = new TreeMap<>();
    List<ManagedFieldsEntry> entries = object.getMetadata().getManagedFields();
    if (entries == null) {
      return out;
    }
    for (ManagedFieldsEntry entry : entries) {
      if (entry.getFieldsV1() == null || entry.getManager() == null) {
        continue;
      }
      JsonNode fields = JSON.valueToTree(entry.getFieldsV1().getAdditionalProperties())
          .path("f:metadata").path("f:annotations");
      Set<String> keys = out.computeIfAbsent(entry.getManager() + "/" + entry.getOperation(), k -> new TreeSet<>());
      fields.fieldNames().forEachRemaining(f -> {
        if (f.startsWith("f:")) {
          keys.add(f.substring(2));
        }
      });
    }
    return out;
  }

  /** The object as applied: labels naming the policy, controller reference to it, the spec. */
  public static GenericKubernetesResource object(ApiKind kind, PolicyRef policy, String name, ObjectNode spec) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(kind.apiVersion());
    object.setKind(kind.kind());
    object.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(policy.namespace())
        .withLabels(OwnedObjects.labels(policy)).withOwnerReferences(OwnedObjects.ownerReference(policy)).build());
    object.setAdditionalProperty("spec", JSON.convertValue(spec, Map.class));
    return object;
  }

  /**
   * Deletes an object the operator owns while its policy lives on (a level without anything of the kind to enforce,
   * a provider switch). When the policy is deleted, the garbage collector deletes its objects through their
   * controller reference instead.
   */
  public void delete(ApiKind kind, GenericKubernetesResource current) {
    client.genericKubernetesResources(context(kind)).inNamespace(current.getMetadata().getNamespace())
        .withName(current.getMetadata().getName()).delete();
    writes.written(kind.kind(), "delete");
  }

  public static ObjectNode spec(GenericKubernetesResource object) {
    Object spec = object.getAdditionalProperties().get("spec");
    return spec == null ? JSON.createObjectNode() : JSON.valueToTree(spec);
  }

  public static JsonNode status(GenericKubernetesResource object) {
    Object status = object.getAdditionalProperties().get("status");
    return status == null ? JSON.createObjectNode() : JSON.valueToTree(status);
  }

  /**
   * Whether {@code actual} holds everything {@code wanted} says: every field of an object (extra fields, such as
   * those the API server defaults, are fine), arrays element by element with the same length, equal scalars.
   */
  public static boolean covers(JsonNode actual, JsonNode wanted) {
    if (wanted.isObject()) {
      if (!actual.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode a = actual.get(e.getKey());
        if (a == null || !covers(a, e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isArray()) {
      if (!actual.isArray() || actual.size() != wanted.size()) {
        return false;
      }
      for (int i = 0; i < wanted.size(); i++) {
        if (!covers(actual.get(i), wanted.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isNumber() && actual.isNumber()) {
      return wanted.decimalValue().compareTo(actual.decimalValue()) == 0;
    }
    return wanted.equals(actual);
  }

  static ResourceDefinitionContext context(ApiKind kind) {
    return new ResourceDefinitionContext.Builder().withGroup(kind.group()).withVersion(kind.version())
        .withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(true).build();
  }
}
