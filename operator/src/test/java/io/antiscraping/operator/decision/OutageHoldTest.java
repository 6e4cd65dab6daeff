package io.antiscraping.operator.decision;

import static io.antiscraping.operator.decision.Policies.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.operator.decision.EngineState.Recommendation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The outage hold on its own: the ladder (Hold, staleAfter 5m), previously at high with good metrics at T0. */
class OutageHoldTest {

  private static EngineState highAt(Instant lastGood, Instant unavailableSince) {
    return new EngineState("high", T0, List.of(new Recommendation("high", T0)), Map.of(), null, Map.of(), Map.of(),
        Map.of(), lastGood, unavailableSince, lastGood);
  }

  private static CompiledPolicy policy(ScrapingPolicySpec spec) {
    return CompiledPolicy.of(spec, List.of());
  }

  @Test
  void withinStaleAfterTheLevelInForceIsHeldAndRecorded() {
    CompiledPolicy p = policy(Policies.ladder());
    Instant now = T0.plusSeconds(299);
    OutageHold h = OutageHold.at(p, highAt(T0, null), false, 2, now);
    assertThat(h.held()).isTrue();
    assertThat(h.startedNow()).isTrue();
    assertThat(h.unavailableSince()).isEqualTo(now);
    assertThat(h.lastGood()).isEqualTo(T0);
    assertThat(h.consequence()).startsWith("holding level high and bans until " + T0.plusSeconds(300));
    CooldownWindow w = new CooldownWindow(p, List.of(), now);
    h.record(w, 0, 2, now);
    assertThat(w.remembered()).containsExactly(new Recommendation("high", now));
  }

  @Test
  void pastStaleAfterTheBaselineAppliesAndTheHistoryIsCleared() {
    CompiledPolicy p = policy(Policies.ladder());
    Instant now = T0.plusSeconds(300);
    OutageHold h = OutageHold.at(p, highAt(T0, T0.plusSeconds(10)), false, 2, now);
    assertThat(h.held()).isFalse();
    assertThat(h.startedNow()).isFalse();
    assertThat(h.unavailableSince()).isEqualTo(T0.plusSeconds(10));
    assertThat(h.consequence()).startsWith("baseline normal applies: no good metrics since " + T0);
    CooldownWindow w = new CooldownWindow(p, List.of(new Recommendation("high", T0.plusSeconds(200))), now);
    h.record(w, 0, 2, now);
    assertThat(w.level()).isZero();
  }

  @Test
  void onMetricsUnavailableBaselineNeverHolds() {
    CompiledPolicy p = policy(Policies.ladder().toBuilder()
        .onMetricsUnavailable(io.antiscraping.api.v1alpha1.ScrapingPolicySpec.OnMetricsUnavailable.BASELINE).build());
    OutageHold h = OutageHold.at(p, highAt(T0, null), false, 2, T0.plusSeconds(1));
    assertThat(h.held()).isFalse();
    assertThat(h.consequence()).contains("onMetricsUnavailable=Baseline");
  }

  @Test
  void recoveryReportsWhenTheOutageStartedAndRecordsTheRecommendation() {
    CompiledPolicy p = policy(Policies.ladder());
    Instant now = T0.plusSeconds(120);
    OutageHold h = OutageHold.at(p, highAt(T0, T0.plusSeconds(30)), true, 2, now);
    assertThat(h.available()).isTrue();
    assertThat(h.recoveredFrom()).isEqualTo(T0.plusSeconds(30));
    assertThat(h.unavailableSince()).isNull();
    assertThat(h.lastGood()).isEqualTo(now);
    assertThat(h.consequence()).isEmpty();
    CooldownWindow w = new CooldownWindow(p, List.of(), now);
    h.record(w, 1, 2, now);
    assertThat(w.remembered()).containsExactly(new Recommendation("elevated", now));
  }
}
