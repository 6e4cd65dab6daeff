package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.EnforcementPlan.RateLimits;
import io.antiscraping.operator.decision.EnforcementPlan.WafSettings;
import io.antiscraping.operator.decision.MetricsHealth;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.EnforcementReport.TargetResult;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Ready/Degraded aggregate of {@link StatusBuilder}, from hand-made evaluations and reports. */
class StatusBuilderTest {

  static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
  static final String SUSPECTS = "1 internal client address(es) that no ban may cover (never-banned, or private and "
      + "allowlisted) are above the offender bar: 10.1.2.3 (bar 5)";
  static final EnforcementReport ENFORCED = new EnforcementReport(List.of(new TargetResult("Ingress", "profiles",
      true, "level normal enforced")), List.of(), List.of(), List.of(), 1);

  static ScrapingPolicy policy(boolean dryRun) throws Exception {
    ScrapingPolicy p = LiveEvaluatorTest.example("http://prometheus-operated.monitoring:9090");
    p.setMetadata(new ObjectMetaBuilder().withName("storefront").withNamespace("shop").withGeneration(1L).build());
    p.getSpec().setDryRun(dryRun);
    return p;
  }

  static Evaluation evaluation(String suspects) {
    return new Evaluation(new EnforcementPlan("normal", RateLimits.NONE, WafSettings.DISABLED, List.of(), List.of()),
        0, s -> { }, List.of(), new MetricsHealth(true, MetricsHealth.EVALUATED, "every signal was evaluated"),
        false, null, false, suspects.isEmpty() ? 0 : 1, suspects, null);
  }

  static StatusCondition condition(ScrapingPolicyStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  /**
   * Issue S: a policy whose client addresses are suspect (an address that no ban may cover, a proxy or a node, is
   * above the offender bar: it stands for many clients, and a real-IP misconfiguration is likely) read as healthy
   * everywhere. It is in force, so Ready stays True, but Degraded says so, with the suspects.
   */
  @Test
  void suspectClientAddressesDegradeAPolicyThatIsInForce() throws Exception {
    for (boolean dryRun : new boolean[] {false, true}) {
      ScrapingPolicyStatus s = StatusBuilder.build(policy(dryRun), new ScrapingPolicyStatus(), evaluation(SUSPECTS),
          ENFORCED, null, NOW, "Ingress", null).status();
      assertThat(condition(s, Conditions.CLIENT_ADDRESSES_SUSPECT).getStatus()).isEqualTo("True");
      assertThat(condition(s, Conditions.READY).getStatus()).as("in force").isEqualTo("True");
      StatusCondition degraded = condition(s, Conditions.DEGRADED);
      assertThat(degraded.getStatus()).as("dry run %s", dryRun).isEqualTo("True");
      assertThat(degraded.getReason()).isEqualTo("ClientAddressesSuspect");
      assertThat(degraded.getMessage()).contains(SUSPECTS);
    }

    ScrapingPolicyStatus healthy = StatusBuilder.build(policy(false), new ScrapingPolicyStatus(), evaluation(""),
        ENFORCED, null, NOW, "Ingress", null).status();
    assertThat(condition(healthy, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(condition(healthy, Conditions.READY).getStatus()).isEqualTo("True");

    EnforcementReport conflict = new EnforcementReport(List.of(new TargetResult("Ingress", "profiles", false,
        "held by policy older")), List.of("Ingress profiles is also selected by policy older"), List.of(), List.of(), 0);
    ScrapingPolicyStatus both = StatusBuilder.build(policy(false), new ScrapingPolicyStatus(), evaluation(SUSPECTS),
        conflict, null, NOW, "Ingress", null).status();
    assertThat(condition(both, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(both, Conditions.DEGRADED).getReason()).isEqualTo("Degraded");
    assertThat(condition(both, Conditions.DEGRADED).getMessage()).contains("ClientAddressesSuspect");
  }
}
