package io.antiscraping.operator.enforcement;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A data plane whose enforcement is objects of the operator's own (Envoy Gateway policies, Traefik middlewares):
 * custom resources a cluster may lack, and a target is the policy's when it carries the policy's label.
 */
public interface OwnObjectsEnforcer extends Enforcer {

  @Override
  default boolean optional() {
    return true;
  }

  @Override
  default boolean ownedBy(HasMetadata target, String policyName) {
    return OwnedObjects.labelledFor(target, policyName);
  }
}
