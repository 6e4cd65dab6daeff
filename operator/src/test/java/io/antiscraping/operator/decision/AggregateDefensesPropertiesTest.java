package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.KnownGood;
import io.antiscraping.api.v1alpha1.LevelOffenders;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the aggregate defenses over random policies (prefix rule, level-scoped bars, known-good clients,
 * write budget) and random sequences of readings: crawl pools packed in prefixes, CGNAT-like mixes, known-good and
 * allowlisted clients among them, garbage labels, outages.
 */
class AggregateDefensesPropertiesTest {

  record Step(int dt, Double reads, Map<String, Double> clients, Map<String, Double> good) {
  }

  record Scenario(ScrapingPolicySpec spec, List<Step> steps) {
    @Override
    public String toString() {
      return "offenders=" + spec.getOffenders() + " levels=" + spec.getLevels() + " interval="
          + spec.getBanUpdateInterval() + " steps=" + steps;
    }
  }

  /** Members of three /24s and one IPv6 /48, garbage, an allowlisted and a known-good candidate. */
  static final List<String> POOL;

  static {
    List<String> p = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      p.add("198.51.100." + i);
      p.add("203.0.113." + (10 * i));
      p.add("2001:db8:5:" + i + "::7");
    }
    p.addAll(List.of("192.0.2.1", "192.0.2.2", "10.9.9.9", "not-an-ip", "198.51.100.0/24", "::ffff:198.51.100.3"));
    POOL = List.copyOf(p);
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<ScrapingPolicySpec> specs = Combinators.combine(
        Arbitraries.of(0.5, 2.0, 10.0), Arbitraries.of(0.0, 0.5, 1.0), Arbitraries.of(0.0, 0.5, 0.8, 1.0),
        Arbitraries.of(1, 2, 4), Arbitraries.of("0s", "10s", "30s"), Arbitraries.of(1, 3, 1000),
        Arbitraries.of(16, 24, 28), Arbitraries.of("0s", "10s", "1m"))
        .as((prefixAbove, memberAbove, share, minMembers, prefixFor, max, v4, interval) -> {
          ScrapingPolicySpec s = Policies.ladder();
          Offenders o = s.getOffenders();
          o.setMaxBanned(max);
          o.setForDuration("30s");
          o.setBanFor("5m");
          o.setPrefixes(PrefixAggregation.builder().ipv4PrefixLength(v4).ipv6PrefixLength(48).above(prefixAbove)
              .memberAbove(memberAbove).minSuspiciousShare(share).minMembers(minMembers).forDuration(prefixFor)
              .banFor("3m").build());
          s.getLevels().get(2).setOffenders(LevelOffenders.builder().above(4.0).forDuration("10s").banFor("2m")
              .prefixAbove(prefixAbove / 2).build());
          List<Signal> signals = new ArrayList<>(s.getSignals());
          signals.add(Signal.builder().name("good").query("g").perClient(new Signal.PerClient("client")).build());
          s.setSignals(signals);
          s.setKnownGood(KnownGood.builder().signal("good").above(0.0).maxClients(3).build());
          s.setAllowlist(new Allowlist(new ArrayList<>(List.of("10.0.0.0/8", "203.0.113.40/32"))));
          s.setBanUpdateInterval(interval);
          return s;
        });
    Arbitrary<Double> reads = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(10, Arbitraries.of(0.0, 250.0, 1500.0)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    Arbitrary<Map<String, Double>> clients = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.maps(Arbitraries.of(POOL),
            Arbitraries.of(0.0, 0.3, 1.0, 3.0, 6.0, 25.0, Double.NaN)).ofMaxSize(20)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    Arbitrary<Map<String, Double>> good = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.maps(Arbitraries.of(POOL), Arbitraries.of(0.0, 1.0, 2.0)).ofMaxSize(5)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    Arbitrary<Step> steps = Combinators.combine(Arbitraries.of(1, 2, 5, 10, 30, 61), reads, clients, good)
        .as(Step::new);
    return Combinators.combine(specs, steps.list().ofMinSize(1).ofMaxSize(30)).as(Scenario::new);
  }

  private static Readings readings(Step s) {
    Map<String, SignalReading> m = new HashMap<>();
    m.put("reads", s.reads() == null ? new SignalReading.Unavailable("down") : new SignalReading.Scalar(s.reads()));
    m.put("clients", s.clients() == null ? new SignalReading.Unavailable("down")
        : new SignalReading.PerClient(s.clients()));
    m.put("good", s.good() == null ? new SignalReading.Unavailable("down") : new SignalReading.PerClient(s.good()));
    return new Readings(m);
  }

  private static List<Decision> run(Scenario sc, List<Instant> times, boolean budgeted) {
    DecisionEngine engine = new DecisionEngine();
    EngineState state = EngineState.initial(sc.spec(), Policies.T0);
    Instant t = Policies.T0;
    Decision last = null;
    List<Decision> out = new ArrayList<>();
    for (Step s : sc.steps()) {
      t = t.plusSeconds(s.dt());
      times.add(t);
      last = engine.decide(sc.spec(), state, readings(s), t, budgeted && last != null ? last.published() : null);
      out.add(last);
      state = last.next();
    }
    return out;
  }

