package io.antiscraping.operator.enforcement;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A kind of object an enforcer reads, watched through an informer: a typed model class, or a custom resource read
 * as {@link GenericKubernetesResource}.
 *
 * @param group   API group ("" for the core group)
 * @param version API version
 * @param kind    kind
 * @param plural  resource name in URLs and RBAC rules
 * @param type    the model class ({@link GenericKubernetesResource} for custom resources read generically)
 * @param scope   which objects the enforcer receives, and which policies an event on one of them wakes up
 */
public record ApiKind(String group, String version, String kind, String plural, Class<? extends HasMetadata> type,
                      Scope scope) {

  /** Which objects of a kind an enforcer receives, and which policies a change to one of them wakes up. */
  public enum Scope {
    /**
     * The objects in the policy's namespace; a change wakes the policies that select the object or have written to
     * it ({@link Enforcer#ownedBy}).
     */
    SELECTED,
    /** The objects in the policy's namespace; a change wakes every policy of the provider in that namespace. */
    NAMESPACE,
    /**
     * The objects in every watched namespace (e.g. policies attached to a Gateway in another namespace); a change
     * wakes every policy of the provider in the object's namespace.
     */
    ALL_NAMESPACES
  }

  /** A typed kind. */
  public static ApiKind of(Class<? extends HasMetadata> type, Scope scope) {
    return new ApiKind(HasMetadata.getGroup(type), HasMetadata.getVersion(type), HasMetadata.getKind(type),
        HasMetadata.getPlural(type), type, scope);
  }

  /** A custom resource read as {@link GenericKubernetesResource}. */
  public static ApiKind generic(String group, String version, String kind, String plural, Scope scope) {
    return new ApiKind(group, version, kind, plural, GenericKubernetesResource.class, scope);
  }

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public boolean isGeneric() {
    return type == GenericKubernetesResource.class;
  }

  /** Whether an object is of this kind (generic objects carry their kind and apiVersion). */
  public boolean matches(HasMetadata object) {
    return isGeneric() ? kind.equals(object.getKind()) && apiVersion().equals(object.getApiVersion())
        : type.isInstance(object);
  }

  @Override
  public String toString() {
    return plural + (group.isEmpty() ? "" : "." + group) + "/" + version;
  }
}
