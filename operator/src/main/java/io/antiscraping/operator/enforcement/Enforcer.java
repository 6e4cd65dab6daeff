package io.antiscraping.operator.enforcement;

import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * One data plane. The reconciler hands it the plan computed for a policy; it turns the plan into Kubernetes writes
 * under field manager {@value #FIELD_MANAGER}, touching only what the operator owns, and reports back.
 * Adding a data plane means one implementation in its own package plus one registration line in the CLI.
 */
public interface Enforcer {

  String FIELD_MANAGER = "antiscraping-operator";

  /** The provider value (spec.targets.provider) this enforcer serves. */
  Targets.Provider provider();

  /** The kind of object the policy's selector selects (watched so that new or relabelled targets are picked up). */
  Class<? extends HasMetadata> targetType();

  /**
   * Applies the plan.
   *
   * @param policy     the policy being enforced
   * @param competing  every live policy of this provider in the policy's namespace, including {@code policy}
   * @param candidates the objects of every kind in {@link #kinds()} in the policy's namespace (every watched
   *                   namespace for {@link ApiKind.Scope#ALL_NAMESPACES}), from the informer caches
   * @param plan       what must be in force
   * @param dryRun     compute and report, write nothing
   */
  EnforcementReport enforce(PolicyRef policy, List<PolicyRef> competing, List<? extends HasMetadata> candidates,
                            EnforcementPlan plan, boolean dryRun);

  /** Removes everything this operator wrote for the policy (switched to dry run or to another provider). */
  EnforcementReport cleanup(PolicyRef policy, List<? extends HasMetadata> candidates);

  /**
   * What the policy's deletion takes back (its finalizer runs this): by default {@link #cleanup}. Objects the policy
   * owns through a controller reference need no write: the garbage collector deletes them after the policy.
   */
  default EnforcementReport deleted(PolicyRef policy, List<? extends HasMetadata> candidates) {
    return cleanup(policy, candidates);
  }

  /** Whether a target object is one this policy has written to (so that its changes are routed to the policy). */
  boolean ownedBy(HasMetadata target, String policyName);

  /** The target kind as users know it, for status messages ("selects no HTTPRoute"). */
  default String targetKind() {
    return HasMetadata.getKind(targetType());
  }

  /**
   * Every kind this enforcer reads, its targets first: the reconciler watches each one and passes the objects of all
   * of them as {@code candidates} to {@link #enforce} and {@link #cleanup}. Besides the targets, a data plane with
   * objects of its own lists them here, and the objects that compete with them.
   */
  default List<ApiKind> kinds() {
    return List.of(ApiKind.of(targetType(), ApiKind.Scope.SELECTED));
  }

  /**
   * Whether {@link #kinds()} are custom resources a cluster may lack: the reconciler then checks, once at startup,
   * that the API server serves them and that the operator may list and watch them, and watches them only if so.
   * Otherwise the provider's policies report {@code ProviderNotInstalled} or {@code ProviderNotPermitted} and the
   * rest of the operator runs on.
   */
  default boolean optional() {
    return false;
  }

  /**
   * What switching the policy to dry run takes back: by default everything ({@link #cleanup}). A data plane whose
   * objects others reference (and that must therefore keep existing) can instead leave them in a neutral form.
   */
  default EnforcementReport suspend(PolicyRef policy, List<? extends HasMetadata> candidates) {
    return cleanup(policy, candidates);
  }
}
