package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import java.time.Instant;

/** Detection and decision for one policy: what level and bans are in force now. */
public interface PolicyEvaluator {

  /**
   * @param policy   a validated policy
   * @param previous the last status written (never null; may be empty)
   * @param now      the evaluation time
   */
  Evaluation evaluate(ScrapingPolicy policy, ScrapingPolicyStatus previous, Instant now);

  /**
   * Why the operator's own rules (set by the admin) refuse a validated policy, e.g. a Prometheus outside the
   * allowlist: the policy is then Invalid. Empty when it may run.
   */
  default java.util.Optional<String> refusal(ScrapingPolicy policy) {
    return java.util.Optional.empty();
  }

  /** Drops what the evaluator remembers of a deleted policy. */
  default void forget(ScrapingPolicy policy) {
  }
}
