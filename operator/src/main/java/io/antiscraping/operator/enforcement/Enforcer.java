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
   * @param candidates the target-type objects in the policy's namespace (from the informer cache)
   * @param plan       what must be in force
   * @param dryRun     compute and report, write nothing
   */
  EnforcementReport enforce(PolicyRef policy, List<PolicyRef> competing, List<? extends HasMetadata> candidates,
                            EnforcementPlan plan, boolean dryRun);

  /** Removes everything this operator wrote for the policy (policy deleted, or switched to dry run). */
  EnforcementReport cleanup(PolicyRef policy, List<? extends HasMetadata> candidates);

  /** Whether a target object is one this policy has written to (so that its changes are routed to the policy). */
  boolean ownedBy(HasMetadata target, String policyName);
}
