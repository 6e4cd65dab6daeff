package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
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
 * Properties of the engine over random policies and random sequences of readings (including NaN, infinities,
 * unavailable signals, spoofed and allowlisted client keys).
 */
class DecisionEnginePropertiesTest {

  /** One evaluation: seconds since the previous one, {@code reads} (null: unavailable), clients (null: unavailable). */
  record Step(int dt, Double reads, Map<String, Double> clients) {
  }

  record Scenario(ScrapingPolicySpec spec, List<Step> steps) {
    @Override
    public String toString() {
      return "cooldown=" + spec.getCooldown() + " staleAfter=" + spec.getStaleAfter() + " on="
          + spec.getOnMetricsUnavailable() + " elevated.for=" + spec.getLevels().get(1).getWhen().get(0)
          .getForDuration() + " high.for=" + spec.getLevels().get(2).getWhen().get(0).getForDuration()
          + " offenders=" + spec.getOffenders() + " allowlist=" + spec.getAllowlist().getCidrs() + " steps=" + steps;
    }
  }

  static final List<String> CLIENT_POOL = List.of("203.0.113.1", "203.0.113.2", "203.0.113.5", "203.0.113.77",
      "198.51.100.1", "198.51.100.200", "10.1.2.3", "2001:db8:a::1", "2001:db8:a::2", "2001:db8:b:1::9",
      "2001:db8:c::/64", "203.0.113.0/24", "bot.example", "1.2.3.4/33", "", "203.0.113.1, 10.0.0.1", "::ffff:1.2.3.4");

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<String> durations = Arbitraries.of("0s", "30s", "1m", "2m", "10m");
    Arbitrary<ScrapingPolicySpec> specs = Combinators.combine(
        durations, Arbitraries.of("0s", "30s", "1m", "2m"), Arbitraries.of("0s", "45s", "1m"),
        Arbitraries.of("30s", "1m", "5m"), Arbitraries.of(ScrapingPolicySpec.OnMetricsUnavailable.values()),
        Arbitraries.of(1, 2, 3, 1000), Arbitraries.of(8, 24, 32), Arbitraries.of(32, 48, 64, 128))
        .as((cooldown, elevatedFor, highFor, stale, on, max, v4, v6) -> {
          ScrapingPolicySpec s = Policies.ladder();
          s.getLevels().get(1).getWhen().get(0).setForDuration(elevatedFor);
          s.getLevels().get(2).getWhen().get(0).setForDuration(highFor);
          s.setCooldown(cooldown);
          s.setStaleAfter(stale);
          s.setOnMetricsUnavailable(on);
          Offenders o = s.getOffenders();
          o.setMaxBanned(max);
          o.setIpv4PrefixLength(v4);
          o.setIpv6PrefixLength(v6);
          o.setForDuration(elevatedFor);
          o.setBanFor(highFor.equals("0s") ? "2m" : "5m");
          s.setAllowlist(new Allowlist(new ArrayList<>(List.of("10.0.0.0/8", "203.0.113.5/32", "2001:db8:a::1"))));
          return s;
        });
    Arbitrary<Double> reads = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, Arbitraries.of(0.0, 150.0, 200.0, 250.0, 900.0, 1000.0, 1500.0, 5000.0)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(null)));
    Arbitrary<Map<String, Double>> clients = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.maps(Arbitraries.of(CLIENT_POOL),
            Arbitraries.of(5.0, 20.0, 21.0, 50.0, 300.0, Double.NaN)).ofMaxSize(10)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    Arbitrary<Step> steps = Combinators.combine(Arbitraries.of(1, 10, 15, 30, 30, 30, 60, 119, 301), reads, clients)
        .as(Step::new);
    return Combinators.combine(specs, steps.list().ofMinSize(1).ofMaxSize(40)).as(Scenario::new);
  }

  private static Readings readings(Step s) {
    Map<String, SignalReading> m = new HashMap<>();
    m.put("reads", s.reads() == null ? new SignalReading.Unavailable("down") : new SignalReading.Scalar(s.reads()));
    m.put("clients", s.clients() == null ? new SignalReading.Unavailable("down")
        : new SignalReading.PerClient(s.clients()));
    return new Readings(m);
  }

  private static boolean available(Step s) {
    return s.reads() != null && Double.isFinite(s.reads()) && s.clients() != null;
  }

  private static int idx(ScrapingPolicySpec spec, String level) {
    List<Level> ls = spec.getLevels();
    for (int i = 0; i < ls.size(); i++) {
      if (ls.get(i).getName().equals(level)) {
        return i;
      }
    }
    throw new AssertionError(level);
  }

  /** Runs the scenario uninterrupted; returns the decisions and their times. */
  private static List<Decision> run(Scenario sc, List<Instant> times) {
    DecisionEngine engine = new DecisionEngine();
    EngineState state = EngineState.initial(sc.spec(), Policies.T0);
    Instant t = Policies.T0;
    List<Decision> out = new ArrayList<>();
    for (Step s : sc.steps()) {
      t = t.plusSeconds(s.dt());
      times.add(t);
      Decision d = engine.decide(sc.spec(), state, readings(s), t);
      out.add(d);
      state = d.next();
    }
    return out;
  }

  /**
   * Recommendation computed independently: elevated when reads > 200 continuously for its for, high when > 1000 for
   * its for; a non-finite or missing reading breaks continuity.
   */
  private static int[] recommendations(Scenario sc, List<Instant> times) {
    Duration fe = Duration.parse("PT" + sc.spec().getLevels().get(1).getWhen().get(0).getForDuration().toUpperCase());
    Duration fh = Duration.parse("PT" + sc.spec().getLevels().get(2).getWhen().get(0).getForDuration().toUpperCase());
    int[] rec = new int[sc.steps().size()];
    Instant se = null;
    Instant sh = null;
    for (int i = 0; i < rec.length; i++) {
      Double v = sc.steps().get(i).reads();
      boolean ok = v != null && Double.isFinite(v);
      Instant t = times.get(i);
      se = ok && v > 200 ? (se == null ? t : se) : null;
      sh = ok && v > 1000 ? (sh == null ? t : sh) : null;
      rec[i] = sh != null && !sh.plus(fh).isAfter(t) ? 2 : se != null && !se.plus(fe).isAfter(t) ? 1 : 0;
    }
    return rec;
  }

  @Property(tries = 400)
  void noDeEscalationInsideTheCooldown(@ForAll("scenarios") Scenario sc) {
    List<Instant> times = new ArrayList<>();
    List<Decision> ds = run(sc, times);
    int[] rec = recommendations(sc, times);
    Duration cooldown = Duration.parse("PT" + sc.spec().getCooldown().toUpperCase());
    Duration stale = Duration.parse("PT" + sc.spec().getStaleAfter().toUpperCase());
    boolean hold = sc.spec().getOnMetricsUnavailable() == ScrapingPolicySpec.OnMetricsUnavailable.HOLD;
    int lastReset = -1;
    Instant lastGood = null;
    for (int i = 0; i < ds.size(); i++) {
      Step s = sc.steps().get(i);
      Instant t = times.get(i);
      if (available(s)) {
        lastGood = t;
        int level = idx(sc.spec(), ds.get(i).next().level());
        for (int j = i; j > lastReset && times.get(j).isAfter(t.minus(cooldown)); j--) {
          if (available(sc.steps().get(j))) {
            assertThat(level).as("step %d: level in force vs recommendation of step %d", i, j)
                .isGreaterThanOrEqualTo(rec[j]);
          }
        }
        assertThat(ds.get(i).metrics().available()).isTrue();
      } else {
        assertThat(ds.get(i).metrics().available()).isFalse();
        if (!hold || lastGood == null || !t.isBefore(lastGood.plus(stale))) {
          lastReset = i;
          assertThat(ds.get(i).next().level()).isEqualTo("normal");
        }
      }
    }
  }

  @Property(tries = 400)
  void missingDataNeverEscalatesNorBans(@ForAll("scenarios") Scenario sc) {
    List<Instant> times = new ArrayList<>();
    List<Decision> ds = run(sc, times);
    EngineState before = EngineState.initial(sc.spec(), Policies.T0);
    for (int i = 0; i < ds.size(); i++) {
      EngineState after = ds.get(i).next();
      if (!available(sc.steps().get(i))) {
        assertThat(idx(sc.spec(), after.level())).isLessThanOrEqualTo(idx(sc.spec(), before.level()));
        for (Map.Entry<Cidr, BanEntry> e : after.bans().entrySet()) {
          assertThat(before.bans()).as("no new ban at step %d", i).containsKey(e.getKey());
          assertThat(e.getValue().until()).as("no extension").isEqualTo(before.bans().get(e.getKey()).until());
        }
        assertThat(ds.get(i).events()).extracting(DecisionEvent::reason)
            .doesNotContain("LevelRaised", "ClientsBanned");
      }
      before = after;
    }
  }

  @Property(tries = 400)
  void bansAreNeverAllowlistedInvalidTooBroadOrTooMany(@ForAll("scenarios") Scenario sc) {
    List<Instant> times = new ArrayList<>();
    List<Decision> ds = run(sc, times);
    List<Cidr> allow = Plans.allowlist(sc.spec());
    Offenders o = sc.spec().getOffenders();
    Set<Cidr> seenValid = sc.steps().stream().filter(s -> s.clients() != null)
        .flatMap(s -> s.clients().keySet().stream()).map(Cidr::parse).flatMap(java.util.Optional::stream).map(Cidr::unmapIpv4)
        .collect(Collectors.toSet());
    for (Decision d : ds) {
      assertThat(d.plan().bans()).hasSizeLessThanOrEqualTo(o.getMaxBanned());
      for (Cidr ban : d.plan().bans()) {
        assertThat(allow).noneMatch(a -> a.overlaps(ban));
        assertThat(ban.prefixLength()).isGreaterThanOrEqualTo(ban.ipv6() ? o.getIpv6PrefixLength()
            : o.getIpv4PrefixLength());
        assertThat(seenValid).as("ban %s comes from a valid client key", ban).anyMatch(ban::contains);
      }
      assertThat(d.plan().allowlist()).isEqualTo(allow);
    }
  }

  @Property(tries = 300)
  void aRestartThroughTheStatusDecidesExactlyLikeAnUninterruptedRun(@ForAll("scenarios") Scenario sc)
      throws Exception {
    List<Instant> times = new ArrayList<>();
    List<Decision> straight = run(sc, times);
    DecisionEngine engine = new DecisionEngine();
    ScrapingPolicyStatus status = null;
    for (int i = 0; i < sc.steps().size(); i++) {
      EngineState restored = StateCodec.fromStatus(sc.spec(), status, times.get(i));
      if (status == null) {
        restored = EngineState.initial(sc.spec(), Policies.T0);
      }
      Decision d = engine.decide(sc.spec(), restored, readings(sc.steps().get(i)), times.get(i));
      Decision e = straight.get(i);
      assertThat(d.plan()).as("plan at step %d", i).isEqualTo(e.plan());
      assertThat(d.events()).as("events at step %d", i).isEqualTo(e.events());
      assertThat(d.metrics()).isEqualTo(e.metrics());
      assertThat(d.banCapReached()).isEqualTo(e.banCapReached());
      assertThat(d.signals()).isEqualTo(e.signals());
      assertThat(d.next().levelSince()).isEqualTo(e.next().levelSince());
      assertThat(untils(d.next())).isEqualTo(untils(e.next()));
      ScrapingPolicyStatus fresh = new ScrapingPolicyStatus();
      StateCodec.toStatus(d, fresh);
      status = StateCodecTest.viaJson(fresh);
    }
  }

  private static Map<Cidr, Instant> untils(EngineState s) {
    Map<Cidr, Instant> m = new HashMap<>();
    s.bans().forEach((k, v) -> m.put(k, v.until()));
    return m;
  }
}
