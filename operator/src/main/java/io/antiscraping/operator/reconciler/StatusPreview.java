package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.enforcement.EnforcementReport;
import java.time.Instant;

/**
 * The status the reconciler would build from an evaluation and an enforcement report, for tools that run the
 * operator's decisions offline (the {@code test} command). The same {@link StatusBuilder} as the reconciler.
 */
public final class StatusPreview {

  private StatusPreview() {
  }

  /** As after a reconcile without write failures on an installed data plane. */
  public static ScrapingPolicyStatus next(ScrapingPolicy policy, ScrapingPolicyStatus previous, Evaluation evaluation,
                                          EnforcementReport report, Instant now, String targetKind) {
    return StatusBuilder.build(policy, previous, evaluation, report, null, now, targetKind, null).status();
  }

  /** As after a reconcile that found the spec invalid ({@code message}: the validator's violations). */
  public static ScrapingPolicyStatus invalid(ScrapingPolicy policy, ScrapingPolicyStatus previous, String message,
                                             Instant now) {
    return StatusBuilder.invalid(policy, previous, message, now);
  }
}
