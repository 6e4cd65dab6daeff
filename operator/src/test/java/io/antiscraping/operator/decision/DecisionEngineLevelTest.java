package io.antiscraping.operator.decision;

import static io.antiscraping.operator.decision.Policies.above;
import static io.antiscraping.operator.decision.Policies.below;
import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Level semantics, table-driven. Each step is {@code <seconds> <reads> <expected level>}; {@code reads} is a number,
 * {@code NaN}, {@code Inf} or {@code -} (signal unavailable). The ladder: elevated when reads > 200 for 2m, high when
 * reads > 1000 for 1m, cooldown 10m, Hold with staleAfter 5m (see {@link Policies#ladder()}).
 */
class DecisionEngineLevelTest {

  static Stream<Arguments> scenarios() {
    UnaryOperator<ScrapingPolicySpec> same = s -> s;
    return Stream.of(
        scenario("quiet traffic stays at the baseline", same,
            "0 10 normal | 60 150 normal | 600 200 normal"),
        scenario("the comparison is strict: equal to the threshold never counts", same,
            "0 200 normal | 120 200 normal | 240 200 normal"),
        scenario("a condition holds only once true for its whole `for`", same,
            "0 250 normal | 60 250 normal | 119 250 normal | 120 250 elevated"),
        scenario("a false evaluation restarts the clock", same,
            "0 250 normal | 60 150 normal | 90 250 normal | 180 250 normal | 210 250 elevated"),
        scenario("escalation goes straight to the highest level that holds", same,
            "0 5000 normal | 59 5000 normal | 60 5000 high"),
        scenario("each level keeps its own clock: high needs its 1m, elevated its 2m", same,
            "0 250 normal | 60 1500 normal | 120 1500 high"),
        scenario("de-escalation waits for the cooldown after the last recommendation", same,
            "0 250 normal | 120 250 elevated | 150 10 elevated | 719 10 elevated | 720 10 normal"),
        scenario("the window is strict: a recommendation exactly `cooldown` old no longer counts", same,
            "0 250 normal | 120 250 elevated | 720 10 normal"),
        scenario("from high, step down to a level recommended within the window, then to the baseline", same,
            "0 5000 normal | 60 5000 high | 120 500 high | 300 500 high | 659 500 high | 660 500 elevated "
                + "| 899 10 elevated | 1259 10 elevated | 1260 10 normal"),
        scenario("a renewed attack inside the cooldown extends the window once its `for` holds again", same,
            "0 250 normal | 120 250 elevated | 180 10 elevated | 240 250 elevated | 360 250 elevated "
                + "| 780 10 elevated | 960 10 normal"),
        scenario("cooldown 0 relaxes at once", s -> s.toBuilder().cooldown("0s").build(),
            "0 250 normal | 120 250 elevated | 121 10 normal"),
        scenario("NaN never escalates", same,
            "0 250 normal | 60 NaN normal | 120 250 normal | 239 250 normal | 240 250 elevated"),
        scenario("infinity never escalates", same,
            "0 Inf normal | 60 Inf normal | 120 Inf normal | 600 Inf normal"),
        scenario("a missing signal never escalates and does not accumulate `for`", same,
            "0 250 normal | 60 - normal | 120 - normal | 150 250 normal | 269 250 normal | 270 250 elevated"),
        scenario("Hold keeps the level until staleAfter since the last good metrics, then the baseline", same,
            "0 250 normal | 120 250 elevated | 150 - elevated | 419 - elevated | 420 - normal | 480 - normal"),
        scenario("Hold: a short outage does not relax; the cooldown restarts from the held evaluations", same,
            "0 250 normal | 120 250 elevated | 180 - elevated | 300 - elevated | 360 10 elevated | 899 10 elevated "
                + "| 900 10 normal"),
        scenario("Hold: the held level is not raised even if conditions held before the outage", same,
            "0 5000 normal | 30 - normal | 60 - normal | 90 5000 normal"),
        scenario("Baseline: the baseline applies at once and history is forgotten",
            s -> s.toBuilder().onMetricsUnavailable(ScrapingPolicySpec.OnMetricsUnavailable.BASELINE).build(),
            "0 250 normal | 120 250 elevated | 150 - normal | 180 10 normal | 240 250 normal | 359 250 normal "
                + "| 360 250 elevated"),
        scenario("Hold after staleAfter: recovery does not jump back to the level recommended before the outage",
            same, "0 250 normal | 120 250 elevated | 130 - elevated | 430 - normal | 440 10 normal"),
        scenario("below: holds while strictly less than the threshold",
            s -> s.toBuilder().levels(new ArrayList<>(List.of(s.getLevels().get(0),
                Level.builder().name("quiet").when(new ArrayList<>(List.of(below("reads", 5, "30s")))).build())))
                .build(),
            "0 5 normal | 30 5 normal | 40 4 normal | 69 4 normal | 70 4 quiet | 80 6 quiet"));
  }

  private static Arguments scenario(String name, UnaryOperator<ScrapingPolicySpec> edit, String steps) {
    return Arguments.of(name, edit, steps);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void levelInForce(String name, UnaryOperator<ScrapingPolicySpec> edit, String steps) {
    Run run = new Run(edit.apply(Policies.ladder()));
    for (String step : steps.split("\\|")) {
      String[] p = step.trim().split("\\s+");
      long t = Long.parseLong(p[0]);
      Double v = switch (p[1]) {
        case "-" -> null;
        case "NaN" -> Double.NaN;
        case "Inf" -> Double.POSITIVE_INFINITY;
        default -> Double.parseDouble(p[1]);
      };
      Decision d = run.at(t, v == null ? Run.readings(null, null) : Run.reads(v));
      assertThat(d.next().level()).as("%s: at t=%ss with reads=%s", name, t, p[1]).isEqualTo(p[2]);
      assertThat(d.plan().level()).isEqualTo(p[2]);
    }
  }

  @Test
  void allConditionsOfALevelMustHold() {
    ScrapingPolicySpec spec = Policies.ladder();
    spec.getSignals().add(Signal.builder().name("errors").query("sum(rate(errors_total[1m]))").build());
    spec.getLevels().get(1).setWhen(new ArrayList<>(List.of(above("reads", 200, "0s"), above("errors", 5, "0s"))));
    Run run = new Run(spec);
    assertThat(run.at(0, Readings.builder().scalar("reads", 300).scalar("errors", 1).perClient("clients",
        java.util.Map.of()).build()).next().level()).isEqualTo("normal");
    Decision d = run.at(30, Readings.builder().scalar("reads", 300).scalar("errors", 6).perClient("clients",
        java.util.Map.of()).build());
    assertThat(d.next().level()).isEqualTo("elevated");
    assertThat(d.events()).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("LevelRaised");
      assertThat(e.warning()).isTrue();
      assertThat(e.message()).isEqualTo("Level raised from normal to elevated: reads=300 > 200 for 0s, "
          + "errors=6 > 5 for 0s");
    });
  }

  @Test
  void levelSinceMovesOnlyWhenTheLevelChanges() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.reads(250));
    run.at(120, Run.reads(250));
    assertThat(run.state.levelSince()).isEqualTo(Policies.T0.plusSeconds(120));
    run.at(180, Run.reads(250));
    assertThat(run.state.levelSince()).isEqualTo(Policies.T0.plusSeconds(120));
    run.at(900, Run.reads(1));
    assertThat(run.state.levelSince()).isEqualTo(Policies.T0.plusSeconds(900));
  }

  @Test
  void eventsSayWhatChangedAndWhy() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.reads(250));
    assertThat(run.at(120, Run.reads(250.5)).events()).extracting(DecisionEvent::message)
        .containsExactly("Level raised from normal to elevated: reads=250.5 > 200 for 2m");
    Decision lowered = run.at(720, Run.reads(12));
    assertThat(lowered.events()).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("LevelLowered");
      assertThat(e.warning()).isFalse();
      assertThat(e.message()).isEqualTo("Level lowered from elevated to normal: no evaluation within the last 10m "
          + "(cooldown) recommended elevated or higher; now recommended: normal (reads=12)");
    });
  }

  @Test
  void metricsUnavailableIsReportedOnceAndRecoveryToo() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.reads(250));
    run.at(120, Run.reads(250));
    Decision down = run.at(150, Run.readings(null, null));
    assertThat(down.metrics().available()).isFalse();
    assertThat(down.metrics().reason()).isEqualTo("SignalsUnavailable");
    assertThat(down.metrics().message()).startsWith("signal reads: Prometheus unreachable: connection refused; "
        + "holding level elevated and bans until 2026-03-01T12:07:00Z");
    assertThat(down.events()).extracting(DecisionEvent::reason).containsExactly("MetricsUnavailable");
    assertThat(down.events().get(0).warning()).isTrue();
    assertThat(run.at(180, Run.readings(null, null)).events()).isEmpty();
    Decision stale = run.at(420, Run.readings(null, null));
    assertThat(stale.events()).extracting(DecisionEvent::reason).containsExactly("LevelLowered");
    assertThat(stale.events().get(0).message()).contains("baseline normal applies: no good metrics since "
        + "2026-03-01T12:02:00Z (staleAfter 5m)");
    Decision up = run.at(450, Run.reads(1));
    assertThat(up.metrics().available()).isTrue();
    assertThat(up.events()).extracting(DecisionEvent::reason).containsExactly("MetricsRecovered");
    assertThat(up.events().get(0).message()).isEqualTo("Metrics available again after 5m (unavailable since "
        + "2026-03-01T12:02:30Z)");
  }

  @Test
  void anUnusedSignalFailingDoesNotMakeMetricsUnavailable() {
    ScrapingPolicySpec spec = Policies.ladder();
    spec.getSignals().add(Signal.builder().name("info").query("vector(1)").build());
    Run run = new Run(spec);
    Decision d = run.at(0, Readings.builder().scalar("reads", 1).perClient("clients", java.util.Map.of())
        .unavailable("info", "empty result").build());
    assertThat(d.metrics().available()).isTrue();
    assertThat(d.metrics().message()).contains("signal info (unused): empty result");
    assertThat(d.signals()).extracting(SignalSummary::name, SignalSummary::error)
        .contains(org.assertj.core.groups.Tuple.tuple("info", "empty result"));
  }

  @Test
  void aReadingOfTheWrongShapeIsUnavailable() {
    Run run = new Run(Policies.ladder());
    Decision d = run.at(0, Readings.builder().perClient("reads", java.util.Map.of("1.2.3.4", 500.0))
        .scalar("clients", 3).build());
    assertThat(d.metrics().available()).isFalse();
    assertThat(d.signals()).extracting(SignalSummary::error).containsExactly(
        "expected a single value, got one value per client",
        "expected one value per client (label client), got a single value");
  }

  @Test
  void aLevelRenamedInTheSpecFallsBackToTheBaseline() {
    Run run = new Run(Policies.ladder());
    run.at(0, Run.reads(250));
    run.at(120, Run.reads(250));
    run.spec.getLevels().get(1).setName("raised");
    Decision d = run.at(150, Run.reads(250));
    assertThat(d.next().level()).isEqualTo("normal");
    assertThat(d.events()).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("LevelLowered");
      assertThat(e.message()).isEqualTo("Level elevated is no longer in spec.levels; level in force: normal");
    });
    assertThat(run.at(269, Run.reads(250)).next().level()).isEqualTo("normal");
    assertThat(run.at(270, Run.reads(250)).next().level()).isEqualTo("raised");
  }
}
