package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.KnownGood;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.LevelOffenders;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.RouteBudget;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import io.antiscraping.operator.decision.EngineState.PrefixEvidence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Aggregate defenses: level-scoped offender rules, prefix aggregation with purity, known-good clients, route budgets
 * and the write budget. The ladder: normal -> elevated (reads > 200 for 2m) -> high (reads > 1000 for 1m); per-client
 * bar 20 for 1m, banFor 1h.
 */
class DecisionEngineAggregateTest {

  static final String PREFIX = "198.51.100.";

  /** The ladder with a prefix rule: /24 sums above 15 for 30s, members above 1, 80 % suspicious, 3 members. */
  static ScrapingPolicySpec withPrefixes() {
    ScrapingPolicySpec spec = Policies.withOffenders(Policies.ladder(), o -> {
      o.setPrefixes(PrefixAggregation.builder().above(15.0).forDuration("30s").memberAbove(1.0)
          .minSuspiciousShare(0.8).minMembers(3).banFor("20m").build());
      return o;
    });
    return withKnownGood(spec);
  }

  /** Adds the per-client signal {@code good} and spec.knownGood on it (above 0). */
  static ScrapingPolicySpec withKnownGood(ScrapingPolicySpec spec) {
    List<Signal> signals = new ArrayList<>(spec.getSignals());
    signals.add(Signal.builder().name("good").query("sum by (client) (rate(views_total[10m]))")
        .perClient(new Signal.PerClient("client")).build());
    return spec.toBuilder().signals(signals).knownGood(KnownGood.builder().signal("good").build()).build();
  }

  static ScrapingPolicySpec withLevel(ScrapingPolicySpec spec, int index, java.util.function.UnaryOperator<Level> edit) {
    List<Level> levels = new ArrayList<>(spec.getLevels());
    levels.set(index, edit.apply(levels.get(index).toBuilder().build()));
    return spec.toBuilder().levels(levels).build();
  }

  static Readings readings(double reads, Map<String, Double> clients, Map<String, Double> good) {
    Readings.Builder b = Readings.builder().scalar("reads", reads).perClient("clients", clients);
    if (good != null) {
      b.perClient("good", good);
    } else {
      b.unavailable("good", "Prometheus answered 503");
    }
    return b.build();
  }

  /** {@code n} members of 198.51.100.0/24 at {@code value} each. */
  static Map<String, Double> pool(int n, double value) {
    Map<String, Double> out = new HashMap<>();
    for (int i = 1; i <= n; i++) {
      out.put(PREFIX + i, value);
    }
    return out;
  }

  static List<String> bans(Decision d) {
    return d.plan().bans().stream().map(Cidr::toString).toList();
  }

  @Test
  void aPureHighSumPrefixIsBannedWholeWithItsEvidence() {
    Run run = new Run(withPrefixes());
    Map<String, Double> crawl = pool(10, 3);
    run.at(0, readings(0, crawl, Map.of()));
    Decision early = run.at(20, readings(0, crawl, Map.of()));
    assertThat(bans(early)).as("not before the prefix rule's for (30s)").isEmpty();
    Decision d = run.at(30, readings(0, crawl, Map.of()));

    assertThat(bans(d)).containsExactly("198.51.100.0/24");
    BanEntry ban = d.next().bans().get(Cidr.parse("198.51.100.0/24").orElseThrow());
    assertThat(ban.evidence()).isEqualTo(new PrefixEvidence(10, 30, 1.0));
    assertThat(ban.until()).isEqualTo(Policies.T0.plusSeconds(30).plusSeconds(20 * 60));
    assertThat(ban.reason()).isEqualTo("prefix: 10 members, sum clients=30 > 15 for 30s, 100% above 1");
    assertThat(d.hasEvent(DecisionEvent.PREFIXES_BANNED)).isTrue();
    assertThat(d.events()).anySatisfy(e -> assertThat(e.message()).contains("198.51.100.0/24 (prefix: 10 members"));
  }

  @Test
  void theSumIsWhatCountsNotTheLargestMember() {
    // Each member is far under the per-client bar (20): only the sum (30) shows the crawl.
    Run run = new Run(withPrefixes());
    Map<String, Double> crawl = pool(10, 3);
    run.at(0, readings(0, crawl, Map.of()));
    assertThat(bans(run.at(30, readings(0, crawl, Map.of())))).containsExactly("198.51.100.0/24");
    Run thin = new Run(withPrefixes());
    Map<String, Double> few = pool(4, 3);
    thin.at(0, readings(0, few, Map.of()));
    assertThat(bans(thin.at(60, readings(0, few, Map.of())))).as("sum 12 <= 15").isEmpty();
  }

