package io.antiscraping.operator.enforcement;

import io.antiscraping.api.v1alpha1.Selector;
import java.time.Instant;
import java.util.Comparator;

/**
 * A policy as an enforcer sees it: identity, age and selector. When several policies select the same target the
 * winner is the oldest policy (creationTimestamp), ties broken by name; the others report Conflict.
 */
public record PolicyRef(String namespace, String name, String uid, Instant createdAt, Selector selector,
                        boolean overrideExisting) {

  /** Precedence between policies competing for one target: oldest first, then by name. */
  public static final Comparator<PolicyRef> PRECEDENCE =
      Comparator.comparing(PolicyRef::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(PolicyRef::name);

  public boolean sameAs(PolicyRef other) {
    return namespace.equals(other.namespace) && name.equals(other.name);
  }
}
