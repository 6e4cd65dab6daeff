package io.antiscraping.operator.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the custom resources the operator owns outright (the whole spec is the operator's): create, replace the
 * spec with a JSON patch that first tests the resourceVersion it computed from, or delete; nothing when the object
 * already says what it should. Objects are read from the informer caches, never fetched.
 */
public final class OwnedObjectWriter {

  public static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final ApiWriteListener writes;

  public OwnedObjectWriter(KubernetesClient client, ApiWriteListener writes) {
    this.client = client;
    this.writes = writes;
  }

  /** What {@link #apply} did. */
  public enum Outcome { UNCHANGED, CREATED, UPDATED }

  /**
   * Makes the object {@code name} carry {@code spec}: creates it (labels and controller reference to the policy) or
   * replaces its spec; nothing when its spec already holds every field of {@code spec} (fields the API server
   * defaulted are left alone) or in a dry run.
   *
   * @param current the object as cached, or null when it does not exist
   */
  public Outcome apply(ApiKind kind, PolicyRef policy, String name, ObjectNode spec, GenericKubernetesResource current,
                       boolean dryRun) {
    if (current != null && covers(spec(current), spec)) {
      return Outcome.UNCHANGED;
    }
    Outcome outcome = current == null ? Outcome.CREATED : Outcome.UPDATED;
    if (dryRun) {
      return outcome;
    }
    if (current == null) {
      client.genericKubernetesResources(context(kind)).inNamespace(policy.namespace())
          .resource(object(kind, policy, name, spec)).create();
      writes.written(kind.kind(), "create");
    } else {
      ArrayNode patch = JSON.createArrayNode();
      patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion")
          .put("value", current.getMetadata().getResourceVersion());
      patch.addObject().put("op", current.getAdditionalProperties().get("spec") == null ? "add" : "replace")
          .put("path", "/spec").set("value", spec);
      client.genericKubernetesResources(context(kind)).inNamespace(policy.namespace()).withName(name)
          .patch(new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(Enforcer.FIELD_MANAGER)
              .build(), patch.toString());
      writes.written(kind.kind(), "patch");
    }
    return outcome;
  }

  /** The object as created: labels naming the policy, controller reference to it, the spec. */
  public static GenericKubernetesResource object(ApiKind kind, PolicyRef policy, String name, ObjectNode spec) {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion(kind.apiVersion());
    object.setKind(kind.kind());
    object.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(policy.namespace())
        .withLabels(OwnedObjects.labels(policy)).withOwnerReferences(OwnedObjects.ownerReference(policy)).build());
    object.setAdditionalProperty("spec", JSON.convertValue(spec, Map.class));
    return object;
  }

  /** Deletes an object the operator owns (the test API server has no garbage collector, so this never relies on one). */
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