  @Test
  void ipv6AddressesRotatedInsideOneSubnetAreSummedPerSubnet() {
    // 300 addresses of one /64 at 1 each: no address reaches the per-client bar of 20, their sum does.
    ScrapingPolicySpec spec = Policies.withOffenders(Policies.ladder(), o -> {
      o.setIpv6PrefixLength(128);
      o.setPrefixes(PrefixAggregation.builder().ipv6PrefixLength(64).above(20.0).forDuration("1m").build());
      return o;
    });
    Map<String, Double> rotating = new HashMap<>();
    for (int i = 1; i <= 300; i++) {
      rotating.put("2001:db8:7:7::" + Integer.toHexString(i), 1.0);
    }
    Run run = new Run(spec);
    run.at(0, Run.clients(rotating));
    assertThat(bans(run.at(60, Run.clients(rotating)))).containsExactly("2001:db8:7:7::/64");
  }

  @Test
  void purityProtectsShoppersWhoShareAPrefixWithTwoHeavyAddresses() {
    // CGNAT: two busy addresses plus eight ordinary shoppers; sum 32, but only 20 % of the members are suspicious.
    Map<String, Double> cgnat = pool(8, 0.5);
    cgnat.put(PREFIX + "200", 14.0);
    cgnat.put(PREFIX + "201", 14.0);
    Run run = new Run(withPrefixes());
    run.at(0, readings(0, cgnat, Map.of()));
    Decision d = run.at(300, readings(0, cgnat, Map.of()));
    assertThat(bans(d)).isEmpty();
    assertThat(d.next().prefixes()).isEmpty();
  }

  @Test
  void aPrefixWithAKnownGoodClientIsNeverBannedButItsOffendersStillAreOneByOne() {
    Map<String, Double> mixed = pool(10, 3);
    mixed.put(PREFIX + "99", 40.0);
    Map<String, Double> good = Map.of(PREFIX + "50", 0.2);
    Run run = new Run(withPrefixes());
    run.at(0, readings(0, mixed, good));
    Decision d = run.at(60, readings(0, mixed, good));
    assertThat(bans(d)).containsExactly("198.51.100.99/32");
  }

  @Test
  void aPrefixOverlappingTheAllowlistIsNeverBanned() {
    Run run = new Run(Policies.withAllowlist(withPrefixes(), "198.51.100.128/25"));
    Map<String, Double> crawl = pool(10, 3);
    run.at(0, readings(0, crawl, Map.of()));
    assertThat(bans(run.at(60, readings(0, crawl, Map.of())))).isEmpty();
  }

  @Test
  void withoutKnownGoodClientsNoPrefixIsBannedAndTheLevelStillEscalates() {
    Run run = new Run(withPrefixes());
    Map<String, Double> crawl = pool(10, 3);
    run.at(0, readings(2000, crawl, null));
    Decision d = run.at(120, readings(2000, crawl, null));
    assertThat(bans(d)).isEmpty();
    assertThat(d.next().level()).isEqualTo("high");
    assertThat(d.metrics().available()).isTrue();
    assertThat(d.knownGood()).isNull();
    assertThat(d.signals()).anySatisfy(s -> {
      assertThat(s.name()).isEqualTo("good");
      assertThat(s.error()).contains("503");
    });
  }

  @Test
  void garbageKnownGoodLabelsAreCountedAndIgnored() {
    Map<String, Double> good = new HashMap<>();
    good.put("not-an-address", 5.0);
    good.put("198.51.100.0/24", 5.0);
    good.put(PREFIX + "7", 5.0);
    Run run = new Run(withPrefixes());
    Decision d = run.at(0, readings(0, Map.of(), good));
    assertThat(d.knownGood()).isEqualTo(new Decision.KnownGoodCount(1, 0));
    assertThat(d.signals()).anySatisfy(s -> {
      assertThat(s.name()).isEqualTo("good");
      assertThat(s.invalidClients()).isEqualTo(1);
    });
    // A /24 label exempts nobody: the crawl in that /24 is still banned.
    Map<String, Double> crawl = pool(10, 3);
    Run run2 = new Run(withPrefixes());
    Map<String, Double> wide = Map.of("198.51.100.0/24", 5.0);
    run2.at(0, readings(0, crawl, wide));
    assertThat(bans(run2.at(30, readings(0, crawl, wide)))).containsExactly("198.51.100.0/24");
  }

