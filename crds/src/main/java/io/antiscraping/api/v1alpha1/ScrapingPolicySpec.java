package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@ValidationRule(value = "self.levels.all(l, self.levels.exists_one(m, m.name == l.name))",
    message = "level names must be unique within spec.levels")
@ValidationRule(value = "!has(self.levels[0].when) || size(self.levels[0].when) == 0",
    message = "spec.levels[0] is the baseline and must not have `when` conditions")
@ValidationRule(value = "size(self.levels.filter(l, !has(l.when) || size(l.when) == 0)) == 1",
    message = "every level after the first (the baseline) needs at least one `when` condition")
@ValidationRule(value = "!has(self.signals) || self.signals.all(s, self.signals.exists_one(t, t.name == s.name))",
    message = "signal names must be unique within spec.signals")
@ValidationRule(value = "self.levels.all(l, !has(l.when) || l.when.all(c, has(self.signals) && self.signals.exists(s, s.name == c.signal)))",
    message = "every levels[].when[].signal must name a signal declared in spec.signals")
@ValidationRule(value = "self.levels.all(l, !has(l.when) || l.when.all(c, !has(self.signals) || !self.signals.exists(s, s.name == c.signal && has(s.perClient))))",
    message = "levels[].when[].signal must name a scalar signal (one without perClient); per-client signals drive spec.offenders")
@ValidationRule(value = "!has(self.offenders) || (has(self.signals) && self.signals.exists(s, s.name == self.offenders.signal))",
    message = "spec.offenders.signal must name a signal declared in spec.signals")
@ValidationRule(value = "!has(self.offenders) || !has(self.signals) || !self.signals.exists(s, s.name == self.offenders.signal && !has(s.perClient))",
    message = "spec.offenders.signal must name a per-client signal (one with perClient.label)")
@ValidationRule(value = "!has(self.enforcementCheck) || (has(self.signals) && self.signals.exists(s, s.name == self.enforcementCheck.signal && has(s.perClient)))",
    message = "spec.enforcementCheck.signal must name a per-client signal declared in spec.signals")
@ValidationRule(value = "!has(self.knownGood) || (has(self.signals) && self.signals.exists(s, s.name == self.knownGood.signal && has(s.perClient)))",
    message = "spec.knownGood.signal must name a per-client signal declared in spec.signals")
@ValidationRule(value = "!has(self.levels[0].offenders)",
    message = "spec.levels[0] is the baseline: its offender rule is spec.offenders, not levels[0].offenders")
@ValidationRule(value = "self.levels.all(l, !has(l.offenders) || has(self.offenders))",
    message = "levels[].offenders tightens spec.offenders: set spec.offenders first")
@ValidationRule(value = "!has(self.offenders) || self.levels.all(l, !has(l.offenders) || !has(l.offenders.above) || l.offenders.above <= self.offenders.above)",
    message = "levels[].offenders.above may only tighten the rule: it must be at most spec.offenders.above")
@ValidationRule(value = "self.levels.all(l, !has(l.offenders) || ((!has(l.offenders.prefixAbove) && !has(l.offenders.memberAbove)) || (has(self.offenders) && has(self.offenders.prefixes))))",
    message = "levels[].offenders.prefixAbove and memberAbove need spec.offenders.prefixes")
@ValidationRule(value = "(has(self.targets.provider) && self.targets.provider != 'IngressNginx') || self.levels.all(l, !has(l.routeBudget) || l.routeBudget.requestsPerSecond == 0 || has(l.routeBudget.perClientRequestsPerMinute))",
    message = "on IngressNginx a routeBudget above 0 needs perClientRequestsPerMinute (ingress-nginx has no shared limit)")
public class ScrapingPolicySpec {

  public static final String DEFAULT_EVALUATION_INTERVAL = "30s";
  public static final String DEFAULT_COOLDOWN = "10m";
  public static final String DEFAULT_STALE_AFTER = "5m";
  public static final String DEFAULT_BAN_UPDATE_INTERVAL = "10s";

  @Required
  @JsonPropertyDescription("Which storefront entrypoints this policy protects, and through which data plane.")
  private Targets targets;

  @JsonPropertyDescription("The Prometheus server the signals are evaluated against. When omitted, the operator's "
      + "default (--prometheus-url) is used.")
  private PrometheusSource prometheus;

  @Default(DEFAULT_EVALUATION_INTERVAL)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How often the signals are evaluated and the level decided, as a duration (e.g. 30s, 1m). "
      + "At least 1s.")
  @Builder.Default
  private String evaluationInterval = DEFAULT_EVALUATION_INTERVAL;

  @Size(max = 32)
  @JsonPropertyDescription("Named PromQL instant queries. A scalar signal yields one number; a per-client signal "
      + "(perClient.label set) yields one number per value of that label, for spec.offenders.")
  @Builder.Default
  private List<Signal> signals = new ArrayList<>();

  @Required
  @Size(min = 1, max = 8)
  @JsonPropertyDescription("The escalation ladder, weakest first. The first level is the baseline and has no `when`; "
      + "each later level applies once all its `when` conditions have held for their `for`. The highest such level wins.")
  @Builder.Default
  private List<Level> levels = new ArrayList<>();

  @JsonPropertyDescription("Temporary per-client bans driven by a per-client signal.")
  private Offenders offenders;

  @JsonPropertyDescription("Clients with an established good history, named by a per-client signal: exempt from "
      + "prefix bans and route budgets.")
  private KnownGood knownGood;

  @JsonPropertyDescription("Checks that the data plane applies the operator's writes: a per-client signal of the "
      + "requests still served; a banned client that is still served turns Enforced False (NotTakingEffect).")
  private EnforcementCheck enforcementCheck;

  @Default(DEFAULT_BAN_UPDATE_INTERVAL)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("Write budget: changes of bans, network carve-outs and known-good exemptions reach the "
      + "data plane at most once per this interval per target (every ingress-nginx change reloads nginx). A raised "
      + "level goes out at once and takes the pending changes with it; a lowered level waits for the interval. 0s "
      + "writes every change at once.")
  @Builder.Default
  private String banUpdateInterval = DEFAULT_BAN_UPDATE_INTERVAL;

  @JsonPropertyDescription("Client addresses that are never rate limited and never banned (e.g. your monitoring, "
      + "verified search-engine crawlers, office egress).")
  private Allowlist allowlist;

  @Default(DEFAULT_COOLDOWN)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("De-escalation stabilization window: the level in force is the highest level recommended "
      + "at any evaluation within the last `cooldown`, so the policy relaxes only after the attack has been over this long.")
  @Builder.Default
  private String cooldown = DEFAULT_COOLDOWN;

  @Default("Hold")
  @JsonPropertyDescription("What to do when a signal cannot be evaluated (Prometheus unreachable, empty result, NaN): "
      + "Hold keeps the current level and bans until `staleAfter`, then falls back to the baseline; Baseline falls back at once. "
      + "Missing data never escalates and never bans.")
  @Builder.Default
  private OnMetricsUnavailable onMetricsUnavailable = OnMetricsUnavailable.HOLD;

  @Default(DEFAULT_STALE_AFTER)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("With onMetricsUnavailable=Hold: how long the last decision is kept without fresh metrics.")
  @Builder.Default
  private String staleAfter = DEFAULT_STALE_AFTER;

  @Default("false")
  @JsonPropertyDescription("Compute and report everything (status, events, metrics) but write nothing to the data plane.")
  @Builder.Default
  private boolean dryRun = false;

  public enum OnMetricsUnavailable {
    @JsonProperty("Hold")
    HOLD,
    @JsonProperty("Baseline")
    BASELINE
  }
}