  private static Set<Cidr> knownGood(Step s) {
    if (s.good() == null) {
      return Set.of();
    }
    return s.good().entrySet().stream().filter(e -> e.getValue() > 0).map(e -> Cidr.parse(e.getKey()))
        .flatMap(java.util.Optional::stream).map(Cidr::unmapIpv4)
        // a label naming a prefix is no known-good client (one label must not exempt a network)
        .filter(c -> c.prefixLength() == c.bits()).collect(Collectors.toSet());
  }

  @Property(tries = 300)
  void noBanCoversAnAllowlistedOrKnownGoodClientAndNoneIsBroaderThanTheRules(@ForAll("scenarios") Scenario sc) {
    List<Instant> times = new ArrayList<>();
    List<Decision> ds = run(sc, times, false);
    List<Cidr> allow = Plans.allowlist(sc.spec());
    Offenders o = sc.spec().getOffenders();
    PrefixAggregation p = o.getPrefixes();
    EngineState before = EngineState.initial(sc.spec(), Policies.T0);
    for (int i = 0; i < ds.size(); i++) {
      Decision d = ds.get(i);
      assertThat(d.plan().bans()).hasSizeLessThanOrEqualTo(o.getMaxBanned());
      for (Cidr ban : d.plan().bans()) {
        assertThat(allow).noneMatch(a -> a.overlaps(ban));
        int client = ban.ipv6() ? o.getIpv6PrefixLength() : o.getIpv4PrefixLength();
        int prefix = ban.ipv6() ? p.getIpv6PrefixLength() : p.getIpv4PrefixLength();
        assertThat(ban.prefixLength() >= client || ban.prefixLength() == prefix).as("ban %s", ban).isTrue();
      }
      for (Map.Entry<Cidr, BanEntry> e : d.next().bans().entrySet()) {
        if (!before.bans().containsKey(e.getKey()) && e.getValue().evidence() != null) {
          Cidr banned = e.getKey();
          assertThat(knownGood(sc.steps().get(i))).as("a new prefix ban %s contains no known-good client", banned)
              .noneMatch(banned::contains);
          assertThat(sc.steps().get(i).good()).as("no prefix ban while the known-good clients are unknown").isNotNull();
          assertThat(e.getValue().evidence().suspiciousShare()).isGreaterThanOrEqualTo(p.getMinSuspiciousShare());
          assertThat(e.getValue().evidence().members()).isGreaterThanOrEqualTo(p.getMinMembers());
        }
      }
      before = d.next();
    }
  }

  @Property(tries = 300)
  void theWriteBudgetChangesThePublishedListsAtMostOncePerIntervalAtOneLevel(@ForAll("scenarios") Scenario sc) {
    List<Instant> times = new ArrayList<>();
    List<Decision> ds = run(sc, times, true);
    Duration interval = Duration.parse("PT" + sc.spec().getBanUpdateInterval().toUpperCase());
    Instant lastChange = null;
    EnforcementPlan prev = null;
    for (int i = 0; i < ds.size(); i++) {
      EnforcementPlan plan = ds.get(i).plan();
      boolean listsChanged = prev != null && (!plan.bans().equals(prev.bans())
          || !plan.knownGood().equals(prev.knownGood()));
      boolean onlyRemovals = prev != null && prev.bans().containsAll(plan.bans())
          && plan.knownGood().equals(prev.knownGood());
      if (listsChanged && plan.level().equals(prev.level()) && !onlyRemovals && lastChange != null) {
        assertThat(Duration.between(lastChange, times.get(i))).as("step %d", i).isGreaterThanOrEqualTo(interval);
      }
      if (prev == null || listsChanged) {
        lastChange = times.get(i);
      }
      // Whatever is held is decided: the plan's bans are bans in force or bans just expired or revoked.
      prev = plan;
    }
    // Without the budget the same run decides the same bans.
    List<Decision> free = run(sc, new ArrayList<>(), false);
    for (int i = 0; i < ds.size(); i++) {
      assertThat(ds.get(i).next().bans().keySet()).isEqualTo(free.get(i).next().bans().keySet());
      assertThat(ds.get(i).next().level()).isEqualTo(free.get(i).next().level());
    }
  }

  @Property(tries = 200)
  void aRestartThroughTheStatusDecidesLikeAnUninterruptedRun(@ForAll("scenarios") Scenario sc) throws Exception {
    List<Instant> times = new ArrayList<>();
    List<Decision> straight = run(sc, times, false);
    DecisionEngine engine = new DecisionEngine();
    ScrapingPolicyStatus status = null;
    for (int i = 0; i < sc.steps().size(); i++) {
      EngineState restored = status == null ? EngineState.initial(sc.spec(), Policies.T0)
          : StateCodec.fromStatus(sc.spec(), status, times.get(i));
      Decision d = engine.decide(sc.spec(), restored, readings(sc.steps().get(i)), times.get(i));
      assertThat(d.plan()).as("plan at step %d", i).isEqualTo(straight.get(i).plan());
      assertThat(d.events()).as("events at step %d", i).isEqualTo(straight.get(i).events());
      ScrapingPolicyStatus fresh = new ScrapingPolicyStatus();
      StateCodec.toStatus(d, fresh);
      status = StateCodecTest.viaJson(fresh);
    }
  }
}