  @Test
  void knownGoodClientsAreCappedStrongestFirst() {
    ScrapingPolicySpec spec = withPrefixes();
    spec = spec.toBuilder().knownGood(spec.getKnownGood().toBuilder().maxClients(2).build()).build();
    spec = withLevel(spec, 1, l -> {
      l.setRouteBudget(RouteBudget.builder().requestsPerSecond(0).build());
      return l;
    });
    Run run = new Run(spec);
    Map<String, Double> good = Map.of("192.0.2.1", 0.1, "192.0.2.2", 0.3, "192.0.2.3", 0.2);
    run.at(0, readings(500, Map.of(), good));
    Decision d = run.at(120, readings(500, Map.of(), good));
    assertThat(d.plan().level()).isEqualTo("elevated");
    assertThat(d.plan().knownGood()).extracting(Cidr::toString).containsExactly("192.0.2.2/32", "192.0.2.3/32");
    assertThat(d.knownGood()).isEqualTo(new Decision.KnownGoodCount(2, 1));
    assertThat(d.plan().routeBudget().lockdown()).isTrue();
  }

  @Test
  void knownGoodClientsEnterThePlanOnlyWhileARouteBudgetIsInForce() {
    ScrapingPolicySpec spec = withLevel(withPrefixes(), 1, l -> {
      l.setRouteBudget(RouteBudget.builder().requestsPerSecond(100).perClientRequestsPerMinute(6).build());
      return l;
    });
    Map<String, Double> good = Map.of("192.0.2.1", 0.1);
    Run run = new Run(spec);
    Decision quiet = run.at(0, readings(0, Map.of(), good));
    assertThat(quiet.plan().routeBudget()).isNull();
    assertThat(quiet.plan().knownGood()).isEmpty();
    run.at(10, readings(500, Map.of(), good));
    Decision attack = run.at(130, readings(500, Map.of(), good));
    assertThat(attack.plan().routeBudget()).isEqualTo(
        new EnforcementPlan.RouteBudget(100, java.util.OptionalInt.of(6)));
    assertThat(attack.plan().exempt()).extracting(Cidr::toString).containsExactly("192.0.2.1/32");
  }

  @Test
  void aLevelTightensTheOffenderBarWhileInForceAndItsBansKeepTheirExpiry() {
    ScrapingPolicySpec spec = withLevel(Policies.ladder(), 2, l -> {
      l.setOffenders(LevelOffenders.builder().above(5.0).forDuration("30s").banFor("10m").build());
      return l;
    });
    Run run = new Run(spec);
    Map<String, Double> c = Map.of("203.0.113.7", 10.0);
    run.at(0, Run.readings(2000.0, c));
    Decision normal = run.at(50, Run.readings(2000.0, c));
    assertThat(normal.next().level()).isEqualTo("normal");
    assertThat(bans(normal)).as("10 is under the base bar of 20").isEmpty();
    Decision high = run.at(60, Run.readings(2000.0, c));
    assertThat(high.next().level()).isEqualTo("high");
    assertThat(bans(high)).as("above the bar in force (5) only since t=60").isEmpty();
    Decision banned = run.at(90, Run.readings(2000.0, c));
    assertThat(bans(banned)).as("above 5 for the level's 30s").containsExactly("203.0.113.7/32");
    assertThat(banned.next().bans().values().iterator().next().until())
        .as("the level's banFor (10m), not the base 1h").isEqualTo(Policies.T0.plusSeconds(90 + 600));

    // The attack ends; after the cooldown (10m after t=90) the base bar is back: a new client at 10 is not banned.
    Map<String, Double> later = Map.of("203.0.113.8", 10.0);
    run.at(300, Run.readings(0.0, later));
    Decision relaxed = run.at(700, Run.readings(0.0, later));
    assertThat(relaxed.next().level()).isEqualTo("normal");
    assertThat(bans(relaxed)).as("the ban decided under high expired at its own expiry (t=690)").isEmpty();
    assertThat(run.at(800, Run.readings(0.0, later)).plan().bans()).isEmpty();
  }

