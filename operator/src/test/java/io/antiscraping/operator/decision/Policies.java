package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.api.v1alpha1.WhenCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Policies for engine tests: a three-step ladder on a scalar signal and a per-client offenders rule. */
final class Policies {

  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private Policies() {
  }

  /**
   * {@code reads} (scalar) drives normal -> elevated (reads > 200 for 2m) -> high (reads > 1000 for 1m);
   * {@code clients} (per-client, label client) drives bans above 20 for 1m, 1h, max 1000, /32 and /64;
   * cooldown 10m, Hold, staleAfter 5m.
   */
  static ScrapingPolicySpec ladder() {
    List<Level> levels = new ArrayList<>();
    levels.add(Level.builder().name("normal")
        .rateLimit(RateLimit.builder().requestsPerSecond(50).burstMultiplier(5).connections(50).build())
        .waf(Waf.builder().mode(Waf.Mode.DETECTION_ONLY).build()).build());
    levels.add(Level.builder().name("elevated")
        .when(new ArrayList<>(List.of(above("reads", 200, "2m"))))
        .rateLimit(RateLimit.builder().requestsPerSecond(10).burstMultiplier(3).build())
        .waf(Waf.builder().mode(Waf.Mode.BLOCKING).coreRuleSet(true).paranoiaLevel(2).build()).build());
    levels.add(Level.builder().name("high")
        .when(new ArrayList<>(List.of(above("reads", 1000, "1m"))))
        .rateLimit(RateLimit.builder().requestsPerMinute(60).build())
        .waf(Waf.builder().mode(Waf.Mode.BLOCKING).coreRuleSet(true).paranoiaLevel(3).build()).build());
    return ScrapingPolicySpec.builder()
        .targets(new Targets())
        .signals(new ArrayList<>(List.of(
            Signal.builder().name("reads").query("sum(rate(reads_total[2m]))").build(),
            Signal.builder().name("clients").query("sum by (client) (rate(requests_total[1m]))")
                .perClient(new Signal.PerClient("client")).build())))
        .levels(levels)
        .offenders(Offenders.builder().signal("clients").above(20.0).forDuration("1m").banFor("1h").build())
        .cooldown("10m")
        .staleAfter("5m")
        .build();
  }

  static WhenCondition above(String signal, double threshold, String forDuration) {
    return WhenCondition.builder().signal(signal).above(threshold).forDuration(forDuration).build();
  }

  static WhenCondition below(String signal, double threshold, String forDuration) {
    return WhenCondition.builder().signal(signal).below(threshold).forDuration(forDuration).build();
  }

  static ScrapingPolicySpec withAllowlist(ScrapingPolicySpec spec, String... cidrs) {
    return spec.toBuilder().allowlist(new Allowlist(new ArrayList<>(List.of(cidrs)))).build();
  }

  static ScrapingPolicySpec withOffenders(ScrapingPolicySpec spec, java.util.function.UnaryOperator<Offenders> edit) {
    return spec.toBuilder().offenders(edit.apply(spec.getOffenders().toBuilder().build())).build();
  }
}
