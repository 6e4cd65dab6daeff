package io.antiscraping.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.KnownGood;
import io.antiscraping.api.v1alpha1.LevelOffenders;
import io.antiscraping.api.v1alpha1.NetworkAggregation;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.RouteBudget;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Targets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The validator's checks of the aggregate defenses, each with the field path a user sees. */
class AggregateRulesValidationTest {

  static List<String> violations(Consumer<ScrapingPolicySpec> change) {
    return PolicyValidatorTest.violations(change);
  }

  static PrefixAggregation prefixes() {
    return PrefixAggregation.builder().above(1.0).build();
  }

  @Test
  void aFullAggregateConfigurationIsValid() {
    assertThat(violations(s -> {
      s.getOffenders().setPrefixes(prefixes());
      s.setKnownGood(KnownGood.builder().signal("client-rate").build());
      s.getLevels().get(1).setOffenders(LevelOffenders.builder().above(1.0).forDuration("30s").banFor("5m")
          .prefixAbove(0.5).memberAbove(0.0).build());
      s.getLevels().get(1).setRouteBudget(RouteBudget.builder().requestsPerSecond(0).build());
      s.setBanUpdateInterval("15s");
    })).isEmpty();
  }

  @Test
  void aPurityShareOutsideZeroToOneIsRejected() {
    assertThat(violations(s -> s.getOffenders().setPrefixes(prefixes().toBuilder().minSuspiciousShare(1.5).build())))
        .containsExactly("spec.offenders.prefixes.minSuspiciousShare: is a share: it must be between 0 and 1, was 1.5");
    assertThat(violations(s -> s.getOffenders().setPrefixes(prefixes().toBuilder().minSuspiciousShare(-0.1).build())))
        .hasSize(1);
  }

  @Test
  void prefixLengthsBroaderThanTheSafetyMinimumAreRejected() {
    assertThat(violations(s -> s.getOffenders().setPrefixes(prefixes().toBuilder().ipv4PrefixLength(15).build())))
        .containsExactly("spec.offenders.prefixes.ipv4PrefixLength: must be between 16 and 32, was 15");
    assertThat(violations(s -> s.getOffenders().setPrefixes(prefixes().toBuilder().ipv6PrefixLength(31).build())))
        .containsExactly("spec.offenders.prefixes.ipv6PrefixLength: must be between 32 and 128, was 31");
  }

  @Test
  void anAggregationPrefixNotBroaderThanTheClientBanOverlapsIt() {
    assertThat(violations(s -> {
      s.getOffenders().setIpv4PrefixLength(24);
      s.getOffenders().setPrefixes(prefixes().toBuilder().ipv4PrefixLength(24).build());
    })).singleElement().asString().startsWith("spec.offenders.prefixes.ipv4PrefixLength: must be broader");
  }

  @Test
  void aLevelRuleMayOnlyTightenTheRuleBelowIt() {
    assertThat(violations(s -> s.getLevels().get(1).setOffenders(LevelOffenders.builder().above(9.0).build())))
        .containsExactly("spec.levels[1].offenders.above: may only tighten spec.offenders: must be at most 5.0, was 9.0");
    assertThat(violations(s -> s.getLevels().get(1).setOffenders(LevelOffenders.builder().forDuration("5m").build())))
        .containsExactly("spec.levels[1].offenders.for: may only tighten spec.offenders: must be at most 1m, was 5m");
  }

  @Test
  void aHigherLevelMayNotBeLooserThanALowerOne() {
    assertThat(violations(s -> {
      s.getLevels().add(s.getLevels().get(1).toBuilder().name("severe").build());
      s.getLevels().get(1).setOffenders(LevelOffenders.builder().above(1.0).build());
      s.getLevels().get(2).setOffenders(LevelOffenders.builder().above(3.0).build());
    })).containsExactly("spec.levels[2].offenders.above: may only tighten the rule in force at the levels below: "
        + "must be at most 1.0, was 3.0");
  }

  @Test
  void levelRulesNeedTheirBaseRules() {
    assertThat(violations(s -> s.getLevels().get(0).setOffenders(LevelOffenders.builder().above(1.0).build())))
        .containsExactly("spec.levels[0].offenders: the baseline's offender rule is spec.offenders; levels[0] must "
            + "not have one");
    assertThat(violations(s -> {
      s.setOffenders(null);
      s.getLevels().get(1).setOffenders(LevelOffenders.builder().above(1.0).build());
    })).containsExactly("spec.levels[1].offenders: tightens spec.offenders, which is not set");
    assertThat(violations(s -> s.getLevels().get(1).setOffenders(LevelOffenders.builder().prefixAbove(1.0).build())))
        .containsExactly("spec.levels[1].offenders: prefixAbove and memberAbove need spec.offenders.prefixes");
  }