  @Test
  void aKnownGoodClientIsHeldToTheBaseBarNotToTheAttackLevels() {
    ScrapingPolicySpec spec = withLevel(withKnownGood(Policies.ladder()), 2, l -> {
      l.setOffenders(LevelOffenders.builder().above(5.0).forDuration("0s").build());
      return l;
    });
    Run run = new Run(spec);
    Map<String, Double> clients = Map.of("203.0.113.7", 10.0, "100.66.7.1", 10.0, "100.66.7.2", 30.0);
    Map<String, Double> good = Map.of("100.66.7.1", 1.0, "100.66.7.2", 1.0);
    run.at(0, readings(2000, clients, good));
    Decision high = run.at(60, readings(2000, clients, good));
    assertThat(high.next().level()).isEqualTo("high");
    run.at(61, readings(2000, clients, good));
    Decision d = run.at(121, readings(2000, clients, good));
    assertThat(bans(d)).as("the unknown client at the attack bar (5); the known-good one only above the base bar (20)")
        .containsExactlyInAnyOrder("203.0.113.7/32", "100.66.7.2/32");
    assertThat(d.next().bans().get(Cidr.parse("100.66.7.2").orElseThrow()).until())
        .as("held to the base rule, with its banFor (1h)").isEqualTo(Policies.T0.plusSeconds(121 + 3600));
  }

