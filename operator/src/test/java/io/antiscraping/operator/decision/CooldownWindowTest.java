package io.antiscraping.operator.decision;

import static io.antiscraping.operator.decision.Policies.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.operator.decision.EngineState.Recommendation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stabilisation window on its own: the ladder's levels (normal, elevated, high) and a 10 minute cooldown. */
class CooldownWindowTest {

  private final CompiledPolicy policy = CompiledPolicy.of(Policies.ladder(), List.of());

  @Test
  void theLevelIsTheHighestRecommendedWithinTheCooldown() {
    CooldownWindow w = new CooldownWindow(policy, List.of(new Recommendation("high", T0)), T0.plusSeconds(60));
    w.record(1, T0.plusSeconds(60));
    assertThat(w.level()).isEqualTo(2);
    assertThat(w.remembered()).containsExactly(new Recommendation("high", T0),
        new Recommendation("elevated", T0.plusSeconds(60)));
  }

  @Test
  void anEntryLeavesTheWindowOnceTheCooldownHasPassedExactly() {
    Duration cooldown = Duration.ofMinutes(10);
    CooldownWindow inside = new CooldownWindow(policy, List.of(new Recommendation("high", T0)),
        T0.plus(cooldown).minusMillis(1));
    assertThat(inside.level()).isEqualTo(2);
    CooldownWindow outside = new CooldownWindow(policy, List.of(new Recommendation("high", T0)), T0.plus(cooldown));
    assertThat(outside.level()).isZero();
    assertThat(outside.remembered()).isEmpty();
  }

  @Test
  void aLaterEntryAtTheSameOrAHigherLevelSupersedesAnEarlierOneAndTheBaselineIsNeverRemembered() {
    CooldownWindow w = new CooldownWindow(policy, List.of(), T0);
    w.record(1, T0);
    w.record(2, T0.plusSeconds(10));
    w.record(1, T0.plusSeconds(20));
    w.record(1, T0.plusSeconds(30));
    w.record(0, T0.plusSeconds(40));
    assertThat(w.remembered()).containsExactly(new Recommendation("high", T0.plusSeconds(10)),
        new Recommendation("elevated", T0.plusSeconds(30)));
  }

  @Test
  void levelsNoLongerInThePolicyAndFutureTimesAreMendedOnTheWayIn() {
    CooldownWindow w = new CooldownWindow(policy, List.of(new Recommendation("lockdown", T0),
        new Recommendation("elevated", T0.plusSeconds(600))), T0.plusSeconds(5));
    assertThat(w.remembered()).containsExactly(new Recommendation("elevated", T0.plusSeconds(5)));
  }

  @Test
  void clearingForgetsEverything() {
    CooldownWindow w = new CooldownWindow(policy, List.of(new Recommendation("high", T0)), T0.plusSeconds(1));
    w.clear();
    assertThat(w.level()).isZero();
    assertThat(w.remembered()).isEmpty();
  }
}