  @Test
  void knownGoodNeedsADeclaredPerClientSignal() {
    assertThat(violations(s -> s.setKnownGood(KnownGood.builder().signal("rps").build())))
        .containsExactly("spec.knownGood.signal: \"rps\" is a scalar signal; known-good clients need a per-client "
            + "signal (set perClient.label)");
    assertThat(violations(s -> s.setKnownGood(KnownGood.builder().signal("nope").build())))
        .containsExactly("spec.knownGood.signal: \"nope\" is not declared in spec.signals");
    assertThat(violations(s -> s.setKnownGood(KnownGood.builder().signal("client-rate").maxClients(9000).build())))
        .containsExactly("spec.knownGood.maxClients: must be between 1 and 5000, was 9000");
  }

  @Test
  void aRouteBudgetAboveZeroNeedsAPerAddressLimitOnIngressNginxOnly() {
    assertThat(violations(s -> s.getLevels().get(1).setRouteBudget(RouteBudget.builder().requestsPerSecond(50).build())))
        .singleElement().asString()
        .startsWith("spec.levels[1].routeBudget.perClientRequestsPerMinute: is required on IngressNginx");
    assertThat(violations(s -> {
      s.getTargets().setProvider(Targets.Provider.ENVOY_GATEWAY);
      s.getLevels().get(1).setRouteBudget(RouteBudget.builder().requestsPerSecond(50).build());
    })).isEmpty();
    assertThat(violations(s -> s.getLevels().get(1).setRouteBudget(RouteBudget.builder().requestsPerSecond(-1).build())))
        .containsExactly("spec.levels[1].routeBudget.requestsPerSecond: must be between 0 and 1000000, was -1");
  }

  @Test
  void theBanUpdateIntervalIsBounded() {
    assertThat(violations(s -> s.setBanUpdateInterval("1h")))
        .containsExactly("spec.banUpdateInterval: must be at most 10m, was 1h");
    assertThat(violations(s -> s.setBanUpdateInterval("soon"))).hasSize(1);
  }

  static NetworkAggregation networks() {
    return NetworkAggregation.builder().fromLevel("elevated").signal("client-rate").above(5.0).shoppers("client-rate")
        .build();
  }

  @Test
  void networkBansNeedALevelAboveTheBaselineAndPerClientSignals() {
    assertThat(violations(s -> s.getOffenders().setNetworks(networks()))).isEmpty();
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().fromLevel("normal").build())))
        .containsExactly("spec.offenders.networks.fromLevel: \"normal\" is the baseline; network bans act on the "
            + "aggregate and need a level above it");
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().fromLevel("severe").build())))
        .containsExactly("spec.offenders.networks.fromLevel: \"severe\" is not a level in spec.levels");
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().fromLevel(null).build())))
        .hasSize(1).allMatch(v -> v.startsWith("spec.offenders.networks.fromLevel: is required"));
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().signal("rps").shoppers("nope")
        .build()))).containsExactly(
        "spec.offenders.networks.signal: \"rps\" is a scalar signal; network bans need a per-client signal (set "
            + "perClient.label)",
        "spec.offenders.networks.shoppers: \"nope\" is not declared in spec.signals");
  }

  @Test
  void networkLengthsPurityAndCarveOutsAreBounded() {
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().ipv4PrefixLength(15)
        .ipv6PrefixLength(31).build()))).containsExactly(
        "spec.offenders.networks.ipv4PrefixLength: must be between 16 and 31, was 15",
        "spec.offenders.networks.ipv6PrefixLength: must be between 32 and 127, was 31");
    assertThat(violations(s -> {
      s.getOffenders().setPrefixes(prefixes().toBuilder().ipv4PrefixLength(16).build());
      s.getOffenders().setNetworks(networks());
    })).containsExactly("spec.offenders.networks.ipv4PrefixLength: must be broader (shorter) than "
        + "spec.offenders.prefixes.ipv4PrefixLength (16); was 16");
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().minSuspiciousShare(1.1)
        .maxCarveOuts(257).build()))).containsExactly(
        "spec.offenders.networks.minSuspiciousShare: is a share: it must be between 0 and 1, was 1.1",
        "spec.offenders.networks.maxCarveOuts: must be between 0 and 256, was 257");
    assertThat(violations(s -> s.getOffenders().setNetworks(networks().toBuilder().above(null).banFor("0s").build())))
        .containsExactly("spec.offenders.networks.above: is required", "spec.offenders.networks.banFor: must be "
            + "greater than 0");
  }
}