  @Test
  void anUnsetLevelFieldInheritsFromTheLevelBelow() {
    ScrapingPolicySpec spec = withLevel(Policies.ladder(), 1, l -> {
      l.setOffenders(LevelOffenders.builder().above(5.0).build());
      return l;
    });
    spec = withLevel(spec, 2, l -> {
      l.setOffenders(LevelOffenders.builder().forDuration("10s").build());
      return l;
    });
    CompiledPolicy p = CompiledPolicy.of(spec);
    assertThat(p.offendersAt(0).above()).isEqualTo(20);
    assertThat(p.offendersAt(1).above()).isEqualTo(5);
    assertThat(p.offendersAt(2).above()).as("inherited from elevated").isEqualTo(5);
    assertThat(p.offendersAt(2).forDuration()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(p.offendersAt(2).key()).isEqualTo(p.offenders.key());
  }

  @Test
  void banChangesWithinTheIntervalWaitAndAreTakenAlongByALevelChange() {
    ScrapingPolicySpec spec = Policies.ladder().toBuilder().banUpdateInterval("10s").build();
    spec = Policies.withOffenders(spec, o -> {
      o.setForDuration("0s");
      return o;
    });
    Run run = new Run(spec);
    run.budgeted = true;
    Decision d1 = run.at(0, Run.readings(500.0, Map.of("203.0.113.1", 50.0)));
    assertThat(bans(d1)).containsExactly("203.0.113.1/32");
    Decision d2 = run.at(2, Run.readings(500.0, Map.of("203.0.113.2", 50.0)));
    assertThat(d2.next().bans()).hasSize(2);
    assertThat(bans(d2)).as("held: 2 s after the last publication").containsExactly("203.0.113.1/32");
    assertThat(d2.held()).isTrue();
    Decision d3 = run.at(4, Run.readings(500.0, Map.of("203.0.113.3", 50.0)));
    assertThat(bans(d3)).containsExactly("203.0.113.1/32");
    Decision d4 = run.at(10, Run.readings(500.0, Map.of()));
    assertThat(bans(d4)).as("the interval has passed").hasSize(3);
    assertThat(d4.held()).isFalse();
    Decision d5 = run.at(12, Run.readings(500.0, Map.of("203.0.113.5", 50.0)));
    assertThat(bans(d5)).hasSize(3);
    // reads > 200 since t=0: elevated at t=120, published at once with the pending ban.
    run.at(100, Run.readings(500.0, Map.of()));
    Decision up = run.at(120, Run.readings(500.0, Map.of("203.0.113.6", 50.0)));
    assertThat(up.plan().level()).isEqualTo("elevated");
    assertThat(bans(up)).hasSize(5);
  }

  @Test
  void aLoweredLevelWaitsForTheIntervalLikeABanChangeWhileARaisedOneGoesOutAtOnce() {
    ScrapingPolicySpec spec = Policies.withOffenders(
        Policies.ladder().toBuilder().banUpdateInterval("1m").cooldown("30s").build(), o -> {
          o.setForDuration("0s");
          return o;
        });
    Run run = new Run(spec);
    run.budgeted = true;
    run.at(0, Run.readings(500.0, Map.of()));
    Decision up = run.at(120, Run.readings(500.0, Map.of("203.0.113.1", 50.0)));
    assertThat(up.plan().level()).as("raised at once").isEqualTo("elevated");
    assertThat(bans(up)).as("with the ban decided at the same time").containsExactly("203.0.113.1/32");
    assertThat(up.held()).isFalse();
    // quiet from t=130: the cooldown has passed at t=160, 40 s after the raise was published
    run.at(130, Run.readings(0.0, Map.of()));
    Decision lowered = run.at(160, Run.readings(0.0, Map.of()));
    assertThat(lowered.next().level()).as("the decided level").isEqualTo("normal");
    assertThat(lowered.plan().level()).as("the data plane keeps the raised level's settings").isEqualTo("elevated");
    assertThat(lowered.plan().rateLimits()).isEqualTo(up.plan().rateLimits());
    assertThat(lowered.held()).isTrue();
    Decision later = run.at(180, Run.readings(0.0, Map.of()));
    assertThat(later.plan().level()).as("a minute after the last publication").isEqualTo("normal");
    assertThat(bans(later)).containsExactly("203.0.113.1/32");
    assertThat(later.held()).isFalse();
  }

  @Test
  void aRevokedBanIsWithdrawnAtOnceEvenWithinTheInterval() {
    ScrapingPolicySpec spec = Policies.withOffenders(
        Policies.ladder().toBuilder().banUpdateInterval("1m").build(), o -> {
          o.setForDuration("0s");
          return o;
        });
    Run run = new Run(spec);
    run.budgeted = true;
    run.at(0, Run.clients(Map.of("203.0.113.1", 50.0)));
    run.spec = Policies.withAllowlist(spec, "203.0.113.0/24");
    Decision d = run.at(5, Run.clients(Map.of()));
    assertThat(d.plan().bans()).isEmpty();
    assertThat(d.hasEvent(DecisionEvent.BANS_REVOKED)).isTrue();
  }

  @Test
  void prefixQualificationAndEvidenceSurviveARestart() {
    ScrapingPolicySpec spec = withPrefixes();
    Run run = new Run(spec);
    Map<String, Double> crawl = pool(10, 3);
    run.at(0, readings(0, crawl, Map.of()));
    Decision before = run.at(20, readings(0, crawl, Map.of()));
    assertThat(before.next().prefixes()).containsKey(Cidr.parse("198.51.100.0/24").orElseThrow());
    var status = new io.antiscraping.api.v1alpha1.ScrapingPolicyStatus();
    StateCodec.toStatus(before, status);
    run.state = StateCodec.fromStatus(spec, status, Policies.T0.plusSeconds(21));
    Decision after = run.at(30, readings(0, crawl, Map.of()));
    assertThat(bans(after)).as("qualifying since t=0, kept across the restart").containsExactly("198.51.100.0/24");
    StateCodec.toStatus(after, status);
    assertThat(status.getBanned()).singleElement().satisfies(b -> {
      assertThat(b.getMembers()).isEqualTo(10);
      assertThat(b.getSum()).isEqualTo(30.0);
      assertThat(b.getSuspiciousShare()).isEqualTo(1.0);
    });
    EngineState back = StateCodec.fromStatus(spec, status, Policies.T0.plusSeconds(31));
    assertThat(back.bans().get(Cidr.parse("198.51.100.0/24").orElseThrow()).evidence())
        .isEqualTo(new PrefixEvidence(10, 30, 1.0));
  }

  @Test
  void noNewPerClientBanInsideABannedPrefix() {
    Map<String, Double> crawl = pool(10, 3);
    crawl.put(PREFIX + "77", 30.0);
    Run run = new Run(withPrefixes());
    run.at(0, readings(0, crawl, Map.of()));
    Decision d = run.at(60, readings(0, crawl, Map.of()));
    assertThat(bans(d)).containsExactly("198.51.100.0/24");
  }

  static Instant t(long s) {
    return Policies.T0.plusSeconds(s);
  }
}
